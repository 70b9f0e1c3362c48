"""Qt-free jobs the Orders screen and its dialogs run on their worker: named here so they are
reusable and testable without a display (the views only submit them and show the result)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from .queries import DEFAULT_ORDER, OrderFilter, OrderRow


# ---------------------------------------------------------------------------- the orders table
def load_orders(db: Any, f: OrderFilter, limit: int,
                order_by: str = DEFAULT_ORDER) -> tuple[int, tuple[OrderRow, ...]]:
    """(how many orders match, the first ``limit`` of them sorted by ``order_by``, see ``queries.list_orders``)."""
    from .queries import count_orders, list_orders

    with db.session_factory() as s:
        return count_orders(s, f), tuple(list_orders(s, f, 0, limit, order_by))


def load_more_orders(db: Any, f: OrderFilter, offset: int, limit: int,
                     order_by: str = DEFAULT_ORDER) -> tuple[OrderRow, ...]:
    """The next page in the same order as ``load_orders``."""
    from .queries import list_orders

    with db.session_factory() as s:
        return tuple(list_orders(s, f, offset, limit, order_by))


def load_problems(db: Any):
    """(failed orders, how many address names wait for a mapping, counts per status incl. history,
    claims waiting for an answer)."""
    from .address import unmapped_addresses
    from .importer import history_orders
    from .queries import failed_orders, status_counts, waiting_claims

    with db.session_factory() as s:
        counts = status_counts(s)
        counts["history"] = len(history_orders(s))
        return failed_orders(s), len(unmapped_addresses(s)), counts, waiting_claims(s)


def load_order_detail(db: Any, order_id: int):
    from .queries import order_detail

    with db.session_factory() as s:
        return order_detail(s, order_id)


def export_orders_csv(db: Any, f: OrderFilter, path: str | Path) -> tuple[int, str]:
    """One line per order line to ``path`` (written whole or not at all); (lines, path)."""
    from ..inputs import neutralise_dict
    from .queries import export_rows

    with db.session_factory() as s:
        rows = export_rows(s, f)
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    fields = list(rows[0]) if rows else ["order_number", "n11_order_number", "line_id"]
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(neutralise_dict(r) for r in rows)  # no live formulas for Excel (OWASP)
    os.replace(tmp, target)
    return len(rows), str(target)


def mark_reported_from_file(db: Any, path: str | Path):
    """The orders listed in ``path`` were reported to the ERP (the same as ``orders mark-reported``)."""
    from . import actions

    return actions.mark_reported(db, actions.read_order_numbers(path))


def start_webhook(db: Any):
    """Serve the OMS split-package web hook when the flag and token are set; the running server or None."""
    from ..settings import load_config
    from .webhook import WebhookServer, split_via_flow, webhook_settings

    with db.session_factory() as s:
        ws = webhook_settings(load_config(s))
    if ws is None:
        return None
    return WebhookServer(ws.host, ws.port, token=ws.token, on_split=split_via_flow(db),
                         oms_channel_id=ws.oms_channel_id).start()


# ---------------------------------------------------------------------------- address and cargo mapping
def load_unmapped_addresses(db: Any):
    from .address import unmapped_addresses

    with db.session_factory() as s:
        return unmapped_addresses(s)


def load_address_candidates(db: Any, entry):
    """Local address nodes the N11 name ``entry`` may stand for, best first."""
    from ..settings import load_config
    from .address import candidates_for

    with db.session_factory() as s:
        return candidates_for(s, entry, load_config(s).channel_id)


def map_address(db: Any, entry_id: int, local_id: int) -> None:
    from .address import set_mapping

    with db.session_factory.begin() as s:
        set_mapping(s, entry_id, int(local_id))


def add_and_map_address(db: Any, entry_id: int):
    """Add the N11 name to the local address tree and map it; returns the new node."""
    from ..settings import load_config
    from .address import create_and_map

    with db.session_factory.begin() as s:
        return create_and_map(s, entry_id, load_config(s).channel_id)


def load_cargo(db: Any):
    """(local cargo companies with their N11 mapping, N11's shipment companies)."""
    from .cargo import cargo_rows

    with db.session_factory() as s:
        return cargo_rows(s)


def save_cargo(db: Any, rows) -> int:
    from .cargo import save_cargo_rows

    with db.session_factory.begin() as s:
        return save_cargo_rows(s, rows)
