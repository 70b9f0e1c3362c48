"""Local, stateful simulator of N11's seller API (REST + SOAP), following ``n11/API.md``.

It shares no protocol code with the N11 client (``n11_desktop.core.n11``): its XML/JSON
building and parsing are its own, so a mistake on one side cannot hide behind the same
mistake on the other.

Python API (tests, ``--demo``)::

    from n11_desktop.sandbox import SandboxServer, DEMO_APP_KEY, DEMO_APP_SECRET
    with SandboxServer(port=0, task_delay_ms=50) as sb:      # serves in a daemon thread
        sb.url, sb.base_url                                   # "http://127.0.0.1:PORT", url + "/ws/"
        st = sb.state                                         # one lock; same ops as /_sandbox/
        st.add_product(stockCode="A-1", salePrice="10")       # an Active remote product
        pkgs = st.create_order([{"stockCode": "A-1", "quantity": 2}])   # REST package dicts
        st.advance_package(pkgs[0]["id"], "Picking")          # or "LATE_SHIPMENT"
        claim = st.create_claim(pkgs[0]["orderNumber"], pkgs[0]["lines"][0]["orderLineId"])
        st.complete_claim(claim["claimCancelId"])             # buyer/N11 side completion
        st.create_claim(..., kind="return")                   # ReturnService claim
        st.set_faults(rate=0.3, kinds=["http_500", "timeout"], timeout_s=2)
        st.process_tasks_now(); st.approve_products_now()     # skip the delays
        st.products, st.tasks, st.requests_log, st.summary(), st.reset()

Catalog-rejection trigger: ``REJECTME`` in a created product's title or description.
"""

from .server import DEMO_APP_KEY, DEMO_APP_SECRET, SandboxServer

__all__ = ["DEMO_APP_KEY", "DEMO_APP_SECRET", "SandboxServer"]
