"""Fault injection and the /_sandbox control API."""

from __future__ import annotations

import json

import pytest
import requests

from n11_desktop.sandbox.server import SandboxServer

from .conftest import AUTH

CATS = "/cdn/category/1002571/attribute"


@pytest.fixture
def faulty():
    server = SandboxServer(seed=5)
    server.start()
    yield server
    server.stop()


def _get(server, path=CATS, timeout=5):
    with requests.Session() as s:
        return s.get(server.url + path, headers=AUTH, timeout=timeout)


def test_each_fault_kind_is_visible_to_a_client(faulty):
    st = faulty.state
    st.set_faults(rate=1.0, kinds=["http_500"])
    assert _get(faulty).status_code == 500
    st.set_faults(kinds=["http_503"])
    assert _get(faulty).status_code == 503
    st.set_faults(kinds=["wrong_content_type"])
    r = _get(faulty)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    st.set_faults(kinds=["malformed"])
    r = _get(faulty)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.text)
    st.set_faults(kinds=["reset"])
    with pytest.raises(requests.ConnectionError):
        _get(faulty)
    st.set_faults(kinds=["timeout"], timeout_s=3)
    with pytest.raises(requests.exceptions.ReadTimeout):
        _get(faulty, timeout=0.3)
    st.set_faults(kinds=["latency"], latency_ms=20)
    assert _get(faulty).json()["id"] == 1002571
    st.set_faults(rate=0.0)
    assert _get(faulty).status_code == 200


def test_malformed_soap_body(faulty):
    faulty.state.set_faults(rate=1.0, kinds=["malformed"])
    body = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:sch="http://www.n11.com/ws/schemas"><soapenv:Body><sch:GetCitiesRequest><auth>'
            '<appKey>demo-app-key</appKey><appSecret>demo-app-secret</appSecret></auth>'
            '</sch:GetCitiesRequest></soapenv:Body></soapenv:Envelope>')
    with requests.Session() as s:
        r = s.post(faulty.url + "/ws/cityService/", data=body, timeout=5)
    assert r.status_code == 200 and not r.text.rstrip().endswith("</SOAP-ENV:Envelope>")


def test_control_api_is_never_faulted(faulty):
    faulty.state.set_faults(rate=1.0, kinds=["http_500", "reset"])
    with requests.Session() as s:
        for _ in range(5):
            assert s.get(faulty.url + "/_sandbox/state", timeout=5).status_code == 200


def test_faults_are_deterministic_with_seed():
    def sequence():
        with SandboxServer(seed=42, fault_rate=0.5) as server:
            server.state.set_faults(kinds=["http_500"])
            with requests.Session() as s:
                return [s.get(server.url + CATS, headers=AUTH, timeout=5).status_code
                        for _ in range(20)]
    a, b = sequence(), sequence()
    assert a == b and 500 in a and 200 in a


def test_control_api_scenario(faulty):
    url = faulty.url
    with requests.Session() as s:
        r = s.post(url + "/_sandbox/orders", json={"count": 2, "plate": 34,
                                                    "shipmentCompanyId": 344})
        assert r.status_code == 200
        pkgs = r.json()["packages"]
        assert len(pkgs) == 2 and pkgs[0]["shippingAddress"]["city"] == "İstanbul"
        assert pkgs[0]["cargoProviderName"] == "Yurtiçi Kargo"
        pid = pkgs[0]["id"]
        r = s.post(f"{url}/_sandbox/packages/{pid}/status", json={"status": "Shipped"})
        assert r.json()["shipmentPackageStatus"] == "Shipped" and r.json()["cargoSenderNumber"]
        r = s.post(f"{url}/_sandbox/packages/{pid}/status", json={"status": "Bogus"})
        assert r.status_code == 400 and "Bogus" in r.json()["error"]
        assert s.post(f"{url}/_sandbox/packages/1/status", json={"status": "Shipped"}).status_code == 404
        r = s.post(url + "/_sandbox/claims", json={"orderNumber": pkgs[1]["orderNumber"],
                                                    "lineId": pkgs[1]["lines"][0]["orderLineId"]})
        claim = r.json()
        assert claim["status"] == "REQUESTED" and claim["claimCancelId"]
        r = s.post(url + "/_sandbox/claims", json={"complete": claim["claimCancelId"]})
        assert r.json()["status"] == "COMPLETED"
        r = s.post(url + "/_sandbox/faults", json={"rate": 0.25, "kinds": ["http_503"]})
        assert r.json()["faultRate"] == 0.25
        assert s.post(url + "/_sandbox/faults", json={"kinds": ["nope"]}).status_code == 400
        s.post(url + "/_sandbox/faults", json={"rate": 0})
        r = s.post(url + "/_sandbox/products", json={"stockCode": "CTL-1", "salePrice": "10"})
        assert r.json()["stockCode"] == "CTL-1"
        r = s.post(f"{url}/ms/product/tasks/price-stock-update", headers=AUTH,
                   json={"payload": {"integrator": "t", "skus": [{"stockCode": "CTL-1", "quantity": 3}]}})
        assert r.json()["status"] == "IN_QUEUE"
        assert s.post(url + "/_sandbox/tasks/process", json={}).json()["processed"] == 1
        state = s.get(url + "/_sandbox/state").json()
        assert state["orders"] == 2 and state["tasksInQueue"] == 0 and state["products"] == 1
        assert s.post(url + "/_sandbox/reset", json={}).json()["orders"] == 0
        assert s.post(url + "/_sandbox/orders", data="{bad").status_code == 400


def test_demo_mode_keeps_producing_orders():
    with SandboxServer(demo_orders=True, demo_interval_s=0.01) as server:
        import time
        deadline = time.monotonic() + 10
        while len(server.state.orders) < 40:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        summary = server.state.summary()
        assert summary["claims"] >= 1  # buyers cancel some; the seller (the app) approves


def test_lost_ack_applies_the_request_then_drops_the_answer(faulty):
    st = faulty.state
    assert "lost_ack" not in st.fault_kinds  # opt-in only
    st.set_faults(rate=1.0, kinds=["lost_ack"])
    body = {"payload": {"integrator": "t", "skus": [{"stockCode": "LA-1", "quantity": 1}]}}
    with requests.Session() as s:
        with pytest.raises(requests.ConnectionError):
            s.post(faulty.url + "/ms/product/tasks/price-stock-update", json=body,
                   headers=AUTH, timeout=5)
    st.set_faults(rate=0.0)
    assert len(st.tasks) == 1  # N11 did take the task although the client never heard


def test_control_api_bad_order_lines_are_400_with_a_message(faulty):
    with requests.Session() as s:
        r = s.post(faulty.url + "/_sandbox/orders", json={"lines": [{"quantity": 2}]})
        assert r.status_code == 400 and "stockCode" in r.json()["error"]
        r = s.post(faulty.url + "/_sandbox/orders", json={"lines": [{"stockCode": "A", "quantity": 0}]})
        assert r.status_code == 400 and "quantity" in r.json()["error"]
        assert faulty.state.summary()["orders"] == 0
