"""With the sandbox injecting faults, the order flows complete or fail cleanly, and converge once
the faults stop (DESIGN §11): every local change reaches N11 exactly as far as it should."""

from __future__ import annotations

from n11_desktop.core.orders import actions

from .conftest import orders, run


def test_order_update_and_claims_converge_after_faults(orders_db, ctl, sandbox):
    pkgs = [ctl.order(n_lines=1) for _ in range(10)]
    assert run(orders_db, "order_create").ok
    got = orders(orders_db)
    for n, pkg in enumerate(pkgs):
        order, items = got[pkg["orderNumber"]]
        if n % 2:
            actions.ship(orders_db, order.id, [items[0].id], f"TRK{n}")
        else:
            actions.approve(orders_db, order.id, [items[0].id])
    claims = [ctl.claim(p["orderNumber"], p["lines"][0]["orderLineId"]) for p in (ctl.order(n_lines=1),)]
    assert run(orders_db, "order_create").ok
    ctl.post("faults", {"rate": 0.35, "kinds": ["http_500", "http_503", "reset", "malformed"]})
    for _ in range(3):
        for slug in ("order_update", "cancellation_requests", "cancel_refund_orders"):
            res = run(orders_db, slug)
            assert res.state.value in ("done", "failed")  # never hangs, never crashes the app
    ctl.post("faults", {"rate": 0})
    for slug in ("order_update", "cancellation_requests", "order_update"):
        assert run(orders_db, slug).ok
    got = orders(orders_db)
    for n, pkg in enumerate(pkgs):
        _, items = got[pkg["orderNumber"]]
        want = "shipped" if n % 2 else "approved"
        assert items[0].status == want and items[0].sent_status == want, (n, items[0].status, items[0].sent_status)
        status = sandbox.state.packages[pkg["id"]]["shipmentPackageStatus"]
        assert status == ("Shipped" if n % 2 else "Picking")
    assert sandbox.state.claims[claims[0]["claimCancelId"]]["status"] == "COMPLETED"
    assert run(orders_db, "order_update").total == 0
