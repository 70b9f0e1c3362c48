"""Orders adapter: REST shipment packages (listing, approve, split/combine, collection) and the
SOAP order services (detailed order list, order detail, shipment, combine/separate items,
invoice link). Talks to N11 only through a :class:`~.transport.Transport`;
:class:`~.client.N11Client` exposes its calls."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from . import _parse as P
from . import rest, soap
from .clock import to_epoch_ms, to_turkey
from .errors import MalformedResponseError, NotFoundError
from .limits import _MAX_PAGES
from .models import LineUpdateResult, PackageOperationResult, ShipmentPackage, SoapOrder, SoapOrderItem
from .transport import Transport

#: N11's REST package listing accepts at most 15 days per request and silently clamps a longer
#: window (API.md §6; lonca: to the LAST 15 days). Each request asks for less than that, so no
#: clamp can ever cut a window, and consecutive windows overlap, so a package stamped on a
#: window edge (or by a clock a little off) is read by both and yielded once.
N11_MAX_WINDOW = timedelta(days=15)
WINDOW_MARGIN = timedelta(hours=1)
WINDOW_OVERLAP = timedelta(minutes=10)
MAX_PACKAGE_WINDOW = N11_MAX_WINDOW - WINDOW_MARGIN
PACKAGE_PAGE_SIZE = 100


def _aware(value: datetime) -> datetime:
    if not isinstance(value, (datetime, date)):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    return to_turkey(value)  # naive = Turkish wall-clock time (N11's zone), see .clock


_epoch_ms = to_epoch_ms


#: carriers that collect at the seller, by the code collectionRequest takes (API.md §6)
COLLECTION_COMPANIES = {"HLZ": "Horoz", "CEVA": "Ceva", "BL": "Borusan"}


class _ReadAhead:
    """Iterates ``source`` (a generator of pages) one item ahead on a helper thread: the next
    item is being produced while the caller works on the current one. At most one item is
    produced at a time, always by the helper thread, so the source's client is never used by two
    threads at once; an exception of the source is raised to the caller at the item it replaces.
    ``close`` waits for the item in flight, then closes the source (nothing runs after it)."""

    def __init__(self, source: Iterator[Any]) -> None:
        self._source = source
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="n11-page-read-ahead")
        self._next: Future | None = self._pool.submit(self._step)
        self._closed = False

    def _step(self) -> tuple[bool, Any]:
        try:
            return True, next(self._source)
        except StopIteration:
            return False, None

    def __iter__(self) -> "_ReadAhead":
        return self

    def __next__(self) -> Any:
        if self._next is None:
            raise StopIteration
        more, item = self._next.result()  # re-raises the source's error here
        self._next = self._pool.submit(self._step) if more else None
        if not more:
            self.close()
            raise StopIteration
        return item

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        pending, self._next = self._next, None
        if pending is not None:
            try:
                pending.result()  # let the request in flight finish; its outcome is not wanted
            except BaseException:  # noqa: BLE001 - an error of a page nobody will read
                pass
        # the source generator is closed on the helper thread, the only thread that ran it
        self._pool.submit(self._source.close).result()
        self._pool.shutdown(wait=True)


class OrdersAPI:
    """Shipment packages (REST) and the SOAP order services."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
    # ================================================================== packages (REST orders)
    def iter_shipment_packages(
        self,
        start: datetime,
        end: datetime,
        *,
        status: str | None = None,
        order_number: str | None = None,
        by_last_modified: bool = False,
        read_ahead: bool = False,
    ) -> Iterator[ShipmentPackage]:
        """Packages between ``start`` and ``end`` (aware datetimes; naive ones are taken as
        Turkish time, N11's zone, see :mod:`.clock`).

        The range is split into windows of 15 days minus :data:`WINDOW_MARGIN` that overlap
        by :data:`WINDOW_OVERLAP`, each read in pages of 100;
        a package seen twice within this call is yielded once. ``by_last_modified`` filters
        on the last-modified date instead of the creation date.

        ``read_ahead``: the next page is requested (on a helper thread) as soon as a page's
        answer says there is one, while this page's rows are turned into packages and handed
        out, so N11's round trip does not wait for that work. The requests are the same and
        still one at a time (the transport is never used by two threads at once); an error of
        the next page is raised after this page's packages were yielded; closing the iterator
        waits for a request in flight.
        """
        begin, finish = _aware(start), _aware(end)
        if finish < begin:
            raise ValueError(f"package range ends ({finish:%d/%m/%Y %H:%M}) before it starts ({begin:%d/%m/%Y %H:%M})")
        path = "/rest/delivery/v1/shipmentPackages"
        op = f"GET {path}"

        def fetch(window_start: datetime, window_end: datetime, page: int) -> tuple[list, int | None]:
            params = {
                "startDate": _epoch_ms(window_start),
                "endDate": _epoch_ms(window_end),
                "page": page,
                "size": PACKAGE_PAGE_SIZE,
                "status": status,
                "orderNumber": order_number,
                "orderByField": "true" if by_last_modified else None,
                "orderByDirection": "ASC",
            }
            data = rest.expect_object(self._t.rest("GET", path, params=params, safe=True), op)
            rows, total_pages, _last = P.model(P.page, data, "package page", operation=op)
            return rows, total_pages

        def pages() -> Iterator[tuple[list, int | None]]:
            """(rows, total pages) of every page of every window, in order."""
            window_start = begin
            while True:
                window_end = min(window_start + MAX_PACKAGE_WINDOW, finish)
                page = 0
                while True:
                    rows, total_pages = fetch(window_start, window_end, page)
                    yield rows, total_pages
                    if not rows or (total_pages is not None and page + 1 >= total_pages):
                        break
                    if total_pages is None and len(rows) < PACKAGE_PAGE_SIZE:
                        break
                    page += 1
                    if page >= _MAX_PAGES:
                        raise MalformedResponseError("paging does not end", operation=op)
                if window_end >= finish:
                    return
                window_start = window_end - WINDOW_OVERLAP

        seen: set[Any] = set()
        source = _ReadAhead(pages()) if read_ahead else pages()
        try:
            for rows, _total in source:
                for row in rows:
                    pkg = P.model(P.shipment_package, row, operation=op)
                    key = pkg.id if pkg.id is not None else ("no-id", pkg.order_number, tuple(ln.line_id for ln in pkg.lines))
                    if key in seen:
                        continue
                    seen.add(key)
                    yield pkg
        finally:
            if isinstance(source, _ReadAhead):
                source.close()

    def approve_lines(self, line_ids: Sequence[int]) -> list[LineUpdateResult]:
        """Accept order lines (``PUT /rest/order/v1/update`` status Picking); one result per line."""
        ids = [int(x) for x in line_ids]
        if not ids:
            return []
        path = "/rest/order/v1/update"
        op = f"PUT {path}"
        data = self._t.rest(
            "PUT",
            path,
            payload={"lines": [{"lineId": x} for x in ids], "status": "Picking"},
            safe=False,  # a repeat would answer "already Picking": resolve by re-reading packages
            operation=op,
        )
        rows = rest.content_list(data, "content", op) if data is not None else []
        results: dict[int, LineUpdateResult] = {}
        for n, row in enumerate(rows):
            fallback = ids[n] if len(rows) == len(ids) else None
            res = P.model(P.line_update, row, fallback, operation=op)
            results[res.line_id] = res
        if not rows:
            return [LineUpdateResult(line_id=x, ok=True, message=None) for x in ids]
        return [
            results.get(x) or LineUpdateResult(line_id=x, ok=False, message="N11 returned no result for this line")
            for x in ids
        ]

    def _package_op(self, path: str, payload: Any) -> PackageOperationResult:
        op = f"POST {path}"
        data = self._t.rest("POST", path, payload=payload, safe=False, operation=op)
        packages: list[ShipmentPackage] = []
        message = None
        if isinstance(data, dict):
            rows = data.get("content") or data.get("packages") or data.get("shipmentPackages") or []
            if isinstance(rows, list):
                packages = [
                    P.model(P.shipment_package, r, operation=op)
                    for r in rows
                    if isinstance(r, dict) and r.get("orderNumber") is not None
                ]
            msg = data.get("message") or data.get("errorMessage")
            reasons = data.get("reasons")
            if isinstance(reasons, list) and reasons:
                msg = "; ".join(str(r) for r in reasons)
            message = str(msg) if msg is not None else None
        elif isinstance(data, list):
            packages = [
                P.model(P.shipment_package, r, operation=op)
                for r in data
                if isinstance(r, dict) and r.get("orderNumber") is not None
            ]
        return PackageOperationResult(ok=True, message=message, packages=tuple(packages), raw=data)

    def split_combine_package(self, groups: Sequence[Sequence[int]]) -> PackageOperationResult:
        """Split a Picking package into groups of order lines (``splitCombinePackage``)."""
        split = [[int(x) for x in group] for group in groups]
        if not split or any(not g for g in split):
            raise ValueError("split groups must be non-empty lists of order line ids")
        return self._package_op(
            "/rest/delivery/v1/splitCombinePackage",
            {"splitGroups": [{"orderLineIds": g} for g in split]},
        )

    def split_package_by_quantity(self, items: Sequence[tuple[int, int, int]]) -> PackageOperationResult:
        """Cancel quantities of lines (``splitPackageByQuantity``); items are
        ``(order_line_id, quantity, cancel_reason_id)`` with reason 61–65."""
        cancelled = []
        for n, item in enumerate(items):
            try:
                line_id, quantity, reason = (int(v) for v in item)
            except (TypeError, ValueError):
                raise ValueError(f"item #{n + 1} must be (order_line_id, quantity, cancel_reason_id)") from None
            if quantity <= 0:
                raise ValueError(f"item #{n + 1}: quantity to cancel must be positive (got {quantity})")
            cancelled.append({"orderLineId": line_id, "quantity": quantity, "cancelReasonId": reason})
        if not cancelled:
            raise ValueError("nothing to cancel")
        return self._package_op("/rest/delivery/v1/splitPackageByQuantity", {"cancelledItems": cancelled})

    def collection_request(
        self, package_id: int, line_id: int, box_quantity: int, desi: Any, company: str
    ) -> PackageOperationResult:
        """Ask the carrier to collect a package (``PUT /rest/delivery/v1/collectionRequest``):
        for shipment templates whose carrier picks up at the seller (Horoz ``HLZ``, Ceva
        ``CEVA``, Borusan ``BL``; API.md §6, 34Pazar notes). ``desi`` is the volumetric weight.
        The body's exact shape is [UNVERIFIED] beyond these field names (docs/n11-protocol.md)."""
        code = str(company or "").strip().upper()
        if code not in COLLECTION_COMPANIES:
            raise ValueError(
                f"collection requests are for {', '.join(f'{k} ({v})' for k, v in COLLECTION_COMPANIES.items())}; "
                f"got {company!r}"
            )
        boxes = int(box_quantity)
        if boxes < 1:
            raise ValueError(f"box quantity must be at least 1 (got {box_quantity})")
        weight = rest.money(desi, "desi")
        if weight <= 0:
            raise ValueError(f"desi must be greater than 0 (got {desi})")
        path = "/rest/delivery/v1/collectionRequest"
        payload = {
            "id": int(package_id),
            "orderLineId": int(line_id),
            "boxQuantity": boxes,
            "desi": weight,
            "shipmentCompany": code,
        }
        data = self._t.rest("PUT", path, payload=payload, safe=False, operation=f"PUT {path}")
        message = None
        if isinstance(data, dict):
            msg = data.get("message") or data.get("errorMessage")
            message = str(msg) if msg is not None else None
        return PackageOperationResult(ok=True, message=message, raw=data)

    # ================================================================== SOAP orders
    def detailed_order_list(
        self,
        status: str | None = None,
        start: date | None = None,
        end: date | None = None,
        *,
        page_size: int = 100,
        order_number: str | None = None,
    ) -> list[SoapOrder]:
        """OrderService ``DetailedOrderList`` (e.g. status ``LATE_SHIPMENT``), all pages.

        The envelope is valid against the WSDL: ``searchData`` (``OrderDataListRequest``) carries
        all ten elements in WSDL order, nil where nillable and empty, "" / false where not
        nillable; ``pagingData`` (``PagingData``) carries currentPage, pageSize, totalCount and
        pageCount (the last two nil). Whether N11 enforces the schema is unverified: a valid
        envelope is the safe choice (API.md §9)."""
        size = max(1, int(page_size))
        nil = soap.NIL

        def fields(page: int) -> dict:
            period = soap.period(start, end) or {}
            search = {
                "productId": nil,
                "status": status or nil,
                "buyerName": "",
                "orderNumber": str(order_number or ""),
                "productSellerCode": nil,
                "recipient": "",
                "sameDayDelivery": nil,
                "period": {"startDate": period.get("startDate") or nil, "endDate": period.get("endDate") or nil},
                "sortForUpdateDate": False,
                "updateDateSortOrder": nil,
            }
            paging = {"currentPage": page, "pageSize": size, "totalCount": nil, "pageCount": nil}
            return {"searchData": search, "pagingData": paging}

        return self._t.soap_pages(
            "OrderService", "DetailedOrderList", fields, "orderList", "order", P.soap_order, lambda o: o.id, size
        )

    def soap_item_ids(self, order_number: str, lines: Sequence[tuple[int, str | None]]) -> dict[int, int]:
        """SOAP ``orderItem.id`` of each REST order line of an order, for the SOAP-only calls
        (MakeOrderItemShipment, CombineItems, SeparateCombinedItems).

        No source says N11's REST ``orderLineId`` equals the SOAP ``orderItem.id``
        (docs/n11-protocol.md), so the order is read with ``DetailedOrderList`` (by order number)
        and each line ``(line_id, stock_code)`` is matched by what both records document: a SOAP
        item with the same id if there is one, else the one item with the same seller stock code.
        A line that matches nothing keeps its REST id (the assumption, logged by the caller)."""
        wanted = [(int(line_id), (str(code) if code is not None else None)) for line_id, code in lines]
        if not wanted:
            return {}
        orders = [o for o in self.detailed_order_list(order_number=str(order_number))
                  if o.order_number == str(order_number)]
        items = [it for o in orders for it in o.items]
        by_id = {it.id for it in items}
        out: dict[int, int] = {}
        taken: set[int] = set()
        for line_id, _code in wanted:
            if line_id in by_id:
                out[line_id] = line_id
                taken.add(line_id)
        for line_id, code in wanted:
            if line_id in out:
                continue
            same = [it.id for it in items if it.id not in taken and code is not None
                    and code in (it.seller_stock_code, it.product_seller_code)]
            if len(same) == 1 or (same and len([c for _l, c in wanted if c == code]) == 1):
                out[line_id] = same[0]
                taken.add(same[0])
        return out

    def order_detail(self, order_id: int) -> SoapOrder:
        """OrderService ``OrderDetail`` for an order id (not the order number)."""
        data = self._t.soap("OrderService", "OrderDetail", {"orderRequest": {"id": int(order_id)}}, safe=True)
        detail = data.get("orderDetail")
        if not isinstance(detail, dict):
            raise NotFoundError(f"order {order_id} not found", operation="OrderDetailRequest")
        return P.model(P.soap_order, detail, operation="OrderDetailRequest")

    def make_order_item_shipment(
        self, items: Sequence[tuple[int, int, str | None, str | None, int | str]]
    ) -> tuple[SoapOrderItem, ...]:
        """OrderService ``MakeOrderItemShipment``; items are
        ``(item_id, shipment_company_id, campaign_number, tracking_number, shipment_method)``."""
        order_items = []
        for n, item in enumerate(items):
            try:
                item_id, company_id, campaign, tracking, method = item
            except (TypeError, ValueError):
                raise ValueError(
                    f"item #{n + 1} must be (item_id, shipment_company_id, campaign_number, tracking_number, shipment_method)"
                ) from None
            order_items.append(
                {
                    "id": int(item_id),
                    "shipmentInfo": {
                        "shipmentCompany": {"id": int(company_id)},
                        "campaignNumber": campaign,
                        "trackingNumber": tracking,
                        "shipmentMethod": method,
                    },
                }
            )
        if not order_items:
            return ()
        data = self._t.soap(
            "OrderService", "MakeOrderItemShipment", {"orderItemList": {"orderItem": order_items}}, safe=False
        )
        rows = [r for r in soap.items_of(data.get("orderItemList"), "orderItem") if isinstance(r, dict)]
        return tuple(P.model(P.soap_order_item, r, operation="MakeOrderItemShipmentRequest") for r in rows)

    def _item_list(self, item_ids: Sequence[int]) -> dict:
        ids = [int(x) for x in item_ids]
        if not ids:
            raise ValueError("no order item ids given")
        return {"orderItemList": {"orderItem": [{"id": x} for x in ids]}}

    def combine_items(self, item_ids: Sequence[int]) -> None:
        """OrderService ``CombineItems`` (ship these items in one package)."""
        self._t.soap("OrderService", "CombineItems", self._item_list(item_ids), safe=False)

    def separate_combined_items(self, item_ids: Sequence[int]) -> None:
        """OrderService ``SeparateCombinedItems``."""
        self._t.soap("OrderService", "SeparateCombinedItems", self._item_list(item_ids), safe=False)

    def save_invoice_link(
        self,
        order_number: str,
        url: str,
        *,
        invoice_number: str | None = None,
        invoice_datetime: datetime | None = None,
        micro: bool = False,
    ) -> None:
        """SellerInvoiceService ``SaveLinkSellerInvoice`` (the invoice document URL of an order).

        N11 takes https links only (≤ 2048 characters). Micro-export orders (package
        ``micro: true``) also need ``invoiceNumber`` and ``invoiceDateTime`` (API.md §3.10, §9);
        ``micro=True`` without them is refused here, before anything is sent."""
        link = str(url or "").strip()
        parts = urlsplit(link)
        if parts.scheme.lower() != "https" or not parts.netloc:
            raise ValueError(f"invoice link must be an https:// URL (got {url!r})")
        if len(link) > 2048:
            raise ValueError("invoice link is longer than 2048 characters")
        if not str(order_number or "").strip():
            raise ValueError("order number is empty")
        number = str(invoice_number or "").strip() or None
        if micro and (number is None or invoice_datetime is None):
            raise ValueError("a micro-export order needs the invoice number and the invoice date and time")
        fields: dict[str, Any] = {"url": link, "orderNumber": str(order_number).strip()}
        if number is not None:
            fields["invoiceNumber"] = number
        if invoice_datetime is not None:
            fields["invoiceDateTime"] = to_turkey(invoice_datetime).strftime("%d/%m/%Y %H:%M:%S")
        self._t.soap("SellerInvoiceService", "SaveLinkSellerInvoice", fields, safe=False)
