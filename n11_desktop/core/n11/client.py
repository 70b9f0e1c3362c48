"""N11 client: the only code in n11-desktop that speaks to N11 (REST and SOAP).

:class:`N11Client` is the one object the flows use. It composes a :class:`~.transport.Transport`
(auth, retries, rate limits, redaction, the raw exchange log) with one adapter per resource, each
of which talks to N11 only through that transport:

- :mod:`.categories`: category tree, category attributes (REST);
- :mod:`.products`: product tasks (create, update, status, delete, price-stock) and the
  product query (REST);
- :mod:`.tasks`: results of posted product tasks (REST);
- :mod:`.orders`: shipment packages (REST) and the SOAP order services, invoice link;
- :mod:`.claims`: cancellation and return requests (SOAP);
- :mod:`.reference`: cities, cargo companies, shipment templates (SOAP).

Which API each call uses follows DESIGN §4.1. The client's methods are the adapters' methods
(same names, arguments and documentation); the adapters are also reachable as attributes
(``client.orders``, ``client.products``, ...).

Threading: a client owns one ``requests.Session`` and must be used by one thread at a time
(create one client per worker). Results are frozen dataclasses (:mod:`.models`) and can be
handed to other threads. The reliability rules are in :mod:`.transport`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar

from .categories import CategoriesAPI
from .claims import ClaimsAPI
from .orders import OrdersAPI
from .products import PRODUCT_PAGE_MAX, UPDATE_FIELDS, UPDATE_STATUSES, ProductsAPI
from .reference import ReferenceAPI
from .tasks import TASK_PAGE_SIZE, TasksAPI
from .transport import REDACTED, Exchange, Transport, redact

__all__ = [
    "N11Client",
    "Exchange",
    "redact",
    "client_from_config",
    "REDACTED",
    # the product rules, re-exported for callers that read them here
    "PRODUCT_PAGE_MAX",
    "TASK_PAGE_SIZE",
    "UPDATE_FIELDS",
    "UPDATE_STATUSES",
]

_Args = ParamSpec("_Args")
_R = TypeVar("_R")
_A = TypeVar("_A")


def _via(adapter: str, fn: Callable[Concatenate[_A, _Args], _R]) -> Callable[Concatenate[Any, _Args], _R]:
    """A client method that calls ``fn`` on the client's ``adapter`` (same name, signature and
    documentation as the adapter's method)."""

    @functools.wraps(fn)
    def method(self: Any, *args: _Args.args, **kwargs: _Args.kwargs) -> _R:
        return fn(getattr(self, adapter), *args, **kwargs)

    return method


class N11Client:
    """Client for N11's seller API (one thread at a time; see module doc)."""

    def __init__(
        self,
        base_url: str,
        app_key: str,
        app_secret: str,
        *,
        integrator: str = "n11-desktop",
        max_task_skus: int = 1000,
        task_page_size: int = TASK_PAGE_SIZE,
        **transport: Any,
    ) -> None:
        """``transport`` holds the :class:`~.transport.Transport` options: ``timeout``,
        ``retries``, ``backoff``, ``session``, ``on_exchange``, ``sleep``, ``clock``,
        ``max_response_bytes``, ``total_timeout``, ``max_retry_after``, ``log_body_limit``."""
        t = Transport(base_url, app_key, app_secret, **transport)
        try:
            self.products = ProductsAPI(t, integrator=integrator, max_task_skus=max_task_skus)
        except ValueError:
            t.close()
            raise
        self.transport = t
        self.categories = CategoriesAPI(t)
        self.tasks = TasksAPI(t, page_size=task_page_size)
        self.orders = OrdersAPI(t)
        self.claims = ClaimsAPI(t)
        self.reference = ReferenceAPI(t)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the HTTP session if this client created it."""
        self.transport.close()

    def __enter__(self) -> "N11Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"N11Client({self.base_url!r}, app_key={self.app_key!r}, app_secret={REDACTED!r})"

    # ------------------------------------------------------------------ settings the callers read or change
    @property
    def base_url(self) -> str:
        """The SOAP root (``.../ws/``); REST paths go under its scheme and host."""
        return self.transport.base_url

    @property
    def app_key(self) -> str:
        return self.transport.app_key

    @property
    def integrator(self) -> str:
        return self.products.integrator

    @property
    def max_task_skus(self) -> int:
        return self.products.max_task_skus

    @property
    def on_exchange(self) -> Callable[[Exchange], None] | None:
        """Receives every HTTP attempt (App Secret redacted)."""
        return self.transport.on_exchange

    @on_exchange.setter
    def on_exchange(self, sink: Callable[[Exchange], None] | None) -> None:
        self.transport.on_exchange = sink

    @property
    def log_body_limit(self) -> int | None:
        """Bodies longer than this many characters are cut in the :class:`Exchange` (None: never)."""
        return self.transport.log_body_limit

    @log_body_limit.setter
    def log_body_limit(self, limit: int | None) -> None:
        self.transport.log_body_limit = limit

    # ================================================================== connection
    def test_connection(self) -> None:
        """Cheap authenticated calls on both halves of the API: REST (product query, one row)
        and SOAP (cargo companies, under the Base Url's path). Raises a typed error; a Base Url
        that does not lead to N11 raises :class:`WrongBaseUrlError` at once (no retries)."""
        self.transport.rest("GET", "/ms/product-query", params={"page": 0, "size": 1}, safe=True)
        self.transport.soap("ShipmentCompanyService", "GetShipmentCompanies", safe=True)

    # ================================================================== categories (REST)
    get_category_tree = _via("categories", CategoriesAPI.get_category_tree)
    get_category_attributes = _via("categories", CategoriesAPI.get_category_attributes)

    # ================================================================== product tasks (REST)
    create_products = _via("products", ProductsAPI.create_products)
    update_products = _via("products", ProductsAPI.update_products)
    set_products_status = _via("products", ProductsAPI.set_products_status)
    delete_products = _via("products", ProductsAPI.delete_products)
    update_price_stock = _via("products", ProductsAPI.update_price_stock)
    get_task_result = _via("tasks", TasksAPI.get_task_result)

    # ================================================================== product query (REST)
    query_products = _via("products", ProductsAPI.query_products)
    product_query_page = _via("products", ProductsAPI.product_query_page)
    get_remote_product = _via("products", ProductsAPI.get_remote_product)
    query_product_page = _via("products", ProductsAPI.query_product_page)

    # ================================================================== orders (REST packages, SOAP orders)
    iter_shipment_packages = _via("orders", OrdersAPI.iter_shipment_packages)
    approve_lines = _via("orders", OrdersAPI.approve_lines)
    split_combine_package = _via("orders", OrdersAPI.split_combine_package)
    split_package_by_quantity = _via("orders", OrdersAPI.split_package_by_quantity)
    collection_request = _via("orders", OrdersAPI.collection_request)
    detailed_order_list = _via("orders", OrdersAPI.detailed_order_list)
    soap_item_ids = _via("orders", OrdersAPI.soap_item_ids)
    order_detail = _via("orders", OrdersAPI.order_detail)
    make_order_item_shipment = _via("orders", OrdersAPI.make_order_item_shipment)
    combine_items = _via("orders", OrdersAPI.combine_items)
    separate_combined_items = _via("orders", OrdersAPI.separate_combined_items)
    save_invoice_link = _via("orders", OrdersAPI.save_invoice_link)

    # ================================================================== claims (SOAP)
    claim_cancel_list = _via("claims", ClaimsAPI.claim_cancel_list)
    claim_cancel_approve = _via("claims", ClaimsAPI.claim_cancel_approve)
    claim_cancel_deny = _via("claims", ClaimsAPI.claim_cancel_deny)
    claim_cancel_partial = _via("claims", ClaimsAPI.claim_cancel_partial)
    claim_return_list = _via("claims", ClaimsAPI.claim_return_list)

    # ================================================================== reference data (SOAP)
    get_cities = _via("reference", ReferenceAPI.get_cities)
    get_districts = _via("reference", ReferenceAPI.get_districts)
    get_neighborhoods = _via("reference", ReferenceAPI.get_neighborhoods)
    get_shipment_companies = _via("reference", ReferenceAPI.get_shipment_companies)
    get_shipment_templates = _via("reference", ReferenceAPI.get_shipment_templates)


def client_from_config(conf: Mapping[str, Any], **kw: Any) -> N11Client:
    """Build a client from channel settings (keys ``base_url``, ``app_key``, ``app_secret``;
    optional ``integrator``). Missing keys raise ``ValueError`` naming the key."""
    missing = [k for k in ("base_url", "app_key", "app_secret") if not str(conf.get(k) or "").strip()]
    if missing:
        raise ValueError(f"N11 settings incomplete: {', '.join(missing)} not set")
    if conf.get("integrator") and "integrator" not in kw:
        kw["integrator"] = str(conf["integrator"])
    return N11Client(str(conf["base_url"]), str(conf["app_key"]), str(conf["app_secret"]), **kw)
