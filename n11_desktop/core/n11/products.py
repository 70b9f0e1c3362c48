"""Products adapter (REST ``/ms/product``): posting product tasks (create, update, status,
delete, price-stock) in chunks of at most ``max_task_skus`` SKUs, and the product query.
Talks to N11 only through a :class:`~.transport.Transport`; :class:`~.client.N11Client`
exposes its calls. The results of a posted task are read with :mod:`.tasks`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from . import _parse as P
from . import rest
from .errors import MalformedResponseError, N11Error, TaskRejectedError
from .limits import _MAX_PAGES
from .models import RemoteProduct, TaskAck
from .transport import Transport

T = TypeVar("T")

PRODUCT_PAGE_MAX = 250


def _chunks(seq: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(seq), size):
        yield list(seq[start : start + size])



# --------------------------------------------------------------------------- task SKU rules
#: product-update ``status`` values (API.md §6, §9: start/stop selling without deleting)
UPDATE_STATUSES = ("Active", "Suspended")
#: product-update fields N11 documents (API.md §9); anything else is dropped, not sent
UPDATE_FIELDS = (
    "stockCode",
    "status",
    "preparingDay",
    "shipmentTemplate",
    "currencyType",
    "productMainId",
    "deleteProductMainId",
    "maxPurchaseQuantity",
    "deleteMaxPurchaseQuantity",
    "description",
    "vatRate",
)


def _sku_name(n: int, sku: Mapping[str, Any]) -> str:
    return f"SKU #{n + 1} ({sku.get('stockCode')})"


def _prepare_prices(n: int, sku: dict) -> dict:
    for key in ("salePrice", "listPrice"):
        if sku.get(key) is not None:
            sku[key] = rest.money(sku[key], f"{_sku_name(n, sku)}: {key}")
    return sku


def _prepare_create(n: int, sku: dict) -> dict:
    # (an empty description is stopped earlier, by Mapping Control; N11 fails such a SKU)
    return _prepare_prices(n, sku)


def _prepare_update(n: int, sku: dict) -> dict:
    status = sku.get("status")
    if status is not None and status not in UPDATE_STATUSES:
        raise ValueError(f"{_sku_name(n, sku)}: status must be Active or Suspended (got {status!r})")
    if "productMainId" in sku and sku["productMainId"] is not None:
        sku["deleteProductMainId"] = True
    if "maxPurchaseQuantity" in sku:
        # the flag makes N11 take the value; a None value with the flag clears the limit
        sku["deleteMaxPurchaseQuantity"] = True
    return {k: v for k, v in sku.items() if k in UPDATE_FIELDS and (v is not None or k == "maxPurchaseQuantity")}



class EncodedSku:
    """One SKU of a task, checked and encoded once (:func:`encode_sku`): posting it splices
    ``text`` into the request body instead of copying, checking and encoding the dict again."""

    __slots__ = ("op", "stock_code", "text")

    def __init__(self, op: str, stock_code: str, text: str) -> None:
        self.op = op  # a key of ENCODABLE: the task it was checked for
        self.stock_code = stock_code
        self.text = text


#: the operations whose SKUs may go out pre-encoded, with the check each SKU gets first
ENCODABLE = {"create": _prepare_create, "price_stock": _prepare_prices}


def encode_sku(op: str, sku: Mapping[str, Any]) -> EncodedSku:
    """``sku`` as :meth:`ProductsAPI.create_products` (``op`` ``create``) or
    :meth:`ProductsAPI.update_price_stock` (``price_stock``) would check and send it: the
    same checks (``ValueError`` with the same message, naming it SKU #1) and the same JSON."""
    if not isinstance(sku, Mapping):
        raise ValueError("SKU #1 is not a mapping")
    code = sku.get("stockCode")
    if code is None or not str(code).strip():
        raise ValueError("SKU #1 has no stockCode")
    return EncodedSku(op, str(code), rest.encode_text(ENCODABLE[op](0, dict(sku))))


class ProductsAPI:
    """Product tasks and the product query."""

    def __init__(self, transport: Transport, *, integrator: str = "n11-desktop", max_task_skus: int = 1000) -> None:
        if not 1 <= int(max_task_skus) <= 1000:
            raise ValueError("max_task_skus must be between 1 and 1000 (N11 accepts at most 1000 SKUs per task)")
        self._t = transport
        self.integrator = integrator
        self.max_task_skus = int(max_task_skus)

    def _post_tasks(
        self,
        path: str,
        skus: Sequence[Mapping[str, Any]],
        *,
        raise_on_reject: bool,
        prepare: Callable[[int, dict], dict] | None = None,
    ) -> list[TaskAck]:
        items = list(skus)
        if items and all(type(sku) is EncodedSku for sku in items):
            if any(ENCODABLE[sku.op] is not prepare for sku in items):
                raise ValueError(f"{path} takes SKUs encoded for its own task only")
            return self._post_encoded(path, items, raise_on_reject=raise_on_reject)
        for n, sku in enumerate(items):
            if not isinstance(sku, Mapping):
                raise ValueError(f"SKU #{n + 1} is not a mapping")
            code = sku.get("stockCode")
            if code is None or not str(code).strip():
                raise ValueError(f"SKU #{n + 1} has no stockCode")
        if prepare is not None:  # every SKU is checked before the first task goes out
            items = [prepare(n, dict(sku)) for n, sku in enumerate(items)]
        return self._post_chunks(path, items, raise_on_reject=raise_on_reject,
                                 codes=lambda chunk: tuple(str(s["stockCode"]) for s in chunk),
                                 body=lambda chunk: {"payload": {"integrator": self.integrator,
                                                                 "skus": [dict(s) for s in chunk]}})

    def _post_encoded(self, path: str, items: list[EncodedSku], *, raise_on_reject: bool) -> list[TaskAck]:
        """SKUs checked and encoded by :func:`encode_sku`: the body is their texts spliced into
        the envelope (the same bytes :func:`.rest.encode_json` makes of the dicts)."""
        head = '{"payload":{"integrator":' + rest.encode_text(self.integrator) + ',"skus":['
        return self._post_chunks(path, items, raise_on_reject=raise_on_reject,
                                 codes=lambda chunk: tuple(s.stock_code for s in chunk),
                                 body=lambda chunk: rest.RawJSON(
                                     (head + ",".join([s.text for s in chunk]) + "]}}").encode("utf-8")))

    def _post_chunks(self, path: str, items: list, *, raise_on_reject: bool, codes: Callable[[list], tuple],
                     body: Callable[[list], Any]) -> list[TaskAck]:
        acks: list[TaskAck] = []
        total = (len(items) + self.max_task_skus - 1) // self.max_task_skus
        for number, chunk in enumerate(_chunks(items, self.max_task_skus), start=1):
            op = f"POST {path} (task {number}/{total}, {len(chunk)} SKUs)"
            payload = body(chunk)
            codes_ = codes(chunk)
            try:
                data = self._t.rest("POST", path, payload=payload, safe=False, operation=op)
                if not isinstance(data, dict):
                    raise MalformedResponseError("task answer is not a JSON object", operation=op)
                ack = P.model(P.task_ack, data, codes_, operation=op)
            except N11Error as err:
                if isinstance(err, MalformedResponseError):
                    err.outcome_unknown = True
                err.acks = tuple(acks)
                raise
            acks.append(ack)
        if raise_on_reject:
            rejected = [a for a in acks if a.rejected]
            if rejected:
                first = rejected[0]
                reasons = "; ".join(first.reasons) or "no reason given"
                raise TaskRejectedError(
                    f"{len(rejected)} of {len(acks)} task(s) rejected; task {first.task_id}: {reasons}",
                    task_id=first.task_id,
                    code="REJECT",
                    http_status=200,
                    operation=f"POST {path}",
                    acks=tuple(acks),
                )
        return acks

    def create_products(self, skus: Sequence[Mapping[str, Any]], *, raise_on_reject: bool = True) -> list[TaskAck]:
        """Post product-create tasks (≤ ``max_task_skus`` SKUs each). See :meth:`update_price_stock`.

        Prices go out as exact numbers with two decimals (:func:`.rest.money`). N11 requires a
        description (it fails a SKU without one); Mapping Control keeps such products back."""
        return self._post_tasks(
            "/ms/product/tasks/product-create", skus, raise_on_reject=raise_on_reject, prepare=_prepare_create
        )

    def update_products(self, skus: Sequence[Mapping[str, Any]], *, raise_on_reject: bool = True) -> list[TaskAck]:
        """Post product-update tasks (``status`` Active/Suspended, description, vatRate, ...).

        N11 applies ``productMainId`` only together with ``deleteProductMainId: true`` and
        ``maxPurchaseQuantity`` only with ``deleteMaxPurchaseQuantity: true`` (without the flag
        it answers SUCCESS and changes nothing): the flags are added whenever the field is sent.
        ``attributes`` is not a product-update field on N11 and is never sent here (attribute
        changes go through product-create with the same stock code, see
        :meth:`create_products`)."""
        return self._post_tasks(
            "/ms/product/tasks/product-update", skus, raise_on_reject=raise_on_reject, prepare=_prepare_update
        )

    def set_products_status(
        self, stock_codes: Sequence[str], status: str, vat_rates: Mapping[str, int], *, raise_on_reject: bool = True
    ) -> list[TaskAck]:
        """Pause (``Suspended``) or resume (``Active``) selling without deleting: product-update
        with ``status``. ``vat_rates`` maps each stock code to its VAT rate (N11 requires
        ``vatRate`` on every product-update SKU)."""
        if isinstance(stock_codes, str):
            raise TypeError("set_products_status expects a list of stock codes, not one string")
        if status not in UPDATE_STATUSES:
            raise ValueError(f"status must be one of {', '.join(UPDATE_STATUSES)} (got {status!r})")
        skus = []
        for code in stock_codes:
            if str(code) not in vat_rates or vat_rates[str(code)] is None:
                raise ValueError(f"no VAT rate for {code}: N11 requires vatRate on product-update")
            skus.append({"stockCode": str(code), "status": status, "vatRate": int(vat_rates[str(code)])})
        return self.update_products(skus, raise_on_reject=raise_on_reject)

    def delete_products(self, stock_codes: Sequence[str], *, raise_on_reject: bool = True) -> list[TaskAck]:
        """Post product-delete tasks for these stock codes."""
        if isinstance(stock_codes, str):
            raise TypeError("delete_products expects a list of stock codes, not one string")
        return self._post_tasks(
            "/ms/product/tasks/product-delete",
            [{"stockCode": str(c)} for c in stock_codes],
            raise_on_reject=raise_on_reject,
        )

    def update_price_stock(self, items: Sequence[Mapping[str, Any]], *, raise_on_reject: bool = True) -> list[TaskAck]:
        """Post price-stock-update tasks; items are ``{stockCode, listPrice?, salePrice?, quantity?,
        currencyType?}`` (prices together).

        Split automatically into tasks of ≤ ``max_task_skus``; returns one :class:`TaskAck` per
        task in order. If a task comes back ``REJECT`` (and ``raise_on_reject``), all tasks are
        still posted and then :class:`TaskRejectedError` is raised with every ack in ``.acks``.
        If a post fails, the error carries the acks of the tasks already accepted in ``.acks``
        and the remaining tasks are not posted; a timeout/5xx/dropped connection on a post
        sets ``outcome_unknown=True`` (never re-posted automatically).
        """
        return self._post_tasks(
            "/ms/product/tasks/price-stock-update", items, raise_on_reject=raise_on_reject, prepare=_prepare_prices
        )

    def query_products(
        self,
        *,
        stock_code: str | None = None,
        product_main_id: str | None = None,
        status: str | None = None,
        sale_status: str | None = None,
        page_size: int = PRODUCT_PAGE_MAX,
    ) -> Iterator[RemoteProduct]:
        """Products on N11 (``GET /ms/product-query``), following pages to the end (lazy)."""
        size = max(1, min(int(page_size), PRODUCT_PAGE_MAX))
        op = "GET /ms/product-query"
        page = 0
        while True:
            params = {
                "stockCode": stock_code,
                "productMainId": product_main_id,
                "productStatus": status,
                "saleStatus": sale_status,
                "page": page,
                "size": size,
            }
            data = rest.expect_object(self._t.rest("GET", "/ms/product-query", params=params, safe=True), op)
            rows, total_pages, last = P.model(P.page, data, "product page", operation=op)
            for row in rows:
                yield P.model(P.remote_product, row, operation=op)
            if not rows or last is True or (total_pages is not None and page + 1 >= total_pages):
                return
            if total_pages is None and last is None and len(rows) < size:
                return
            page += 1
            if page >= _MAX_PAGES:
                raise MalformedResponseError("paging does not end", operation=op)

    def product_query_page(self, page: int, size: int = PRODUCT_PAGE_MAX
                           ) -> tuple[list[RemoteProduct], int | None, bool, int | None]:
        """One page of the whole store's product-query: (products, total pages, last page?, total elements).

        The snapshot sync (``core.remote_sync``) pages with this so it can resume at a page."""
        size = max(1, min(int(size), PRODUCT_PAGE_MAX))
        op = "GET /ms/product-query"
        data = rest.expect_object(self._t.rest("GET", "/ms/product-query", params={"page": int(page), "size": size},
                                            safe=True), op)
        rows, total_pages, last = P.model(P.page, data, "product page", operation=op)
        products = [P.model(P.remote_product, row, operation=op) for row in rows]
        done = (not rows or last is True or (total_pages is not None and page + 1 >= total_pages)
                or (total_pages is None and last is None and len(rows) < size))
        total = data.get("totalElements")
        total = total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None
        return products, total_pages, bool(done), total

    def get_remote_product(self, stock_code: str) -> RemoteProduct | None:
        """The product with this stock code on N11, or ``None``."""
        code = str(stock_code)
        found = None
        pages = self.query_products(stock_code=code, page_size=20)
        try:
            for product in pages:
                if product.stock_code == code:
                    found = product
                    break
        finally:
            pages.close()
        return found

    def query_product_page(
        self,
        page: int,
        *,
        category_ids: Sequence[int] = (),
        page_size: int = PRODUCT_PAGE_MAX,
    ) -> tuple[list[RemoteProduct], int | None, bool]:
        """One page of ``GET /ms/product-query`` filtered by N11 categories (``categoryIds``):
        ``(products, total_pages or None, last)``. The caller decides from the first page's
        ``total_pages`` whether reading the rest is worth it (recovery of lost acknowledgements)."""
        size = max(1, min(int(page_size), PRODUCT_PAGE_MAX))
        op = "GET /ms/product-query"
        params = {"categoryIds": ",".join(str(int(c)) for c in category_ids) or None, "page": int(page), "size": size}
        data = rest.expect_object(self._t.rest("GET", "/ms/product-query", params=params, safe=True), op)
        rows, total_pages, last = P.model(P.page, data, "product page", operation=op)
        products = [P.model(P.remote_product, row, operation=op) for row in rows]
        ended = (not rows or last is True or (total_pages is not None and page + 1 >= total_pages)
                 or (total_pages is None and last is None and len(rows) < size))
        return products, total_pages, bool(ended)

