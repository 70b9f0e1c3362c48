"""Import N11 shipment packages into local orders, lines and packages — idempotently.

Keys: an order is its N11 order number (unique), a line is (order, N11 line id) (unique), a
package is its N11 package id (unique). Importing the same package twice, overlapping
windows, retries, a split package that reappears under new package ids, or a run killed
half-way (a batch is one transaction; the cursor moves only after it committed) never
creates an order or a line twice. Statuses never move backwards (:mod:`.status`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, DateTime, bindparam, select
from sqlalchemy.orm import Session

from ..storage.db import marks
from ..storage.models import AppState, FailedIntegration, Money, Order, OrderItem, Package, Product
from . import status as st
from .address import AddressNotValid, AddressResolver
from .addresstree import ensure_address_tree
from .cargo import CargoNotResolved, CargoResolver
from .numbering import format_order_number, validate_format

PENDING_KEY = "orders.pending"  # order number -> first package creation time (ISO), retried each run
HISTORY_KEY = "orders.history"  # order number -> [N11 status, first creation time ISO] of packages first
#                                 seen past New: recorded, never written as new work ("import history")
BATCH_SIZE = 100
# seed §9: only these package statuses create orders (LATE_SHIPMENT arrives by the late pass)
NEW_STATUSES = frozenset({"created", "new", "late_shipment", "lateshipment"})


def is_new_package(pkg: Any) -> bool:
    return (pkg.status or "").strip().lower() in NEW_STATUSES


class _Penalized(Exception):
    """The package's order failed before and its `order` penalty does not allow a retry yet."""


class _History(Exception):
    """The package's order is unknown and the package is already past New."""


def to_utc_naive(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _dec(value: Any) -> Decimal:
    if value is None:
        return Decimal("0")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _jsonable(value: Any) -> Any:
    """A JSON-safe copy (Decimal -> str, datetime -> ISO text, keys -> str), made by the C encoder
    and decoder: a package's raw document is copied in ~1/10 of a recursive Python walk's time."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def _json_text(value: Any) -> str:
    """The JSON text the column would store for ``_jsonable(value)`` (Decimal -> str, datetime ->
    ISO text), in one pass of the C encoder instead of a copy that the column encodes again."""
    return _raw_json(value)


def _one_shot_encoder(default: Callable[[Any], Any], ensure_ascii: bool) -> Callable[[Any], str]:
    """``json.dumps(value, default=default, ensure_ascii=ensure_ascii)`` (other arguments left as they
    are), with json's C encoder made once instead of once a call. No check for a value containing
    itself: these are trees decoded from N11's JSON or built here, which cannot."""
    if _c_make_encoder is None:  # pragma: no cover - a Python without the C accelerator
        encoder = json.JSONEncoder(default=default, ensure_ascii=ensure_ascii, check_circular=False)
        return encoder.encode
    strings = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    c_encode = _c_make_encoder(None, default, strings, None, ": ", ", ", False, False, True)
    return lambda value: "".join(c_encode(value, 0))


try:
    from _json import make_encoder as _c_make_encoder
except ImportError:  # pragma: no cover
    _c_make_encoder = None

_raw_json = _one_shot_encoder(_json_default, ensure_ascii=False)
_EMPTY_JSON = _raw_json({})
#: what SQLAlchemy's JSON type writes (``json.dumps(value)``; None as JSON null)
_column_json = _one_shot_encoder(json.JSONEncoder().default, ensure_ascii=True)


class _Fallback(Exception):
    """A batch links rows the bulk path does not handle (a package id under two orders): redo it with ORM objects."""


class _Row:
    """A new order, package or line of this batch, written with one bulk INSERT per table at its end
    (instead of one ORM object each). Carries the same attribute names as the mapped class, so the
    import logic reads and updates it as it does an ORM object."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)
        self.id = None


@dataclass
class ImportStats:
    seen: int = 0
    orders_created: int = 0
    orders_updated: int = 0
    lines_created: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (order number, message)
    imported_numbers: set[str] = field(default_factory=set)
    history: dict[str, str] = field(default_factory=dict)  # order number -> N11 status, recorded as history

    def merge(self, other: "ImportStats") -> None:
        self.seen += other.seen
        self.orders_created += other.orders_created
        self.orders_updated += other.orders_updated
        self.lines_created += other.lines_created
        self.skipped += other.skipped
        self.failed.extend(other.failed)
        self.imported_numbers |= other.imported_numbers
        self.history.update(other.history)


class OrderImporter:
    """One import run. ``create=False`` only updates orders that already exist."""

    def __init__(self, db, config, *, clock: Callable[[], datetime] | None = None,
                 log: Callable[..., None] | None = None) -> None:
        self.db = db
        self.config = config
        self.fmt = validate_format(config.order_number_format)
        self.use_discount = bool(config.get("get_discount_amount", False))
        self.oms_enabled = bool(config.get("oms_enabled", False))
        self.address = AddressResolver.from_config(config)
        self.cargo: CargoResolver | None = None
        self.clock = clock or (lambda: datetime.now(timezone.utc).replace(tzinfo=None))
        self.log = log or (lambda *a, **k: None)
        self._products: dict[str, int] | None = None
        self._bulk = True  # new orders, packages and lines as bulk INSERTs (False: ORM objects)
        self._any_status = False
        self._history_mode = False
        #: writes a batch's log rows in its own transaction, just before its commit: called with the
        #: session's connection and the batch's failures as (order number, message); returns the undo
        #: to call when that transaction rolls back. None: failures are logged after the commit.
        self.batch_log: Callable[[Any, list[tuple[str, str]]], Callable[[], None]] | None = None

    # ------------------------------------------------------------------ public
    def import_packages(self, packages: Iterable[Any], *, create: bool = True,
                        check_stop: Callable[[], None] | None = None,
                        progress: Callable[[int], None] | None = None,
                        any_status: bool = False, history: bool = False) -> ImportStats:
        """``create``: unknown orders may be created — only from New / LATE_SHIPMENT packages (seed
        §9); an unknown order seen only past New is recorded as history. ``any_status``: create
        whatever the status (orders N11 lists as LATE_SHIPMENT). ``history``: create such orders,
        marked as history and as already reported to the ERP (never new work for it)."""
        self._any_status, self._history_mode = any_status, history
        total = ImportStats()
        batch: list[Any] = []
        for pkg in packages:
            batch.append(pkg)
            if len(batch) >= BATCH_SIZE:
                total.merge(self._import_batch(batch, create))
                batch = []
                if progress:
                    progress(total.seen)
                if check_stop:
                    check_stop()
        if batch:
            total.merge(self._import_batch(batch, create))
            if progress:
                progress(total.seen)
        return total

    # ------------------------------------------------------------------ batch
    def _import_batch(self, packages: list[Any], create: bool) -> ImportStats:
        self._bulk = True
        try:
            return self._import_batch_once(packages, create)
        except _Fallback:
            self._bulk = False  # rolled back: the same batch again, every row an ORM object
            try:
                return self._import_batch_once(packages, create)
            finally:
                self._bulk = True

    def _import_batch_once(self, packages: list[Any], create: bool) -> ImportStats:
        stats = ImportStats()
        failures: list[tuple[Any, str, str]] = []
        history_pkgs: list[Any] = []
        if create and self.cargo is None:
            # a new profile gets Turkey's address tree with its first packages, so N11's addresses match by
            # name (neighbourhoods are added to an older tree when Use Neighborhood needs them)
            added = ensure_address_tree(self.db, neighbourhoods=True if self.address.use_neighborhood else None)
            if added["cities"] or added["districts"]:
                self.log(f"local address tree filled from the packaged PTT list: {added['cities']} cities, "
                         f"{added['townships']} townships, {added['districts']} neighbourhoods")
        s = self.db.session_factory()
        undo: Callable[[], None] | None = None
        try:
            if self.cargo is None:
                self.cargo = CargoResolver.load(s, self.config)
                self.address.load(s)
            if self._products is None:
                self._products = dict(s.execute(select(Product.sku, Product.id)).all())
            # one driver-level probe first where the batch may be all new: nothing stored under its keys
            # (no order, package or active order failure) spares the ORM lookups and the penalty read
            probe = _Probe.run(s, packages) if create and self._bulk and not self._history_mode else None
            cache = _BatchCache({}, {}, {}) if probe is not None and probe.clean else _BatchCache.load(s, packages)
            cache.creatable = {p.order_number for p in packages if is_new_package(p)}
            if create and not (probe is not None and probe.clean):
                unknown = {p.order_number for p in packages} - set(cache.orders)
                cache.blocked = unknown - retry_due(s, unknown, self.clock()) if unknown else set()
            # a package may appear several times in one batch (Unpacked parent + children): in order.
            # Address and cargo resolve before anything is written for a package, so a package that
            # fails writes nothing but its unmapped-address record; any other error rolls the whole
            # batch back (and the cursor does not move).
            if self._all_new(packages, cache, create):
                self._import_all_new(s, packages, cache, stats, failures)
                packages = ()  # done: the general loop below has nothing left
            for pkg in packages:
                stats.seen += 1
                try:
                    with s.no_autoflush:
                        prepared = self._prepare(s, pkg, create, cache)
                        outcome = self._import_one(s, pkg, create, prepared, cache)
                except (AddressNotValid, CargoNotResolved) as exc:
                    failures.append(_not_written(pkg, exc))
                    continue
                except _Penalized:
                    stats.skipped += 1  # in the penalty box: tried again when the `order` rule allows
                    continue
                except _History:
                    stats.skipped += 1
                    stats.history.setdefault(pkg.order_number, pkg.status or "")
                    history_pkgs.append(pkg)
                    continue
                if outcome == "created":
                    stats.orders_created += 1
                    stats.imported_numbers.add(pkg.order_number)
                elif outcome == "updated":
                    stats.orders_updated += 1
                    stats.imported_numbers.add(pkg.order_number)
                else:
                    stats.skipped += 1
            self._insert_new(s, cache)
            if failures:
                self._record_failures(s, failures)
            imported = stats.imported_numbers
            # with a clean probe no active failure of these orders exists; the pending and history records
            # change only if they name one of them (else both would read the record and leave it as it is)
            if imported and not (probe is not None and probe.clean and probe.pending.isdisjoint(imported)):
                self._clear_failures(s, imported)
            for number in imported:
                stats.history.pop(number, None)
            if history_pkgs or (imported and not (
                    probe is not None and probe.clean and probe.history.isdisjoint(imported))):
                self._record_history(s, history_pkgs, imported)
            if self.batch_log is not None:
                undo = self.batch_log(s.connection(), [(pkg.order_number, message) for pkg, message, _ in failures])
            s.commit()
        except BaseException:
            s.rollback()
            if undo is not None:
                undo()
            raise
        finally:
            s.close()
        for pkg, message, _ in failures:
            stats.failed.append((pkg.order_number, message))
            if undo is None:  # (else written with the batch)
                self.log(message, level="ERROR", object_type="order", object_key=pkg.order_number)
        return stats

    # ------------------------------------------------------------------ a batch of new orders only
    def _all_new(self, packages: list[Any], cache: "_BatchCache", create: bool) -> bool:
        """Is this batch one the general per-package logic would only create rows for? No stored order or
        package among its keys (the batch's lookups said so), no penalized order, each order number and
        package once, each New (or any status allowed), none superseded, no line id twice in a package."""
        if not (create and self._bulk) or self._history_mode or cache.orders or cache.packages or cache.blocked:
            return False
        numbers: set[str] = set()
        keys: set[str] = set()
        superseded = st.SUPERSEDED
        for p in packages:
            number, key = p.order_number, package_key(p)
            if number in numbers or key in keys:
                return False
            numbers.add(number)
            keys.add(key)
            if not (self._any_status or number in cache.creatable) or st.from_rest(p.status) == superseded:
                return False
            ids = [str(ln.line_id) for ln in p.lines]
            if len(set(ids)) != len(ids):
                return False
        return True

    def _import_all_new(self, s: Session, packages: list[Any], cache: "_BatchCache", stats: ImportStats,
                        failures: list[tuple[Any, str, str]]) -> None:
        """The rows ``_import_one`` would create for a batch ``_all_new`` accepted, built directly as the
        parameter tuples ``_driver_insert`` would bind (each value converted as its column stores it), with
        no per-package lookups, status merging, row objects or dicts."""
        conn = s.connection()
        orders: list[tuple] = []
        numbers: list[str] = []
        pkgs: list[tuple] = []
        keys: list[str] = []
        lines_of: list[list[tuple]] = []
        with s.no_autoflush:  # once for the batch (it was once a package)
            self._all_new_rows(s, packages, cache, stats, failures, orders, numbers, pkgs, keys, lines_of)
        if not orders:
            return
        sql, fixed = _insert_plan(conn, Order.__table__, _ORDER_COLUMNS, _FAST_ORDER_KINDS)
        conn.exec_driver_sql(sql, [o + fixed for o in orders])
        ids = _driver_ids(s, "order", "n11_order_number", numbers)
        oids = [ids[n] for n in numbers]
        sql, fixed = _insert_plan(conn, Package.__table__, ("order_id", *_PACKAGE_COLUMNS, "raw"), _FAST_PACKAGE_KINDS)
        conn.exec_driver_sql(sql, [(oid, *p, *fixed) for oid, p in zip(oids, pkgs)])
        pids = _driver_ids(s, "package", "n11_package_id", keys)
        sql, fixed = _insert_plan(conn, OrderItem.__table__, ("order_id", "package_id", *_ITEM_COLUMNS),
                                  _FAST_ITEM_KINDS)
        rows = [(oid, pid, *i, *fixed)
                for oid, pid, items in zip(oids, [pids[k] for k in keys], lines_of) for i in items]
        if rows:
            conn.exec_driver_sql(sql, rows)

    def _all_new_rows(self, s: Session, packages: list[Any], cache: "_BatchCache", stats: ImportStats,
                      failures: list[tuple[Any, str, str]], orders: list[tuple], numbers: list[str], pkgs: list[tuple],
                      keys: list[str], lines_of: list[list[tuple]]) -> None:
        """The parameter tuples of ``_import_all_new``'s rows (appended to the lists given)."""
        from_rest, superseded, waiting, terminal = st.from_rest, st.SUPERSEDED, st.WAITING, st.TERMINAL
        when = _sqlite_datetime if s.connection().dialect.name == "sqlite" else _same
        column_json, products, tracking_of = _column_json, self._products, self._tracking
        use_discount, line_discount, fmt, clock = self.use_discount, self._line_discount, self.fmt, self.clock
        zero, one, half_up = Decimal("0"), _ONE, ROUND_HALF_UP
        empty = column_json({})
        for pkg in packages:
            stats.seen += 1
            try:
                prepared = self._prepare(s, pkg, True, cache)
            except (AddressNotValid, CargoNotResolved) as exc:
                failures.append(_not_written(pkg, exc))
                continue
            status_raw = (pkg.status or "").strip()
            pkg_status = from_rest(status_raw)
            tracking = tracking_of(pkg)
            items = []
            statuses = []
            gross = discount = zero  # over the lines not cancelled or refunded (none is superseded)
            for line in pkg.lines:
                new_status = from_rest(line.status) or pkg_status
                if new_status == superseded:
                    continue  # only the parent of a split knows this line; its children carry it
                item_status = new_status or waiting
                price, quantity, sku = _dec(line.price), int(line.quantity or 1), line.stock_code
                off = line_discount(line)
                if item_status not in terminal:
                    gross += price * quantity
                    if use_discount:
                        discount += off
                statuses.append(item_status)
                items.append((str(line.line_id), sku, products.get(sku or ""), line.product_name, quantity,
                              int((price * 100).quantize(one, half_up)), int((off * 100).quantize(one, half_up)),
                              item_status, line.status or status_raw, item_status, tracking, 0))
            number = pkg.order_number
            orders.append((  # _ORDER_COLUMNS
                number, format_order_number(fmt, number, pkg.id), st.order_status(statuses),
                pkg.customer_name, pkg.customer_email, None if pkg.customer_id is None else str(pkg.customer_id),
                pkg.tax_id, pkg.tax_office, pkg.tc_id, column_json(prepared["shipping"]),
                column_json(prepared["billing"]), prepared["cargo"], pkg.shipment_company_id,
                when(to_utc_naive(pkg.created) or to_utc_naive(pkg.last_modified) or clock()), empty, False,
                int(((gross - discount) * 100).quantize(one, half_up)), int((discount * 100).quantize(one, half_up))))
            numbers.append(number)
            key = package_key(pkg)
            keys.append(key)
            raw = _json_text(pkg.raw) if pkg.raw else _EMPTY_JSON  # the raw document, as JSON text
            pkgs.append((key, pkg.status or "", pkg.cargo_campaign_number or None, pkg.cargo_tracking_number or None,
                         pkg.tracking_link or None, pkg.shipment_company_id or None,
                         when(to_utc_naive(pkg.last_modified) or None), raw))  # _PACKAGE_COLUMNS + raw
            lines_of.append(items)
            stats.orders_created += 1
            stats.imported_numbers.add(number)

    # ------------------------------------------------------------------ one package
    def _prepare(self, s: Session, pkg: Any, create: bool, cache: "_BatchCache") -> dict | None:
        """Addresses and cargo of an order not written yet (raises when they do not resolve)."""
        if not create or st.from_rest(pkg.status) == st.SUPERSEDED:
            return None
        if pkg.order_number in cache.orders:
            return None
        if pkg.order_number in cache.blocked:
            raise _Penalized(pkg.order_number)
        if not (self._any_status or self._history_mode or pkg.order_number in cache.creatable):
            raise _History(pkg.order_number)
        shipping = self.address.resolve(s, pkg.shipping_address)
        kind = getattr(pkg, "delivery_address_type", None)
        if kind:
            # a pick-up-point package: the shipping address is the point (KTN / EASYPOINT / PUP),
            # never the customer's home; the buyer's own address is the billing address
            shipping = {**shipping, "pickup_point": True, "delivery_address_type": str(kind)}
        return {"shipping": shipping,
                "billing": self.address.resolve(s, pkg.billing_address),
                "cargo": self.cargo.resolve(pkg.shipment_company_id, pkg.cargo_provider_name)}

    def _new_order(self, pkg: Any, prepared: dict, **more: Any) -> dict[str, Any]:
        """The columns of an order first seen in ``pkg`` (both import paths), plus ``more``."""
        return {"n11_order_number": pkg.order_number,
                "number": format_order_number(self.fmt, pkg.order_number, pkg.id),
                "customer_name": pkg.customer_name, "customer_email": pkg.customer_email,
                "customer_id": None if pkg.customer_id is None else str(pkg.customer_id),
                "tax_id": pkg.tax_id, "tax_office": pkg.tax_office, "tc_id": pkg.tc_id,
                "shipping_address": prepared["shipping"], "billing_address": prepared["billing"],
                "cargo_company_id": prepared["cargo"], "n11_shipment_company_id": pkg.shipment_company_id,
                "ordered_at": to_utc_naive(pkg.created) or to_utc_naive(pkg.last_modified) or self.clock(),
                "raw": {}, "erp_reported": False, **more}

    def _new_line(self, line: Any, status: str, status_raw: str, tracking: str | None,
                  **more: Any) -> dict[str, Any]:
        """The columns of an order line first seen in a package (both import paths), plus ``more``."""
        return {"n11_line_id": str(line.line_id), "sku": line.stock_code,
                "product_id": self._products.get(line.stock_code or ""),
                "product_name": line.product_name, "quantity": int(line.quantity or 1),
                "price": _dec(line.price), "discount": self._line_discount(line),
                "status": status, "n11_status": line.status or status_raw,
                "sent_status": status, "tracking_number": tracking, **more}

    def _import_one(self, s: Session, pkg: Any, create: bool, prepared: dict | None,
                    cache: "_BatchCache") -> str:
        status_raw = (pkg.status or "").strip()
        pkg_status = st.from_rest(status_raw)
        order = cache.orders.get(pkg.order_number)
        created = False
        if order is None:
            if prepared is None:
                return "skipped"
            order = (_Row if self._bulk else Order)(**self._new_order(pkg, prepared, status=st.WAITING))
            if self._history_mode and pkg.order_number not in cache.creatable:
                # brought in by "import history": shown, but never new work for the ERP
                order.raw = {"history": True, "first_seen_status": pkg.status or ""}
                order.erp_reported = True
            if isinstance(order, Order):
                s.add(order)
            cache.orders[pkg.order_number] = order
            created = True
        local_pkg = self._upsert_package(s, order, pkg, cache)
        items = cache.items.setdefault(pkg.order_number, {})
        for line in pkg.lines:
            line_id = str(line.line_id)
            new_status = st.from_rest(line.status) or pkg_status
            if pkg_status == st.SUPERSEDED:
                new_status = st.SUPERSEDED
            item = items.get(line_id)
            if item is None:
                if new_status == st.SUPERSEDED:
                    continue  # only the parent of a split knows this line; its children carry it
                values = self._new_line(line, new_status or st.WAITING, status_raw, self._tracking(pkg),
                                        package=local_pkg)
                if isinstance(order, _Row):  # a new order: its lines are bulk-inserted at the batch's end
                    item = _Row(order=order, cancelled_quantity=0, **values)
                else:
                    # linked through the relationships: a new package gets its id at the batch's
                    # one flush (no flush per package), and the lines point at it then
                    link = {"order": order} if order.id is None else {"order_id": order.id}
                    item = OrderItem(**link, **values)
                    s.add(item)
                items[line_id] = item
                continue
            if new_status == st.SUPERSEDED:
                if local_pkg is not None and _in_other_package(item, local_pkg):
                    continue  # the line already lives in a newer package
            elif local_pkg is not None:
                item.package = local_pkg
            item.status = st.advance(item.status, new_status)
            item.sent_status = st.advance(item.sent_status, new_status)
            item.n11_status = line.status or status_raw
            item.quantity = int(line.quantity or item.quantity)
            tracking = self._tracking(pkg)
            if tracking:
                item.tracking_number = tracking
        self._refresh_order(order, list(items.values()))
        return "created" if created else "updated"

    def _upsert_package(self, s: Session, order: Order, pkg: Any, cache: "_BatchCache") -> Package | None:
        key = package_key(pkg)
        row = cache.packages.get(key)
        modified = to_utc_naive(pkg.last_modified)
        if row is None:
            if isinstance(order, _Row):
                row = _Row(order=order, n11_package_id=key, status=pkg.status or "", campaign_number=None,
                           tracking_number=None, tracking_link=None, shipment_company_id=None,
                           last_modified=None, raw={})
            else:
                row = Package(n11_package_id=key, status=pkg.status or "")
                order.packages.append(row) if order.id is None else setattr(row, "order_id", order.id)
                s.add(row)
            cache.packages[key] = row
        elif isinstance(row, _Row) and not isinstance(order, _Row):
            raise _Fallback(key)  # a package id new in this batch under a new and a stored order
        elif row.last_modified is not None and modified is not None and modified < row.last_modified:
            return row  # older news about this package: keep what we have
        row.status = pkg.status or row.status
        row.campaign_number = pkg.cargo_campaign_number or row.campaign_number
        row.tracking_number = pkg.cargo_tracking_number or row.tracking_number
        row.tracking_link = pkg.tracking_link or row.tracking_link
        row.shipment_company_id = pkg.shipment_company_id or row.shipment_company_id
        row.last_modified = modified or row.last_modified
        if pkg.raw:
            # a new row keeps the document as JSON text for its bulk INSERT (encoded once, by the C
            # encoder); a stored one gets a JSON-safe copy for its ORM column
            row.raw = _json_text(pkg.raw) if isinstance(row, _Row) else _jsonable(pkg.raw)
        return row  # a new one gets its id at the batch's flush (its lines are linked to the object)

    def _insert_new(self, s: Session, cache: "_BatchCache") -> None:
        """Write the batch's new orders, then their packages, then their lines: one driver-level
        executemany per table (:func:`_driver_insert`; column defaults apply as for ORM objects). Ids
        come back by the unique N11 keys, so this runs the same on any engine."""
        orders = [o for o in cache.orders.values() if isinstance(o, _Row)]
        if not orders:
            return
        _driver_insert(s, Order.__table__, [{k: o.__dict__[k] for k in _ORDER_COLUMNS} for o in orders])
        ids = dict(s.execute(_ORDER_IDS, {"keys": [o.n11_order_number for o in orders]}).all())
        for o in orders:
            o.id = ids[o.n11_order_number]
        pkgs = [p for p in cache.packages.values() if isinstance(p, _Row)]
        if pkgs:
            # the raw documents are JSON text already (encoded once, in _upsert_package)
            _driver_insert(s, Package.__table__,
                           [{"order_id": p.order.id, **{k: p.__dict__[k] for k in _PACKAGE_COLUMNS},
                             "raw": p.raw if isinstance(p.raw, str) else _json_text(p.raw)} for p in pkgs],
                           json_text=("raw",))
            pids = dict(s.execute(_PACKAGE_IDS, {"keys": [p.n11_package_id for p in pkgs]}).all())
            for p in pkgs:
                p.id = pids[p.n11_package_id]
        rows = [{"order_id": o.id, "package_id": None if i.package is None else i.package.id,
                 **{k: i.__dict__[k] for k in _ITEM_COLUMNS}}
                for o in orders for i in cache.items.get(o.n11_order_number, {}).values()]
        _driver_insert(s, OrderItem.__table__, rows)

    def _tracking(self, pkg: Any) -> str | None:
        if self.oms_enabled:
            return pkg.cargo_campaign_number or pkg.cargo_tracking_number
        return pkg.cargo_tracking_number

    def _line_discount(self, line: Any) -> Decimal:
        if not self.use_discount:
            return Decimal("0")
        if line.total_seller_discount is not None:
            return _dec(line.total_seller_discount)
        return _dec(line.seller_discount) * int(line.quantity or 1)

    def _refresh_order(self, order: Order, items: list[OrderItem]) -> None:
        live = [i for i in items if i.status not in (st.SUPERSEDED,)]
        counted = [i for i in live if i.status not in st.TERMINAL]
        gross = sum((i.price * (i.quantity - (i.cancelled_quantity or 0)) for i in counted), Decimal("0"))
        discount = sum((i.discount for i in counted), Decimal("0")) if self.use_discount else Decimal("0")
        order.total_amount = gross - discount
        order.discount_amount = discount
        order.status = st.order_status([i.status for i in items])

    # ------------------------------------------------------------------ failures (penalty box)
    def _record_failures(self, s: Session, failures: list[tuple[Any, str, str]]) -> None:
        now = self.clock()
        pending_row = s.get(AppState, PENDING_KEY)
        pending = dict(pending_row.value) if pending_row is not None and isinstance(pending_row.value, dict) else {}
        rule = self.config.penalty_rule("order")  # the `order` Failed Integration rule, read now (seed §3)
        done: set[str] = set()
        for pkg, message, reason in failures:
            if pkg.order_number in done:  # several packages of one order: one failure of the order
                continue
            done.add(pkg.order_number)
            row = s.scalar(select(FailedIntegration).where(
                FailedIntegration.content_type == "order", FailedIntegration.object_key == pkg.order_number,
                FailedIntegration.is_active.is_(True)))
            if row is None:
                row = FailedIntegration(content_type="order", object_id=0, object_key=pkg.order_number,
                                        reason_type=reason, message=message, retry_count=0,
                                        is_active=True, created_at=now, updated_at=now)
                s.add(row)
            else:
                row.message = message
                row.reason_type = reason
                row.retry_count = (row.retry_count or 0) + 1
                row.updated_at = now
            row.expires_at = row.created_at + timedelta(seconds=rule.expiration_s)
            next_retry = now + timedelta(seconds=rule.retry_interval_s)
            # exhausted: no more automatic retries; the operator lifts it (penalty CSV, or fixing the mapping)
            row.next_retry_at = None if (row.retry_count >= rule.max_retry_count or next_retry > row.expires_at) \
                else next_retry
            when = to_utc_naive(pkg.created) or to_utc_naive(pkg.last_modified) or now
            pending.setdefault(pkg.order_number, when.isoformat())
        if pending_row is None:
            s.add(AppState(key=PENDING_KEY, value=pending))
        else:
            pending_row.value = pending

    def _record_history(self, s: Session, pkgs: list[Any], imported: set[str]) -> None:
        row = s.get(AppState, HISTORY_KEY)
        known = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
        before = len(known)
        for pkg in pkgs:
            when = to_utc_naive(pkg.created) or to_utc_naive(pkg.last_modified) or self.clock()
            known.setdefault(pkg.order_number, [pkg.status or "", when.isoformat()])
        gone = [n for n in imported if n in known]
        for n in gone:
            del known[n]
        if len(known) == before and not gone:
            return
        if row is None:
            s.add(AppState(key=HISTORY_KEY, value=known))
        else:
            row.value = known

    def _clear_failures(self, s: Session, numbers: set[str]) -> None:
        for row in s.scalars(_ACTIVE_ORDER_FAILURES, {"keys": list(numbers)}):
            row.is_active = False
            row.updated_at = self.clock()
        pending_row = s.get(AppState, PENDING_KEY)
        if pending_row is not None and isinstance(pending_row.value, dict):
            remaining = {k: v for k, v in pending_row.value.items() if k not in numbers}
            if remaining != pending_row.value:
                pending_row.value = remaining


def _not_written(pkg: Any, exc: Exception) -> tuple[Any, str, str]:
    """The penalty-box entry of a package whose address or cargo did not resolve."""
    if isinstance(exc, AddressNotValid):
        return pkg, str(exc), "mapping"
    return pkg, f"Order {pkg.order_number} was not written: {exc}.", "mapping"


def _cents(value: Any) -> int | None:
    """What the Money column stores (integer hundredths, half up)."""
    if value is None:
        return None
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return int((d * 100).quantize(_ONE, rounding=ROUND_HALF_UP))


def _sqlite_datetime(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite text of a DateTime (``%Y-%m-%d %H:%M:%S.%f``; isoformat writes the same
    text of a naive time in about a fifth of strftime's time)."""
    if value is None:
        return None
    if value.tzinfo is None and value.year >= 1000:
        return value.isoformat(" ", "microseconds")
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _same(value: Any) -> Any:
    return value


def _converter(table, name: str, sqlite: bool, json_text: tuple[str, ...] = ()):
    """How ``name``'s value is bound, as its column type would store it (None: as it is)."""
    t = table.c[name].type
    if name in json_text:
        return None
    if isinstance(t, Money):
        return _cents
    if isinstance(t, JSON):
        return _column_json  # json.dumps, what SQLAlchemy's JSON type writes (None as JSON null)
    if isinstance(t, DateTime) and sqlite:
        return _sqlite_datetime
    return None


def _default_values(table, given, sqlite: bool, json_text: tuple[str, ...] = ()) -> tuple[dict[str, Any], tuple]:
    """The Python defaults of ``table``'s columns not ``given`` (made now, once for a whole insert:
    ``updated_at`` = now) and their values converted as each column stores them."""
    defaults = {c.name: (c.default.arg(None) if c.default.is_callable else c.default.arg)
                for c in table.columns if c.name not in given and not c.primary_key and c.default is not None
                and (c.default.is_scalar or c.default.is_callable)}
    fixed = tuple(v if f is None else f(v)
                  for f, v in ((_converter(table, n, sqlite, json_text), v) for n, v in defaults.items()))
    return defaults, fixed


def _insert_plan(conn, table, given: tuple[str, ...], kinds: dict[str, Any]) -> tuple[str, tuple]:
    """The driver-level INSERT of ``given`` columns plus the other columns' Python defaults (their values,
    made now, as :func:`_driver_insert` adds them) for rows whose values the caller converted already:
    ``kinds`` names each converted column's converter (``_cents``, ``_column_json``, ``_sqlite_datetime``,
    or None for JSON text / a value bound as it is); a column type that does not match them is an error,
    not a silently different stored value."""
    sqlite = conn.dialect.name == "sqlite"
    json_text = tuple(k for k, v in kinds.items() if v is None)
    for name in given:
        done = kinds.get(name)
        if done == "datetime":
            done = _sqlite_datetime if sqlite else None
        if _converter(table, name, sqlite, json_text) is not done:
            raise RuntimeError(f"{table.name}.{name}: the fast import path binds it unlike its column type")
    defaults, fixed = _default_values(table, given, sqlite)
    key = (conn.dialect.name, conn.dialect.paramstyle, table.name, given)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        names = ", ".join(f'"{n}"' for n in (*given, *defaults))
        sql = _INSERT_SQL[key] = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks(conn, len(given) + len(defaults))})'
    return sql, fixed


_INSERT_SQL: dict[tuple, str] = {}


def _driver_insert(s: Session, table, rows: list[dict[str, Any]], *, json_text: tuple[str, ...] = ()) -> None:
    """One driver-level executemany of ``rows`` (dicts with the same keys) into ``table``, each value
    converted as its column type would (Money in cents, JSON text, SQLite's datetime text); columns not
    given get their Python default once for the whole call (``updated_at`` = now). ``json_text``: JSON
    columns whose values are JSON text already. SQLAlchemy Core's per-row parameter processing cost
    about as much as SQLite's own insert; placeholders come from ``marks``, so PostgreSQL works too."""
    if not rows:
        return
    conn = s.connection()
    sqlite = conn.dialect.name == "sqlite"
    given = list(rows[0])
    defaults, fixed = _default_values(table, given, sqlite, json_text)
    convs = [_converter(table, n, sqlite, json_text) for n in given]
    names = ", ".join(f'"{n}"' for n in given + list(defaults))
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks(conn, len(given) + len(defaults))})'
    values = itemgetter(*given) if len(given) > 1 else (lambda r: (r[given[0]],))
    converted = [(i, f) for i, f in enumerate(convs) if f is not None]
    params = []
    for r in rows:
        row = list(values(r))
        for i, f in converted:
            row[i] = f(row[i])
        params.append((*row, *fixed))
    conn.exec_driver_sql(sql, params)


def _driver_ids(s: Session, table: str, key: str, keys: list[str]) -> dict[str, int]:
    """key -> id of the rows of ``table`` with those ``keys`` (unique), by one driver-level SELECT."""
    conn = s.connection()
    sql = f'SELECT "{key}", id FROM "{table}" WHERE "{key}" IN ({marks(conn, len(keys))})'
    return dict(conn.exec_driver_sql(sql, tuple(keys)).fetchall())


class _Probe:
    """What one driver-level statement says about a batch: whether any order, package or active order
    failure is stored under its keys (``clean`` when none is), and the order numbers the pending and
    history records name."""

    __slots__ = ("clean", "pending", "history")

    def __init__(self, clean: bool, pending: set[str], history: set[str]) -> None:
        self.clean, self.pending, self.history = clean, pending, history

    @classmethod
    def run(cls, s: Session, packages: list[Any]) -> "_Probe":
        conn = s.connection()
        numbers = list({p.order_number for p in packages})
        keys = list({package_key(p) for p in packages})
        n, k = len(numbers), len(keys)
        sql = _PROBE_SQL.get((conn.dialect.name, conn.dialect.paramstyle, n, k))
        if sql is None:
            sql = (f'SELECT 0, "key", CAST("value" AS TEXT) FROM app_state WHERE "key" IN ({marks(conn, 2)}) '
                   f'UNION ALL SELECT 1, n11_order_number, CAST(NULL AS TEXT) FROM "order" '
                   f'WHERE n11_order_number IN ({marks(conn, n)}) '
                   f'UNION ALL SELECT 2, n11_package_id, CAST(NULL AS TEXT) FROM package '
                   f'WHERE n11_package_id IN ({marks(conn, k)}) '
                   f"UNION ALL SELECT 3, object_key, CAST(NULL AS TEXT) FROM failed_integration "
                   f"WHERE content_type = 'order' AND is_active = {marks(conn, 1)} "
                   f'AND object_key IN ({marks(conn, n)})')
            if len(_PROBE_SQL) < 64:
                _PROBE_SQL[(conn.dialect.name, conn.dialect.paramstyle, n, k)] = sql
        clean = True
        named = {PENDING_KEY: set(), HISTORY_KEY: set()}
        for kind, key, value in conn.exec_driver_sql(sql, (PENDING_KEY, HISTORY_KEY, *numbers, *keys, True,
                                                           *numbers)):
            if kind:
                clean = False
                break
            value = json.loads(value) if isinstance(value, str) else value
            if isinstance(value, dict):  # what pending_orders / history_orders read
                named[key] = set(value)
        return cls(clean, named[PENDING_KEY], named[HISTORY_KEY])


_PROBE_SQL: dict[tuple[str, str, int, int], str] = {}


_ONE = Decimal("1")


def _in_other_package(item: OrderItem, pkg: Package) -> bool:
    """Does ``item`` already belong to a package other than ``pkg``? Read without loading anything:
    a package linked in this batch (maybe without an id yet) or the stored ``package_id``."""
    linked = item.__dict__.get("package", _UNSET)
    if linked is not _UNSET:
        return linked is not None and linked is not pkg
    return item.package_id is not None and (pkg.id is None or item.package_id != pkg.id)


_UNSET = object()
_ORDER_COLUMNS = ("n11_order_number", "number", "status", "customer_name", "customer_email", "customer_id",
                  "tax_id", "tax_office", "tc_id", "shipping_address", "billing_address", "cargo_company_id",
                  "n11_shipment_company_id", "ordered_at", "raw", "erp_reported", "total_amount",
                  "discount_amount")
_PACKAGE_COLUMNS = ("n11_package_id", "status", "campaign_number", "tracking_number", "tracking_link",
                    "shipment_company_id", "last_modified")  # and raw, bound as JSON text
_ITEM_COLUMNS = ("n11_line_id", "sku", "product_id", "product_name", "quantity", "price", "discount",
                 "status", "n11_status", "sent_status", "tracking_number", "cancelled_quantity")
#: how the fast path (``_import_all_new``) converts its values: the converter of each column it converts
#: (None: JSON text already); every other given column is bound as it is. Checked against the column types.
_FAST_ORDER_KINDS = {"shipping_address": _column_json, "billing_address": _column_json, "ordered_at": "datetime",
                     "raw": _column_json, "total_amount": _cents, "discount_amount": _cents}
_FAST_PACKAGE_KINDS = {"last_modified": "datetime", "raw": None}
_FAST_ITEM_KINDS = {"price": _cents, "discount": _cents}


# the batch's lookups by N11 keys, built once (an IN of a list built the statement anew each batch)
_KEYS = bindparam("keys", expanding=True)
_ORDERS_BY_NUMBER = select(Order).where(Order.n11_order_number.in_(_KEYS))
_ITEMS_OF_ORDERS = select(OrderItem).where(OrderItem.order_id.in_(_KEYS))
_PACKAGES_BY_KEY = select(Package).where(Package.n11_package_id.in_(_KEYS))
_ORDER_IDS = select(Order.n11_order_number, Order.id).where(Order.n11_order_number.in_(_KEYS))
_PACKAGE_IDS = select(Package.n11_package_id, Package.id).where(Package.n11_package_id.in_(_KEYS))
_ACTIVE_ORDER_FAILURES = select(FailedIntegration).where(
    FailedIntegration.content_type == "order", FailedIntegration.is_active.is_(True),
    FailedIntegration.object_key.in_(_KEYS))
_ACTIVE_ORDER_PENALTIES = select(FailedIntegration.object_key, FailedIntegration.next_retry_at).where(
    FailedIntegration.content_type == "order", FailedIntegration.is_active.is_(True),
    FailedIntegration.object_key.in_(_KEYS))


def package_key(pkg: Any) -> str:
    if pkg.id is not None:
        return str(pkg.id)
    return f"nopkg-{pkg.order_number}-{min((ln.line_id for ln in pkg.lines), default=0)}"


@dataclass
class _BatchCache:
    """Orders, their lines and packages of one batch, loaded with three queries."""

    orders: dict[str, Order]
    items: dict[str, dict[str, OrderItem]]
    packages: dict[str, Package]
    creatable: set[str] = field(default_factory=set)  # order numbers with a New package in this batch
    blocked: set[str] = field(default_factory=set)  # unknown orders whose penalty forbids a retry now

    @classmethod
    def load(cls, s: Session, packages: list[Any]) -> "_BatchCache":
        numbers = list({p.order_number for p in packages})
        orders = {o.n11_order_number: o for o in s.scalars(_ORDERS_BY_NUMBER, {"keys": numbers})}
        by_id = {o.id: o.n11_order_number for o in orders.values()}
        items: dict[str, dict[str, OrderItem]] = {n: {} for n in orders}
        if by_id:
            for it in s.scalars(_ITEMS_OF_ORDERS, {"keys": list(by_id)}):
                items[by_id[it.order_id]][it.n11_line_id] = it
        keys = list({package_key(p) for p in packages})
        pkgs = {p.n11_package_id: p for p in s.scalars(_PACKAGES_BY_KEY, {"keys": keys})}
        return cls(orders, items, pkgs)


def history_orders(session: Session) -> dict[str, list]:
    """Order numbers first seen past New: number -> [N11 status, first creation time ISO]."""
    row = session.get(AppState, HISTORY_KEY)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def retry_due(session: Session, numbers, now: datetime) -> set[str]:
    """Order numbers (of ``numbers``) whose penalty allows a retry now: no active penalty, or its
    RETRY_INTERVAL has passed. Exhausted ones (MAX_RETRY_COUNT / EXPIRATION_DATE) wait for the operator."""
    numbers = list(numbers)
    blocked: set[str] = set()
    for i in range(0, len(numbers), 500):
        part = numbers[i:i + 500]
        for key, nxt in session.execute(_ACTIVE_ORDER_PENALTIES, {"keys": part}):
            if nxt is None or nxt > now:
                blocked.add(key)
    return set(numbers) - blocked


def release_mapping_penalties(session: Session, now: datetime) -> int:
    """The address or cargo mapping changed: orders penalized for a mapping problem may be tried at once."""
    from sqlalchemy import update

    res = session.execute(update(FailedIntegration).where(
        FailedIntegration.content_type == "order", FailedIntegration.is_active.is_(True),
        FailedIntegration.reason_type == "mapping").values(next_retry_at=now, retry_count=0))
    return res.rowcount or 0


def pending_orders(session: Session) -> dict[str, str]:
    row = session.get(AppState, PENDING_KEY)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}
