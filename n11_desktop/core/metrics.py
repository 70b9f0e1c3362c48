"""Dashboard KPIs exactly as seed §7.1 defines them, and their periodic snapshots.

Definitions (seed §7.1), with "our side" = the local catalog and "N11" = the remote_product
snapshot (what N11's product-query said):

1. total_sku_in_catalog — SKUs in the N11 catalog whose product type is simple and status active.
2. skus_on_sale — SKUs sent to N11 that are on sale there (productStatus Active, saleStatus On_Sale).
3. total_sku_difference — SKUs in the catalog that are saleable on our side (price, stock > 0,
   an N11 category, an image, in the catalog) but not on sale on N11.
4. skus_with_price_difference — SKUs on sale whose sale or list price differs from ours.
5. total_stock_in_catalog — total stock of the SKUs of KPI 1.
6. total_stock_on_sale — total stock N11 shows for the SKUs on sale.
7. total_stock_difference — total stock of the SKUs that are in the catalog but not on sale.
8. skus_with_stock_difference — SKUs on sale whose N11 quantity differs from ours
   (stock − Buffer Stock, never below 0: what we would send).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from .storage.models import KpiSnapshot

ON_SALE_STATUS = "Active"
ON_SALE_SALE_STATUS = "On_Sale"


@dataclass(frozen=True, slots=True)
class Kpis:
    total_sku_in_catalog: int = 0
    skus_on_sale: int = 0
    total_sku_difference: int = 0
    skus_with_price_difference: int = 0
    total_stock_in_catalog: int = 0
    total_stock_on_sale: int = 0
    total_stock_difference: int = 0
    skus_with_stock_difference: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


KPI_LABELS: dict[str, tuple[str, str]] = {
    "total_sku_in_catalog": ("Total SKU in catalog", "Simple, active products in the N11 catalog."),
    "skus_on_sale": ("SKUs on sale", "Sent to N11 and currently on sale there."),
    "total_sku_difference": ("Total SKU difference",
                             "In the catalog with price, stock > 0, category and image, but not on sale on N11."),
    "skus_with_price_difference": ("SKUs with price difference", "On sale with a different sale or list price on N11."),
    "total_stock_in_catalog": ("Total stock in catalog", "Stock of all products in the N11 catalog."),
    "total_stock_on_sale": ("Total stock on sale", "Stock N11 shows for the products on sale."),
    "total_stock_difference": ("Total stock difference", "Stock of catalog products that are not on sale on N11."),
    "skus_with_stock_difference": ("SKUs with stock difference",
                                   "On sale with a different quantity on N11 than stock − Buffer Stock."),
}
KPI_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Kpis))

# One row per local product with everything the KPIs need. ``:buffer`` is Buffer Stock.
_BASE = """
WITH base AS (
  SELECT p.id AS id, p.sku AS sku, p.title AS title,
         (ci.product_id IS NOT NULL AND ci.removed_at IS NULL) AS in_catalog,
         (p.active = 1 AND p.product_type = 'simple') AS simple_active,
         pr.price AS price, pr.list_price AS list_price,
         st.quantity AS stock,
         MAX(COALESCE(st.quantity, 0) - :buffer, 0) AS stock_to_send,
         (pc.category_id IS NOT NULL OR cm.category_id IS NOT NULL) AS has_category,
         (p.images IS NOT NULL AND json_valid(p.images) AND json_array_length(p.images) > 0) AS has_image,
         (rp.stock_code IS NOT NULL AND rp.status = :on_status AND rp.sale_status = :on_sale) AS on_sale,
         rp.sale_price AS n11_price, rp.list_price AS n11_list_price, rp.quantity AS n11_quantity,
         rp.status AS n11_status, rp.sale_status AS n11_sale_status, rp.reject_info AS reject_info,
         (rp.stock_code IS NOT NULL) AS known_on_n11
  FROM product p
  LEFT JOIN catalog_item ci ON ci.product_id = p.id
  LEFT JOIN price pr ON pr.product_id = p.id
  LEFT JOIN stock st ON st.product_id = p.id
  LEFT JOIN product_category pc ON pc.product_id = p.id
  LEFT JOIN category_mapping cm ON cm.local_category = p.category
  LEFT JOIN remote_product rp ON rp.stock_code = p.sku
)
"""

# Predicates over ``base`` for each KPI's member list (click-through).
SALEABLE = "(price IS NOT NULL AND price > 0 AND COALESCE(stock, 0) > 0 AND has_category AND has_image AND in_catalog)"
CATALOG = "(in_catalog AND simple_active)"
PRICE_DIFF = "(on_sale AND (n11_price IS NOT price OR n11_list_price IS NOT list_price))"
STOCK_DIFF = "(on_sale AND n11_quantity IS NOT stock_to_send)"

MEMBERS: dict[str, str] = {
    "total_sku_in_catalog": CATALOG,
    "skus_on_sale": "on_sale",
    "total_sku_difference": f"({CATALOG} AND {SALEABLE} AND NOT on_sale)",
    "skus_with_price_difference": PRICE_DIFF,
    "total_stock_in_catalog": CATALOG,
    "total_stock_on_sale": "on_sale",
    "total_stock_difference": f"({CATALOG} AND NOT on_sale)",
    "skus_with_stock_difference": STOCK_DIFF,
}


#: the KPI SQL above is SQLite's; on PostgreSQL these pieces read the same rows the same way
_PG_REPLACE = (
    ("(p.active = 1 AND", "(p.active AND"),
    ("MAX(COALESCE(st.quantity, 0) - :buffer, 0)", "GREATEST(COALESCE(st.quantity, 0) - :buffer, 0)"),
    ("(p.images IS NOT NULL AND json_valid(p.images) AND json_array_length(p.images) > 0)",
     "(p.images IS NOT NULL AND json_typeof(p.images) = 'array' AND json_array_length(p.images) > 0)"),
    ("IS NOT price", "IS DISTINCT FROM price"),
    ("IS NOT list_price", "IS DISTINCT FROM list_price"),
    ("IS NOT stock_to_send", "IS DISTINCT FROM stock_to_send"),
)


def _dialect_sql(session: Session, sql: str) -> str:
    """``sql`` for the session's engine: SUM over a condition counts its true rows on both."""
    if session.get_bind().dialect.name != "postgresql":
        return sql
    for a, b in _PG_REPLACE:
        sql = sql.replace(a, b)
    import re

    # SUM(condition) -> SUM((condition)::int): PostgreSQL does not add up booleans
    out, i = [], 0
    for m in re.finditer(r"SUM\(", sql):
        start = m.end()
        depth, j = 1, start
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[j], 0)
            j += 1
        inner = sql[start:j - 1]
        if inner.lstrip().startswith("CASE"):
            continue
        out.append(sql[i:start] + f"({inner})::int)")
        i = j
    out.append(sql[i:])
    return "".join(out)


def _params(buffer_stock: int) -> dict[str, Any]:
    return {"buffer": max(0, int(buffer_stock or 0)), "on_status": ON_SALE_STATUS, "on_sale": ON_SALE_SALE_STATUS}


def compute_kpis(session: Session, *, buffer_stock: int = 0) -> Kpis:
    sql = _BASE + f"""
    SELECT
      COALESCE(SUM({CATALOG}), 0),
      COALESCE(SUM(on_sale), 0),
      COALESCE(SUM({CATALOG} AND {SALEABLE} AND NOT on_sale), 0),
      COALESCE(SUM({PRICE_DIFF}), 0),
      COALESCE(SUM(CASE WHEN {CATALOG} THEN COALESCE(stock, 0) ELSE 0 END), 0),
      COALESCE(SUM(CASE WHEN on_sale THEN COALESCE(n11_quantity, 0) ELSE 0 END), 0),
      COALESCE(SUM(CASE WHEN {CATALOG} AND NOT on_sale THEN COALESCE(stock, 0) ELSE 0 END), 0),
      COALESCE(SUM({STOCK_DIFF}), 0)
    FROM base
    """
    row = session.execute(text(_dialect_sql(session, sql)), _params(buffer_stock)).one()
    return Kpis(*(int(v or 0) for v in row))


@dataclass(frozen=True, slots=True)
class KpiMember:
    product_id: int
    sku: str
    title: str
    price: Any
    n11_price: Any
    stock: int | None
    stock_to_send: int
    n11_quantity: int | None
    n11_status: str | None


def kpi_members(session: Session, kpi: str, *, buffer_stock: int = 0, limit: int = 5000) -> tuple[KpiMember, ...]:
    """The SKUs behind a KPI (the dashboard's click-through list)."""
    predicate = MEMBERS[kpi]
    sql = _BASE + f"""
    SELECT id, sku, title, price, n11_price, stock, stock_to_send, n11_quantity,
           COALESCE(n11_status, '') || CASE WHEN n11_sale_status IS NOT NULL THEN ' / ' || n11_sale_status ELSE '' END
    FROM base WHERE {predicate} ORDER BY sku LIMIT :limit
    """
    from .storage.models import Money

    money = Money()
    rows = session.execute(text(_dialect_sql(session, sql)), {**_params(buffer_stock), "limit": limit}).all()
    return tuple(
        KpiMember(r[0], r[1], r[2] or "", money.process_result_value(r[3], None),
                  money.process_result_value(r[4], None), r[5], int(r[6] or 0), r[7], r[8] or None)
        for r in rows
    )


def queue_depth(session: Session) -> int:
    """Catalog products waiting to be sent: never accepted by N11, or changed since the last send."""
    sql = """
    SELECT COUNT(*) FROM product p
    JOIN catalog_item ci ON ci.product_id = p.id AND ci.removed_at IS NULL
    LEFT JOIN integration_action ia ON ia.content_type = 'product' AND ia.object_id = p.id
    WHERE ia.id IS NULL OR ia.version_date IS NULL OR ia.version_date < p.version_date
    """
    return int(session.execute(text(sql)).scalar() or 0)


def penalty_depth(session: Session) -> int:
    return int(session.execute(text("SELECT COUNT(*) FROM failed_integration WHERE is_active = TRUE")).scalar() or 0)


def take_snapshot(session: Session, now: datetime, *, buffer_stock: int = 0) -> dict[str, int]:
    values: dict[str, int] = compute_kpis(session, buffer_stock=buffer_stock).as_dict()
    values["queue_depth"] = queue_depth(session)
    values["penalty_depth"] = penalty_depth(session)
    session.add(KpiSnapshot(taken_at=now, values=values))
    return values


@dataclass(frozen=True, slots=True)
class Series:
    """A chart series: x = unix seconds, y = values (plain tuples so they cross threads)."""

    name: str
    x: tuple[float, ...]
    y: tuple[float, ...]


def kpi_history(session: Session, since: datetime, names: tuple[str, ...], *, max_points: int = 2000) -> tuple[Series, ...]:
    """KPI series since ``since``; thinned to ``max_points`` so a year of snapshots stays smooth."""
    rows = session.execute(
        text("SELECT taken_at, \"values\" FROM kpi_snapshot WHERE taken_at >= :since ORDER BY taken_at"),
        {"since": since},
    ).all()
    step = max(1, len(rows) // max_points)
    rows = rows[::step]
    import json

    xs: list[float] = []
    ys: dict[str, list[float]] = {n: [] for n in names}
    for taken_at, values in rows:
        ts = taken_at if isinstance(taken_at, datetime) else datetime.fromisoformat(str(taken_at))
        vals = values if isinstance(values, dict) else json.loads(values or "{}")
        xs.append(_epoch(ts))
        for n in names:
            ys[n].append(float(vals.get(n, 0) or 0))
    return tuple(Series(n, tuple(xs), tuple(ys[n])) for n in names)


def flow_runs_per_hour(session: Session, since: datetime) -> tuple[Series, Series]:
    """Successful and failed flow runs per hour since ``since``."""
    rows = session.execute(
        text(
            ("SELECT to_char(date_trunc('hour', started_at), 'YYYY-MM-DD HH24:00:00') AS h, "
             if session.get_bind().dialect.name == "postgresql" else
             "SELECT strftime('%Y-%m-%d %H:00:00', started_at) AS h, ")
            + "SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) "
            "FROM flow_run WHERE started_at >= :since GROUP BY h ORDER BY h"
        ),
        {"since": since},
    ).all()
    xs = tuple(_epoch(datetime.fromisoformat(r[0])) for r in rows)
    return (Series("succeeded", xs, tuple(float(r[1] or 0) for r in rows)),
            Series("failed", xs, tuple(float(r[2] or 0) for r in rows)))


def _epoch(dt: datetime) -> float:
    from datetime import timezone

    return dt.replace(tzinfo=timezone.utc).timestamp()
