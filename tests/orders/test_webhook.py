"""The OMS split-package web hook: token, size and shape checks, and a real split on the sandbox."""

from __future__ import annotations

import json

import pytest
import requests

from n11_desktop.core.orders.webhook import (
    InvalidSplitRequest,
    SplitAnswer,
    WebhookServer,
    parse_split_request,
    split_via_flow,
)

from .conftest import orders, run

TOKEN = "s3cret-token-123"
GOOD = {"event": "order.split_package_7",
        "data": {"order_number": "2026000000001", "packages": [{"order_line_ids": [1]}, {"order_line_ids": [2]}]}}


@pytest.fixture
def hook():
    calls = []

    def on_split(req):
        calls.append(req)
        return SplitAnswer(True, "ok")

    server = WebhookServer(port=0, token=TOKEN, on_split=on_split, max_body=2048, oms_channel_id=7).start()
    server.calls = calls
    yield server
    server.stop()


def post(server, body, token=TOKEN, raw=None, path="/flow-trigger/mp-n11/split_packages"):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Token {token}"
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(server.url + path, data=data, headers=headers, timeout=5)


def test_binds_loopback_by_default(hook):
    assert hook.host == "127.0.0.1"


def test_good_token_accepted(hook):
    r = post(hook, GOOD)
    assert r.status_code == 200 and r.json()["ok"] is True
    (req,) = hook.calls
    assert req.order_number == "2026000000001" and req.groups == ((1,), (2,)) and req.oms_channel_id == 7


def test_missing_token_rejected(hook):
    r = post(hook, GOOD, token=None)
    assert r.status_code == 401 and hook.calls == []


def test_wrong_token_rejected(hook):
    assert post(hook, GOOD, token="wrong-token-xyz").status_code == 403
    r = requests.post(hook.url + "/flow-trigger/x/split_packages", json=GOOD,
                      headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert r.status_code == 403 and hook.calls == []


def test_oversize_body_rejected_unread(hook):
    big = dict(GOOD, padding="x" * 5000)
    r = post(hook, big)
    assert r.status_code == 413 and hook.calls == []


def test_malformed_json_rejected(hook):
    r = post(hook, None, raw=b'{"event": "order.split_package_7", ')
    assert r.status_code == 400 and "malformed JSON" in r.json()["error"] and hook.calls == []
    r = post(hook, None, raw=b"\xff\xfe")
    assert r.status_code == 400


def test_wrong_event_or_shape_rejected(hook):
    assert post(hook, dict(GOOD, event="order.created")).status_code == 422
    r = post(hook, dict(GOOD, event="order.split_package_8"))
    assert r.status_code == 422 and "OMS channel 8" in r.json()["error"]
    assert post(hook, {"event": "order.split_package_7", "data": {"order_number": "1", "packages": []}}) \
        .status_code == 422
    assert post(hook, [1, 2]).status_code == 422
    assert hook.calls == []


def test_unknown_path_and_method(hook):
    assert post(hook, GOOD, path="/flow-trigger/x/other").status_code == 404
    assert requests.get(hook.url + "/flow-trigger/x/split_packages", timeout=5).status_code == 405


def test_parse_accepts_omnitron_shapes():
    req = parse_split_request({"event": "order.split_package_3", "data": {
        "orderNumber": 123, "packages": [{"items": [{"remote_id": "11"}, {"orderLineId": 12}]}, {"orderLineIds": [13]}]}})
    assert req.groups == ((11, 12), (13,)) and req.order_number == "123"
    with pytest.raises(InvalidSplitRequest, match="more than one package"):
        parse_split_request({"event": "order.split_package_3",
                             "data": {"order_number": "1", "packages": [[1], [1]]}})
    with pytest.raises(InvalidSplitRequest, match="not a number"):
        parse_split_request({"event": "order.split_package_3", "data": {"order_number": "1", "packages": [["x"]]}})


def test_short_token_refused():
    with pytest.raises(ValueError, match="at least 8"):
        WebhookServer(token="abc", on_split=lambda r: True)


def test_webhook_splits_the_package_on_n11(orders_db, ctl, sandbox):
    pkg = ctl.order(n_lines=3)
    assert run(orders_db, "order_create").ok
    ctl.status(pkg["id"], "Picking")
    assert run(orders_db, "order_create").ok
    order, items = orders(orders_db)[pkg["orderNumber"]]
    lines = [int(i.n11_line_id) for i in items]
    with WebhookServer(port=0, token=TOKEN, on_split=split_via_flow(orders_db)) as server:
        body = {"event": "order.split_package_1",
                "data": {"order_number": order.number, "packages": [{"order_line_ids": lines[:1]},
                                                                    {"order_line_ids": lines[1:]}]}}
        r = post(server, body)
        assert r.status_code == 200, r.text
        bad = dict(body, data=dict(body["data"], packages=[{"order_line_ids": [999]}, {"order_line_ids": lines}]))
        r2 = post(server, bad)
        assert r2.status_code == 502 and "not in order" in r2.json()["message"]
    states = sorted(p["shipmentPackageStatus"] for p in
                    (sandbox.state.package_json(p) for p in sandbox.state.packages.values()))
    assert states == ["Picking", "Picking", "Unpacked"]
    order, items = orders(orders_db)[pkg["orderNumber"]]
    assert len(items) == 3 and len({i.package_id for i in items}) == 2
    assert all(i.status == "approved" for i in items)
