"""Fixtures for the N11 client tests.

``client`` talks to the real sandbox (``sandbox`` fixture of tests/conftest.py) over loopback
HTTP with small timeouts, a recorded (non-waiting) ``sleep`` and every :class:`Exchange`
collected; after each test it asserts that the App Secret appears in no exchange.

``scripted`` is a tiny local ``http.server`` that answers with scripted raw responses — used
for what the sandbox does not produce (hostile XML, 429 with Retry-After, odd bodies).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from n11_desktop.core.n11 import N11Client

DEMO_APP_KEY = "demo-app-key"
DEMO_APP_SECRET = "demo-app-secret"


class Recorder:
    def __init__(self) -> None:
        self.exchanges = []
        self.sleeps: list[float] = []

    def on_exchange(self, ex) -> None:
        self.exchanges.append(ex)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def assert_no_secret(self, secret: str) -> None:
        for ex in self.exchanges:
            for f in dataclasses.fields(ex):
                value = getattr(ex, f.name)
                text = repr(dict(value)) if isinstance(value, dict) else str(value)
                assert secret not in text, f"secret leaked in Exchange.{f.name}: {text[:300]}"


@pytest.fixture
def rec():
    return Recorder()


def make_client(base_url: str, rec: Recorder, *, key=DEMO_APP_KEY, secret=DEMO_APP_SECRET, **kw) -> N11Client:
    kw.setdefault("timeout", (2.0, 5.0))
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    return N11Client(base_url, key, secret, sleep=rec.sleep, on_exchange=rec.on_exchange, **kw)


@pytest.fixture
def client(sandbox, rec):
    c = make_client(sandbox.base_url, rec)
    yield c
    c.close()
    rec.assert_no_secret(DEMO_APP_SECRET)


class ScriptedServer:
    """Answers each request with the next scripted response (status, headers, body)."""

    def __init__(self) -> None:
        self.responses: deque = deque()
        self.default = (503, {"Content-Type": "text/html"}, b"<html>no script</html>")
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # quiet
                pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                outer.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                status, headers, payload = outer.responses.popleft() if outer.responses else outer.default
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add(self, status: int, body: bytes | str, content_type: str = "application/json", **headers: str):
        if isinstance(body, str):
            body = body.encode("utf-8")
        h = {"Content-Type": content_type}
        h.update({k.replace("_", "-"): v for k, v in headers.items()})
        self.responses.append((status, h, body))

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def scripted():
    server = ScriptedServer()
    yield server
    server.stop()


@pytest.fixture
def scripted_client(scripted, rec):
    c = make_client(scripted.url + "/ws/", rec, secret="s3cr3t-value")
    yield c
    c.close()
    rec.assert_no_secret("s3cr3t-value")
