"""What sending products needs from N11, as a Protocol (:class:`N11Port`).

:mod:`n11_desktop.core.batches` is typed against this port instead of the concrete
:class:`~.client.N11Client` (which satisfies it): the product tasks, their results and the
product query used to resolve lost acknowledgements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .models import RemoteProduct, TaskAck, TaskResult

__all__ = ["N11Port"]


class N11Port(Protocol):
    """The N11 calls of the product batches (see :class:`~.client.N11Client` for each)."""

    def create_products(self, skus: Sequence[Mapping[str, Any]], *, raise_on_reject: bool = True
                        ) -> list[TaskAck]: ...

    def update_products(self, skus: Sequence[Mapping[str, Any]], *, raise_on_reject: bool = True
                        ) -> list[TaskAck]: ...

    def delete_products(self, stock_codes: Sequence[str], *, raise_on_reject: bool = True) -> list[TaskAck]: ...

    def update_price_stock(self, items: Sequence[Mapping[str, Any]], *, raise_on_reject: bool = True
                           ) -> list[TaskAck]: ...

    def get_task_result(self, task_id: int) -> TaskResult: ...

    def get_remote_product(self, stock_code: str) -> RemoteProduct | None: ...

    def query_product_page(self, page: int, *, category_ids: Sequence[int] = (), page_size: int = ...
                           ) -> tuple[list[RemoteProduct], int | None, bool]: ...
