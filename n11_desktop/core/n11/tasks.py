"""Tasks adapter (REST ``task-details/page-query``): the status and per-SKU results of a posted
product task. Talks to N11 only through a :class:`~.transport.Transport`;
:class:`~.client.N11Client` exposes its call."""

from __future__ import annotations

from . import _parse as P
from . import rest
from .errors import MalformedResponseError
from .limits import _MAX_PAGES
from .models import TaskResult, TaskSkuResult
from .transport import Transport

#: the largest page of task details N11 serves
TASK_PAGE_SIZE = 1000


class TasksAPI:
    """Results of posted product tasks."""

    def __init__(self, transport: Transport, *, page_size: int = TASK_PAGE_SIZE) -> None:
        self._t = transport
        self.page_size = max(1, min(int(page_size), TASK_PAGE_SIZE))

    def get_task_result(self, task_id: int) -> TaskResult:
        """Task status and per-SKU results (all pages of ``task-details/page-query``)."""
        tid = int(task_id)
        path = "/ms/product/task-details/page-query"
        op = f"POST {path} (task {tid})"
        page = 0
        status = ""
        reasons: tuple[str, ...] = ()
        skus: list[TaskSkuResult] = []
        while True:
            data = self._t.rest(
                "POST",
                path,
                payload={"taskId": tid, "pageable": {"page": page, "size": self.page_size}},
                safe=True,
                operation=op,
            )
            data = rest.expect_object(data, op)
            if data.get("status") is None:
                raise MalformedResponseError("task details have no status", operation=op)
            status, reasons, rows, total_pages, last = P.model(P.task_result_page, data, operation=op)
            skus.extend(P.model(P.task_skus, rows, operation=op))
            if not rows or last is True or (total_pages is not None and page + 1 >= total_pages):
                break
            if total_pages is None and last is None and len(rows) < self.page_size:
                break
            page += 1
            if page >= _MAX_PAGES:
                raise MalformedResponseError("paging does not end", operation=op)
        return TaskResult(task_id=tid, status=status, skus=tuple(skus), reasons=reasons)
