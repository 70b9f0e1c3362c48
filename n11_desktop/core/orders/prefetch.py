"""Fetch the next page of packages while the previous one is written.

The import writes a batch of 100 packages (one transaction) and then asks N11 for the next page;
the two waits added up. :class:`Prefetch` runs the package iterator (the N11 client's pages) on
one worker thread, at most ``ahead`` chunks in front of the importer, so N11's round trip and
our database writes overlap. Nothing about what is committed changes: the importer still writes
the packages in the order N11 gave them, a batch is still one transaction, and the cursor still
moves only after the window is written — a prefetched page that was never written is fetched
again by the next run, as an unfinished page always was.

Only the worker uses the client while it runs; the caller must leave the ``with`` block (which
stops and joins the worker) before using the client again.

While the block runs, Python's cyclic garbage collector is paused (:func:`n11_desktop.gcpause.pause`,
the process-wide pause the other bulk steps use). Decoding a page of 100 packages makes ~25,000
objects, so with the collector on a 10,000-package import set off ~210 collections, some of them
full ones over every object of the process: ~0.2 s of the import's ~2.2 s of CPU, none of it
needed while the import runs (a page's objects are freed by reference counting as soon as its
batch is written). Whatever cyclic garbage the batches leave is collected once when the block ends.

The block also runs with short thread turns (:func:`..threadturns.quick_turns`, as a send does):
when N11's page arrives, the reading thread gets the interpreter within 0.5 ms instead of waiting
up to 5 ms for the importing thread to hand it over, several times a page, so the next request
leaves sooner (a 10k import at 0 ms latency 2.17-2.32 s -> 1.99-2.07 s, interleaved, idle machine).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ...gcpause import pause as _pause_collector
from ..threadturns import quick_turns

log = logging.getLogger(__name__)

_END = object()


class Prefetch:
    """``with Prefetch(packages) as it: for pkg in it: ...`` — ``packages`` is consumed on a worker
    thread in chunks of ``chunk``; at most ``ahead`` chunks wait (plus the one being read), so the
    memory stays bounded. An exception of the iterator is raised in the caller's thread at the
    point the caller reaches it."""

    def __init__(self, source: Iterable[Any], *, chunk: int = 100, ahead: int = 1,
                 name: str = "order-page-prefetch") -> None:
        self._source = source
        self._chunk = max(1, int(chunk))
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, int(ahead)))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._end_pause: Callable[[], None] = lambda: None
        self._turns = contextlib.ExitStack()

    # ------------------------------------------------------------------ worker
    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        it = iter(self._source)
        try:
            part: list[Any] = []
            for item in it:
                part.append(item)
                if len(part) >= self._chunk:
                    if not self._put(part):
                        return
                    part = []
                if self._stop.is_set():
                    return
            if part and not self._put(part):
                return
            self._put(_END)
        except BaseException as exc:  # handed to the caller's thread
            self._put(("error", exc))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - closing a generator that failed
                    pass

    # ------------------------------------------------------------------ caller
    def __enter__(self) -> Iterator[Any]:
        # until close() (see the module's docstring): the collector paused, short thread turns
        self._end_pause = _pause_collector()
        self._turns.enter_context(quick_turns())
        try:
            self._thread.start()
        except BaseException:
            self._end()
            raise
        return self._iterate()

    def _end(self) -> None:
        self._turns.close()  # (once: a second close finds nothing left to undo)
        end, self._end_pause = self._end_pause, lambda: None
        end()

    def _iterate(self) -> Iterator[Any]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, tuple):
                raise item[1]
            yield from item

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (after the page it is reading, if any) and wait for it."""
        self._stop.set()
        while self._thread.is_alive():
            try:  # make room, so a worker blocked on a full queue sees the stop
                self._queue.get_nowait()
            except queue.Empty:
                pass
            self._thread.join(0.05)
        self._end()


class DeferredExchanges:
    """An ``on_exchange`` sink for the page-fetching threads: each exchange is kept until the
    importing thread calls :meth:`flush` (between batches, and at the end), which hands it to the
    real sink (the flow's log). The fetching threads then never wait for the database, whose
    write lock the importing thread holds for most of each batch; the log gets the same rows, in
    the order of the requests, a batch later. order_create takes them (:meth:`take`) instead and writes
    them in the next batch's own transaction (one commit a page, and a page's log row committed with
    the batch that follows it); a batch that rolls back hands them back (:meth:`restore`)."""

    def __init__(self, sink: Callable[[Any], None]) -> None:
        self._sink = sink
        self._kept: deque = deque()

    def __call__(self, exchange: Any) -> None:
        self._kept.append(exchange)

    def take(self) -> list[Any]:
        """The exchanges kept so far, in request order, no longer kept (the caller writes them, or hands
        them back with :meth:`restore` when it could not)."""
        taken = []
        while True:
            try:
                taken.append(self._kept.popleft())
            except IndexError:
                return taken

    def restore(self, taken: list[Any]) -> None:
        """Keep ``taken`` (from :meth:`take`) again, before any exchange kept since."""
        self._kept.extendleft(reversed(taken))

    def flush(self) -> None:
        while True:
            try:
                exchange = self._kept.popleft()
            except IndexError:
                return
            try:
                self._sink(exchange)
            except Exception:  # as the transport does: a broken log sink must not break the import
                log.exception("on_exchange callback failed")
