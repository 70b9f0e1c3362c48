"""One pause of Python's cyclic garbage collector for the whole process.

Two kinds of code pause it: the app's bulk steps (a 100k push, a catalog import) that make
hundreds of thousands of long-lived objects, and N11's simulator (the sandbox) while it answers a
request, whose thousands of short-lived objects would otherwise set off full collections of the
whole process. When the simulator runs inside the app's own interpreter (tests, benches, demo
stores) both pause the same collector, so they share one count here: whoever leaves last turns
the collector back on, never someone in the middle of another's pause.

Neither the app's core nor the sandbox depends on the other through this module; it imports only
the standard library.
"""

from __future__ import annotations

import contextlib
import gc
import threading

#: objects allocated during a pause after which a bulk step pays one full collection at its end
SETTLE_AFTER = 50_000

_lock = threading.Lock()
_depth = 0
_was_enabled = False
_bulk = False


@contextlib.contextmanager
def gc_paused(*, bulk: bool = True):
    """No cyclic collection inside the block; reference counting still frees everything acyclic.

    ``bulk`` (the app's bulk steps): when the last pause ends after many allocations, one full
    collection is run at once, paid by the step itself rather than by whatever code allocates
    next. ``bulk=False`` (a request the simulator answers): only the young collection that came
    due is run, never a full one. Nested and concurrent pauses are counted; the last one out
    restores the collector as it found it and settles as the strongest pause asked.
    """
    end = pause(bulk=bulk)
    try:
        yield
    finally:
        end()


def pause(*, bulk: bool = True):
    """A pause as :func:`gc_paused`'s that one thread begins and another may end: the returned
    function ends it (its first call; later calls do nothing)."""
    global _depth, _was_enabled, _bulk
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            _bulk = False
            gc.disable()
        _depth += 1
        _bulk = _bulk or bulk
    ended = False

    def end() -> None:
        nonlocal ended
        global _depth
        with _lock:
            if ended:
                return
            ended = True
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
                allocated = gc.get_count()[0]
                if _bulk and allocated > SETTLE_AFTER:
                    gc.collect()
                elif allocated > gc.get_threshold()[0]:
                    gc.collect(0)

    return end


def collect_only_when_asked() -> None:
    """From now on the collector never runs on its own in this process: only :func:`collect_due`
    runs it, on the thread that calls it.

    A Qt GUI process needs this: an automatic collection runs on whichever thread happens to
    allocate, and when that is a worker thread and the garbage holds a Qt object's Python
    wrapper, Qt's destructor there takes Qt's connection lock and then waits for the interpreter
    lock, while the GUI thread, holding the interpreter lock, waits for Qt's lock (a deadlock a
    GUI test hit). The GUI collects on its own thread instead (``workers.gc_timer``). A pause in
    progress ends without switching the collector back on."""
    global _was_enabled
    with _lock:
        _was_enabled = False
        gc.disable()


def collect_due() -> int | None:
    """Run the collection the interpreter would have run by now (the youngest generation whose
    threshold is reached, as CPython picks it), unless a pause is in progress; the generation
    collected, or None."""
    with _lock:
        if _depth:
            return None
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] <= thresholds[0]:
        return None
    gen = 2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0
    gc.collect(gen)
    return gen

