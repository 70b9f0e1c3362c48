"""Demo set-up for orders: the local address tree (81 provinces, 973 townships; see .addresstree), the default
cargo mapping (local cargo companies ↔ N11 shipment companies) and, when the channel points
at a sandbox, a first batch of orders in several states so the Orders tab shows real work."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from sqlalchemy import select

from ..storage.models import CargoCompany, N11ShipmentCompany

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "resources" / "data"

# local cargo company id, name, code, N11 shipment company id
DEFAULT_CARGO = [
    (101, "Yurtiçi Kargo", "YK", 344),
    (102, "Aras Kargo", "ARAS", 345),
    (103, "MNG Kargo", "MNG", 342),
    (104, "PTT Kargo", "PTT", 381),
    (105, "Sürat Kargo", "SURAT", 341),
    (106, "UPS Kargo", "UPS", 343),
]


def seed_address_tree(db, *, neighbourhoods: bool = False) -> int:
    """Local cities and townships (and, on request, neighbourhoods) from the packaged PTT list
    (idempotent). Returns cities added."""
    from .addresstree import ensure_address_tree

    return ensure_address_tree(db, neighbourhoods=neighbourhoods)["cities"]


def seed_cargo_mapping(db) -> int:
    path = DATA_DIR / "n11_shipment_companies.json"
    companies = json.loads(path.read_text(encoding="utf-8"))["shipmentCompanies"] if path.exists() else []
    added = 0
    with db.session_factory.begin() as s:
        for c in companies:
            if s.get(N11ShipmentCompany, int(c["id"])) is None:
                s.add(N11ShipmentCompany(id=int(c["id"]), name=c["name"], short_name=c.get("shortName")))
        for cid, name, code, n11_id in DEFAULT_CARGO:
            if s.get(CargoCompany, cid) is None:
                s.add(CargoCompany(id=cid, name=name, code=code, n11_shipment_company_id=n11_id, is_active=True))
                added += 1
    return added


def seed_demo_orders_setup(db) -> None:
    seed_address_tree(db)
    seed_cargo_mapping(db)
    try:
        _demo_orders(db)
    except Exception as exc:  # noqa: BLE001 - the demo must start even if this part fails
        log.warning("demo orders not prepared: %s", exc)


def _demo_orders(db) -> None:
    """Create a few orders on the sandbox and import them (only against a local sandbox)."""
    from urllib.parse import urlsplit

    import requests

    from ..flows.base import run_flow
    from ..settings import load_config

    with db.session_factory() as s:
        cfg = load_config(s)
    parts = urlsplit(cfg.base_url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        return
    root = f"{parts.scheme}://{parts.netloc}"
    http = requests.Session()
    try:
        created = http.post(f"{root}/_sandbox/orders", json={"count": 24}, timeout=10).json()["packages"]
        # imported while New (only New packages create orders), then they move on as a store's orders do
        run_flow("order_create", db, trigger="demo")
        for n, pkg in enumerate(created):
            if n % 3 == 1:
                http.post(f"{root}/_sandbox/packages/{pkg['id']}/status", json={"status": "Picking"}, timeout=10)
            elif n % 6 == 2:
                for st in ("Picking", "Shipped"):
                    http.post(f"{root}/_sandbox/packages/{pkg['id']}/status", json={"status": st}, timeout=10)
            elif n % 6 == 5:
                for st in ("Picking", "Shipped", "Delivered"):
                    http.post(f"{root}/_sandbox/packages/{pkg['id']}/status", json={"status": st}, timeout=10)
            elif n == 3:
                http.post(f"{root}/_sandbox/packages/{pkg['id']}/status", json={"status": "LATE_SHIPMENT"},
                          timeout=10)
    finally:
        http.close()
    run_flow("order_create", db, trigger="demo", options={"late": True})
    # a little history: invoices, ERP reports and a cancellation request
    from sqlalchemy import select

    from ..storage.models import Order
    from . import actions

    with db.session_factory() as s:
        rows = s.execute(select(Order.id, Order.n11_order_number, Order.status).order_by(Order.id)).all()
    for n, (oid, number, status) in enumerate(rows):
        if status in ("shipped", "delivered"):
            actions.attach_invoice(db, oid, f"https://erp.example.com/invoices/{number}.pdf")
        if n % 2 == 0:
            actions.mark_reported(db, [number])
    from ..storage.models import OrderItem

    waiting = [r for r in rows if r[2] == "waiting_approval"][:2]
    http = requests.Session()
    try:
        for oid, number, _ in waiting:
            with db.session_factory() as s:
                line = s.scalar(select(OrderItem.n11_line_id).where(OrderItem.order_id == oid).limit(1))
            http.post(f"{root}/_sandbox/claims", json={"orderNumber": number, "lineId": int(line)}, timeout=10)
    finally:
        http.close()
    if waiting:
        run_flow("cancellation_requests", db, trigger="demo")
        run_flow("cancel_refund_orders", db, trigger="demo")
    run_flow("send_invoice_link", db, trigger="demo")
