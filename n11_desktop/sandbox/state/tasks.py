"""Product tasks of the sandbox: accepting a task (or rejecting it as N11 does), processing
it when due (each SKU through the product rules of :mod:`.products`) and the paged task
details."""

from __future__ import annotations

import heapq
import itertools
import json
import time
import zlib

from . import clock
from .common import MAX_SKUS_PER_TASK, UPDATE_FORBIDDEN, _copy_tree

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # what the REST replies use (json.dumps)


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

    def _reset_tasks(self) -> None:
        self.tasks: dict[int, Task] = {}
        self._task_ids = itertools.count(270_000_001)
        self._queue: list[tuple[float, int]] = []  # heap of (due, id) of tasks IN_QUEUE

    def _new_task(self, ttype: str, skus: list, status: str, reasons: list[str]) -> Task:
        tid = next(self._task_ids)
        task = Task(id=tid, type=ttype, status=status, reasons=reasons, skus_in=skus,
                    results=[], createdDate=clock.now_ms(),
                    due=time.monotonic() + self.task_delay_ms / 1000.0)
        self.tasks[tid] = task
        return task

    def _run_due_tasks(self, mono: float) -> None:
        """Process every queued task that is due (``tick``), in the order they were posted."""
        due = []
        while self._queue and self._queue[0][0] <= mono:
            due.append(heapq.heappop(self._queue)[1])
        for tid in sorted(due):
            task = self.tasks.get(tid)
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
                self._keep_posted(task, body)
                if self.task_delay_ms <= 0:
                    self._process_task(task)
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
            for task in self.tasks.values():
                if task["status"] == "IN_QUEUE":
                    self._process_task(task)
                    n += 1
            return n

    def _process_task(self, task: dict) -> None:
        kind = task.get("kind")
        handler = {"product-create": self._do_create, "product-update": self._do_update,
                   "product-delete": self._do_delete,
                   "price-stock-update": self._do_price_stock}[kind]
        seen: set[str] = set()
        results = []
        for sku in task["skus_in"]:
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
        try:
            task["_results_z"] = zlib.compress(_ENCODE(results).encode("utf-8"), 1)
            task["_n_results"] = len(results)
            del task["results"]
        except (TypeError, ValueError):  # not JSON: kept as they are
            task["results"] = results
        if "_body_z" in task:
            del task["skus_in"]
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
            task = self.tasks.get(task_id)
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
