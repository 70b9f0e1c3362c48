"""Product tasks of the sandbox: accepting a task (or rejecting it as N11 does), processing
it when due (each SKU through the product rules of :mod:`.products`) and the paged task
details.

As on N11, a post is answered with the task's id before the task is processed. A task
accepted with no delay (``task_delay_ms`` 0) is processed after the acknowledgement, by the
server's task worker (:meth:`TasksState.work_step`) or, whichever comes first, by the next
caller of the state: taking :attr:`~.SandboxState.lock` first finishes every such task (see
:class:`StateLock`), so whatever looks at tasks, products or orders afterwards sees them
processed exactly as if the post itself had processed them, in the order they were posted."""

from __future__ import annotations

import collections
import heapq
import itertools
import json
import threading
import time
import zlib

from ...gcpause import pause as gc_pause
from . import clock
from .common import MAX_SKUS_PER_TASK, UPDATE_FORBIDDEN, _copy_tree

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # what the REST replies use (json.dumps)

#: SKUs a task worker processes at a time, holding the state's lock (~3 ms at 30 µs a SKU)
CHUNK = 100


class StateLock:
    """The sandbox state's re-entrant lock. Whoever takes it (``with state.lock:``) first
    finishes the tasks already accepted for processing (:meth:`TasksState._settle`): a request
    or a test that looks at the state after a post never sees that post's task unprocessed.
    :attr:`plain` is the same lock without that step, for what must not wait for task
    processing and cannot observe it (the request log and fault draws, taken before N11's
    latency)."""

    __slots__ = ("plain", "_settle")

    def __init__(self, settle) -> None:
        self.plain = threading.RLock()
        self._settle = settle

    def __enter__(self) -> bool:
        self.plain.acquire()
        try:
            self._settle()
        except BaseException:
            self.plain.release()
            raise
        return True

    def __exit__(self, *exc) -> None:
        self.plain.release()


class Task(dict):
    """A product task. What no endpoint reads but tests look at is kept compact and decoded on
    access: ``task["skus_in"]`` (the SKUs as posted: the request body, zlib-compressed) and
    ``task["results"]`` (the per-SKU results as the JSON text task-details sends, compressed).
    100 tasks of 1000 SKUs held ~300 MB of dicts this way ~15 MB."""

    __slots__ = ()

    def __missing__(self, key):
        if key == "skus_in" and "_body_z" in self:
            doc = json.loads(zlib.decompress(self["_body_z"]).decode("utf-8"))
            return doc["payload"]["skus"] if self["_from_body"] else doc
        if key == "results" and "_results_z" in self:
            return json.loads(self.results_json())
        raise KeyError(key)

    def results_json(self) -> str:
        """The JSON text of all the task's results (``[]`` before it is processed)."""
        if "_results_z" in self:
            return zlib.decompress(self["_results_z"]).decode("utf-8")
        return _ENCODE(self.get("results", []))

    def result_count(self) -> int:
        return self["_n_results"] if "_results_z" in self else len(self.get("results", []))


class TasksState:
    """Product tasks (part of :class:`~.SandboxState`, under its lock). Owns ``tasks``;
    each SKU is applied by the products state (``_do_create``, ``_do_update``, ...)."""

    def _init_tasks(self) -> None:
        """Before the first reset: what :meth:`_settle` looks at and the worker's signal."""
        self._due_now: collections.deque[int] = collections.deque()
        self._current = None  # the task being processed: a generator of its chunks
        self._processing = False  # True while the lock's holder is processing a task
        self._gc_end = None  # ends the collector's pause held while tasks wait for the worker
        self.task_worker: threading.Event | None = None  # set: the server's worker has work

    def _reset_tasks(self) -> None:
        self._tasks: dict[int, Task] = {}
        self._task_ids = itertools.count(270_000_001)
        self._queue: list[tuple[float, int]] = []  # heap of (due, id) of tasks IN_QUEUE
        # (reset holds the lock: every accepted task is processed, the deque is empty)
        self._due_now.clear()

    @property
    def tasks(self) -> dict[int, Task]:
        """Task id → task, every task accepted so far processed if it is due."""
        with self.lock:
            return self._tasks

    def _new_task(self, ttype: str, skus: list, status: str, reasons: list[str]) -> Task:
        tid = next(self._task_ids)
        task = Task(id=tid, type=ttype, status=status, reasons=reasons, skus_in=skus,
                    results=[], createdDate=clock.now_ms(),
                    due=time.monotonic() + self.task_delay_ms / 1000.0)
        self._tasks[tid] = task
        return task

    def _run_due_tasks(self, mono: float) -> None:
        """Process every queued task that is due (``tick``), in the order they were posted."""
        due = []
        while self._queue and self._queue[0][0] <= mono:
            due.append(heapq.heappop(self._queue)[1])
        for tid in sorted(due):
            task = self._tasks.get(tid)
            if task is not None and task["status"] == "IN_QUEUE":
                self._process_task(task)

    def submit_task(self, kind: str, payload, body: bytes | None = None) -> dict:
        """kind: product-create|product-update|product-delete|price-stock-update. → ack

        ``body``: the request body ``payload`` was parsed from (``{"payload": …}``), kept
        compressed as the task's record of what was posted instead of a copy of the SKUs."""
        ttype = {"product-create": "PRODUCT_CREATE", "product-update": "PRODUCT_UPDATE",
                 "product-delete": "PRODUCT_DELETE", "price-stock-update": "SKU_UPDATE"}[kind]
        with self.lock:
            self.tick()
            reasons: list[str] = []
            skus = None
            if not isinstance(payload, dict):
                reasons.append("payload alanı boş olamaz.")
            else:
                integrator = payload.get("integrator")
                skus = payload.get("skus")
                if not isinstance(integrator, str) or not integrator.strip():
                    reasons.append("integrator alanı boş olamaz.")
                if not isinstance(skus, list) or not skus:
                    reasons.append("skus alanı boş olamaz.")
                    skus = None
                elif len(skus) > MAX_SKUS_PER_TASK:
                    reasons.append(f"Bir istekte en fazla {MAX_SKUS_PER_TASK} sku gönderilebilir. "
                                   f"Gönderilen: {len(skus)}")
                elif not all(isinstance(s, dict) for s in skus):
                    reasons.append("skus listesi geçersiz.")
                elif kind == "product-update":
                    # title/categoryId are create-only: sent in an update, the task is REJECTed
                    # (34Pazar notes citing N11 doc v9.0 §3.6). attributes is not in the
                    # documented update list either; the sandbox takes the strict reading.
                    extra = sorted({k for s in skus for k in s} & UPDATE_FORBIDDEN)
                    if extra:
                        reasons.append(f"Ürün güncellemede gönderilemeyen alan(lar): {', '.join(extra)}. "
                                       "Bu alanlar yalnızca ürün oluşturmada (product-create) kullanılır.")
            if reasons:
                task = self._new_task(ttype, skus or [], "REJECT", reasons)
            else:
                task = self._new_task(ttype, skus if body is not None else _copy_tree(skus),
                                      "IN_QUEUE", [f"{len(skus)} sku işlenmeye alındı."])
                task["kind"] = kind
                if body is not None:
                    task["_body"] = body  # compressed when processed, not on the request's time
                else:
                    self._keep_posted(task, None)
                if self.task_delay_ms <= 0:
                    # processed after the acknowledgement (N11 answers with the id first)
                    self._due_now.append(task["id"])
                    worker = self.task_worker
                    if worker is not None:
                        if self._gc_end is None:
                            # the parsed SKUs live on until the worker is done with them: no
                            # collection meanwhile promotes them (see gcpause), as when the
                            # request processed them under its own pause
                            self._gc_end = gc_pause(bulk=False)
                        worker.set()
                else:
                    heapq.heappush(self._queue, (task["due"], task["id"]))
            return {"id": task["id"], "type": ttype,
                    "status": "REJECT" if task["status"] == "REJECT" else "IN_QUEUE",
                    "reasons": list(task["reasons"])}

    @staticmethod
    def _keep_posted(task: Task, body: bytes | None) -> None:
        """Record the posted SKUs compactly (read back by ``task["skus_in"]``); the parsed
        list stays only until the task is processed."""
        try:
            raw = body if body is not None else _ENCODE(task["skus_in"]).encode("utf-8")
        except (TypeError, ValueError):
            return  # not JSON (a direct caller's odd values): the list itself is kept
        task["_body_z"] = zlib.compress(raw, 1)
        task["_from_body"] = body is not None

    def process_tasks_now(self) -> int:
        with self.lock:
            n = 0
            for task in self._tasks.values():
                if task["status"] == "IN_QUEUE":
                    self._process_task(task)
                    n += 1
            return n

    # processing after the acknowledgement ---------------------------------------------

    def _settle(self) -> None:
        """Finish every task accepted for processing (the one the worker is in the middle of
        first, then the rest in the order posted). Runs as the lock is taken; nothing to do
        while this thread is itself processing a task."""
        if self._processing or (self._current is None and not self._due_now):
            return
        self._processing = True
        try:
            while True:
                if self._current is not None:
                    try:
                        for _ in self._current:
                            pass
                    finally:
                        self._current = None
                if not self._due_now:
                    break
                task = self._tasks.get(self._due_now.popleft())
                if task is not None and task["status"] == "IN_QUEUE":
                    self._current = self._task_chunks(task)
        finally:
            self._processing = False
            self._idle()

    def work_step(self) -> bool:
        """Process the next chunk of the tasks accepted for processing (the task worker's
        step, holding the lock for one chunk only); False when nothing is left."""
        with self.lock.plain:
            if self._processing:
                return True
            self._processing = True
            try:
                if self._current is None:
                    if not self._due_now:
                        return False
                    task = self._tasks.get(self._due_now.popleft())
                    if task is None or task["status"] != "IN_QUEUE":
                        return True
                    self._current = self._task_chunks(task)
                try:
                    next(self._current)
                except StopIteration:
                    self._current = None
                except BaseException:
                    self._current = None
                    raise
                return True
            finally:
                self._processing = False
                self._idle()

    def _idle(self) -> None:
        """Nothing left to process: end the collector's pause held for the waiting tasks."""
        if self._gc_end is not None and self._current is None and not self._due_now:
            end, self._gc_end = self._gc_end, None
            end()

    def _process_task(self, task: dict) -> None:
        for _ in self._task_chunks(task):
            pass

    def _task_chunks(self, task: dict):
        """Process ``task``, yielding after every :data:`CHUNK` SKUs (a generator: a worker
        step runs one chunk; whoever takes the lock meanwhile finishes the task)."""
        if "_body" in task:
            self._keep_posted(task, task.pop("_body"))
        kind = task.get("kind")
        handler = {"product-create": self._do_create, "product-update": self._do_update,
                   "product-delete": self._do_delete,
                   "price-stock-update": self._do_price_stock}[kind]
        seen: set[str] = set()
        results = []
        skus = task["skus_in"]
        consume = "_body_z" in task
        if consume:  # the posted SKUs are kept compressed: each parsed one goes once it is done
            del task["skus_in"]
        n = 0
        for sku in skus:
            code = sku.get("stockCode")
            code = str(code) if code is not None else ""
            sku_view = {"salePrice": sku.get("salePrice"), "listPrice": sku.get("listPrice"),
                        "stock": sku.get("quantity")}
            if code and code in seen:
                reasons = [f"Aynı stok kodu ({code}) istek içinde birden fazla kez gönderilmiştir."]
            else:
                seen.add(code)
                try:
                    reasons = handler(sku)
                except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
                    # Odd value types must fail this SKU, never the whole sandbox.
                    reasons = [f"Sku verisi geçersiz: {type(exc).__name__}"]
            if kind == "price-stock-update":
                # N11 reports these inside the sku block (TradeXpress client; API.md §9)
                sku_view["reasons"] = reasons
                reasons = []
            results.append({"itemCode": code, "status": "FAIL" if sku_view.get("reasons") or reasons
                            else "SUCCESS", "sku": sku_view, "reasons": reasons})
            if consume:
                skus[n] = None
            n += 1
            if n % CHUNK == 0:
                yield
        try:
            task["_results_z"] = zlib.compress(_ENCODE(results).encode("utf-8"), 1)
            task["_n_results"] = len(results)
            del task["results"]
        except (TypeError, ValueError):  # not JSON: kept as they are
            task["results"] = results
        task["status"] = "PROCESSED"
        task["processedDate"] = clock.now_ms()

    def task_details(self, task_id, page: int = 0, size: int = 1000) -> dict | None:
        body = self.task_details_json(task_id, page, size)
        return None if body is None else json.loads(body)

    def task_details_json(self, task_id, page: int = 0, size: int = 1000) -> bytes | None:
        """The task-details page as the JSON reply body (None: no such task). The results are
        spliced in as the stored JSON text, not decoded and encoded again."""
        with self.lock:
            self.tick()
            task = self._tasks.get(task_id)
            if task is None:
                return None
            processed = task["status"] == "PROCESSED"
            total = task.result_count() if processed else 0
            size = max(1, size)
            start, stop = page * size, (page + 1) * size
            if not processed or start >= total:
                content, n = "[]", 0
            elif start == 0 and stop >= total:
                content, n = task.results_json(), total
            else:
                chunk = json.loads(task.results_json())[start:stop]
                content, n = _ENCODE(chunk), len(chunk)
            total_pages = (total + size - 1) // size
            head = _ENCODE({"taskId": task["id"],
                            "createdDate": clock.fmt_ms(task["createdDate"], "%d-%m-%Y %H:%M:%S"),
                            "modifiedDate": clock.fmt_ms(task.get("processedDate", task["createdDate"]),
                                                         "%d-%m-%Y %H:%M:%S"),
                            "status": task["status"], "reasons": list(task["reasons"])})
            tail = _ENCODE({"pageable": {"pageNumber": page, "pageSize": size},
                            "totalElements": total, "totalPages": total_pages,
                            "number": page, "size": size, "numberOfElements": n,
                            "first": page == 0, "last": page >= total_pages - 1,
                            "empty": n == 0})
        return (head[:-1] + ', "skus": {"content": ' + content + ", " + tail[1:] + "}").encode("utf-8")
