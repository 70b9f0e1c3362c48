"""Product tasks of the sandbox: accepting a task (or rejecting it as N11 does), processing
it when due (each SKU through the product rules of :mod:`.products`) and the paged task
details."""

from __future__ import annotations

import itertools
import time

from . import clock
from .common import MAX_SKUS_PER_TASK, UPDATE_FORBIDDEN, _copy_tree


class TasksState:
    """Product tasks (part of :class:`~.SandboxState`, under its lock). Owns ``tasks``;
    each SKU is applied by the products state (``_do_create``, ``_do_update``, ...)."""

    def _reset_tasks(self) -> None:
        self.tasks: dict[int, dict] = {}
        self._task_ids = itertools.count(270_000_001)

    def _new_task(self, ttype: str, skus: list, status: str, reasons: list[str]) -> dict:
        tid = next(self._task_ids)
        task = {"id": tid, "type": ttype, "status": status, "reasons": reasons,
                "skus_in": skus, "results": [], "createdDate": clock.now_ms(),
                "due": time.monotonic() + self.task_delay_ms / 1000.0}
        self.tasks[tid] = task
        return task

    def submit_task(self, kind: str, payload) -> dict:
        """kind: product-create|product-update|product-delete|price-stock-update. → ack"""
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
                task = self._new_task(ttype, _copy_tree(skus), "IN_QUEUE",
                                      [f"{len(skus)} sku işlenmeye alındı."])
                task["kind"] = kind
                if self.task_delay_ms <= 0:
                    self._process_task(task)
            return {"id": task["id"], "type": ttype,
                    "status": "REJECT" if task["status"] == "REJECT" else "IN_QUEUE",
                    "reasons": list(task["reasons"])}

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
        task["results"] = results
        task["status"] = "PROCESSED"
        task["processedDate"] = clock.now_ms()

    # validation helpers -------------------------------------------------------
    def task_details(self, task_id, page: int = 0, size: int = 1000) -> dict | None:
        with self.lock:
            self.tick()
            task = self.tasks.get(task_id)
            if task is None:
                return None
            rows = task["results"] if task["status"] == "PROCESSED" else []
            size = max(1, size)
            chunk = rows[page * size:(page + 1) * size]
            total_pages = (len(rows) + size - 1) // size
            return {"taskId": task["id"], "createdDate": clock.fmt_ms(task["createdDate"], "%d-%m-%Y %H:%M:%S"),
                    "modifiedDate": clock.fmt_ms(task.get("processedDate", task["createdDate"]),
                                           "%d-%m-%Y %H:%M:%S"),
                    "status": task["status"], "reasons": list(task["reasons"]),
                    "skus": {"content": _copy_tree(chunk),
                             "pageable": {"pageNumber": page, "pageSize": size},
                             "totalElements": len(rows), "totalPages": total_pages,
                             "number": page, "size": size, "numberOfElements": len(chunk),
                             "first": page == 0, "last": page >= total_pages - 1,
                             "empty": not chunk}}
