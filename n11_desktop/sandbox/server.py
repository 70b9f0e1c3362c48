"""The N11 sandbox HTTP server (stdlib ``ThreadingHTTPServer``).

Routes: ``/cdn``, ``/ms``, ``/rest`` → REST (:mod:`.rest`); ``POST /ws/...`` → SOAP routed
by the body's root element (:mod:`.soap`); ``GET /ws/<Service>.wsdl`` → packaged WSDL with
``soap:address`` pointing here; ``/_sandbox/...`` → JSON control API (never faulted);
anything else → 503 HTML like production's edge.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from ..gcpause import gc_paused
from . import rest, soap
from .state import SandboxState
from .xmlio import wsdl_with_address

DEMO_APP_KEY = "demo-app-key"
DEMO_APP_SECRET = "demo-app-secret"
MAX_BODY = 32 * 1024 * 1024
CLOSED_WSDLS = {"ProductStockService", "ProductSellingService", "WebHookService"}
_WSDL_RE = re.compile(r"^/ws/([A-Za-z]+)\.wsdl$")
_ENDPOINT_RE = re.compile(r"^/ws/([A-Za-z]+)/?$")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, handler, sandbox: "SandboxServer"):
        self.sandbox = sandbox
        self.open_sockets: set[socket.socket] = set()
        self.sock_lock = threading.Lock()
        super().__init__(addr, handler)

    def process_request(self, request, client_address):
        with self.sock_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.sock_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall per request
    server_version = "nginx"
    sys_version = ""
    timeout = 60

    server: _HTTPServer

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    # ------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            return None
        if n < 0 or n > MAX_BODY:
            return None
        return self.rfile.read(n)

    def _read_chunked(self) -> bytes | None:
        parts, total = [], 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            except ValueError:
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _send(self, status: int, ctype: str, body: bytes, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self, method: str) -> None:
        sb = self.server.sandbox
        sb._request_started()
        try:
            self._handle_request(method)
        finally:
            sb._request_ended()

    def _handle_request(self, method: str) -> None:
        sb = self.server.sandbox
        state = sb.state
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        body = self._read_body()
        if body is None:
            self._send(413, "text/plain", b"Request body too large", close=True)
            return
        control = path.startswith("/_sandbox")
        if not control:
            state.log_request(method, path, len(body))
        fault = None if control else (state.targeted_fault(path, query) or state.pick_fault())
        if sb.latency_ms > 0 and not control:
            sb.sleep(sb.latency_ms / 1000.0)
        if fault == "latency":
            sb.sleep(state.fault_latency_ms / 1000.0)
        elif fault == "http_500":
            self._send(500, "text/html", b"<html><body><h1>500 Internal Server Error</h1>"
                                         b"</body></html>")
            return
        elif fault == "http_503":
            self._send(503, "text/html", b"<html><body><h1>503 Service Temporarily "
                                         b"Unavailable</h1></body></html>")
            return
        elif fault == "timeout":
            sb.sleep(state.fault_timeout_s)
            self.close_connection = True
            return
        elif fault == "reset":
            self._reset()
            return
        elif fault == "wrong_content_type":
            self._send(200, "text/html;charset=utf-8",
                       b"<!DOCTYPE html><html><head><title>n11.com</title></head><body>"
                       b"Bakim calismasi</body></html>")
            return
        try:
            # no cyclic collection while a request is handled: a 1000-SKU post parses into ~7,000
            # short-lived dicts and lists whose collections, in the app's own process (an in-process
            # sandbox), were full collections of the app's heap under the GIL (0.1–0.5 s)
            with gc_paused(bulk=False):
                status, ctype, out = self._route(method, path, query, body)
        except Exception as exc:  # never let a handler bug kill the connection silently
            status, ctype, out = 500, "text/plain", f"sandbox error: {exc!r}".encode()
        if fault == "lost_ack":
            self._reset()
            return
        if fault == "malformed" and len(out) > 2:
            out = out[: max(1, len(out) // 2)]
        self._send(status, ctype, out)

    def _reset(self) -> None:
        """Close with RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True

    def _route(self, method: str, path: str, query: str, body: bytes):
        sb = self.server.sandbox
        state = sb.state
        if path.startswith("/_sandbox/"):
            return sb.control(method, path, body)
        if path.startswith("/ws/") or path == "/ws":
            m = _WSDL_RE.match(path)
            if method == "GET" and m is None and query.lower() == "wsdl":
                m = _ENDPOINT_RE.match(path)  # /ws/categoryService/?wsdl
            if method == "GET":
                if m and m.group(1).lower() not in {c.lower() for c in CLOSED_WSDLS}:
                    wsdl = wsdl_with_address(m.group(1), sb.url)
                    if wsdl is not None:
                        return 200, "text/xml;charset=UTF-8", wsdl
                return rest.html(405, "Method Not Allowed", "Request method 'GET' not supported")
            if method == "POST":
                return soap.handle(state, body)
            return rest.html(405, "Method Not Allowed", f"Request method '{method}' not supported")
        if path.startswith(("/cdn/", "/ms/", "/rest/")):
            return rest.handle(state, method, path, query, self.headers, body)
        return rest.html(503, "Service Unavailable",
                         "No server is available to handle this request.")


class SandboxServer:
    """A running N11 simulator. ``port=0`` picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, app_key: str = DEMO_APP_KEY,
                 app_secret: str = DEMO_APP_SECRET, latency_ms: int = 0,
                 fault_rate: float = 0.0, task_delay_ms: int = 1500, seed: int = 0,
                 demo_orders: bool = False, approval_delay_ms: int | None = None,
                 demo_interval_s: float = 5.0, fault_kinds: list[str] | None = None,
                 fault_timeout_s: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.latency_ms = latency_ms
        self.demo_orders = demo_orders
        self.demo_interval_s = demo_interval_s
        self.state = SandboxState(seed=seed, task_delay_ms=task_delay_ms,
                                  approval_delay_ms=approval_delay_ms, fault_rate=fault_rate,
                                  app_key=app_key, app_secret=app_secret,
                                  fault_kinds=fault_kinds, fault_timeout_s=fault_timeout_s)
        self._stop = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._demo_thread: threading.Thread | None = None
        self._task_thread: threading.Thread | None = None
        self._busy = threading.Condition()
        self._in_progress = 0  # requests being handled right now

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.url + "/ws/"

    def start(self) -> "SandboxServer":
        if self._httpd is not None:
            return self
        self._stop.clear()
        self._httpd = _HTTPServer((self.host, self.port), _Handler, self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name=f"n11-sandbox-{self.port}", daemon=True)
        self._thread.start()
        # N11 processes a task after answering the post: with no task delay, here
        self.state.task_worker = work = threading.Event()
        self._task_thread = threading.Thread(target=self._task_loop, args=(work,), daemon=True,
                                             name=f"n11-sandbox-tasks-{self.port}")
        self._task_thread.start()
        if self.demo_orders:
            self._demo_thread = threading.Thread(target=self._demo_loop, daemon=True,
                                                 name=f"n11-sandbox-demo-{self.port}")
            self._demo_thread.start()
        return self

    def stop(self) -> None:
        httpd = self._httpd
        if httpd is None:
            return
        self._stop.set()
        httpd.shutdown()
        with httpd.sock_lock:
            socks = list(httpd.open_sockets)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._demo_thread is not None:
            self._demo_thread.join(timeout=5)
        work, self.state.task_worker = self.state.task_worker, None
        if work is not None:
            work.set()
        if self._task_thread is not None:
            self._task_thread.join(timeout=5)
        with self.state.lock:  # a task accepted and not yet processed: processed now
            pass
        self._httpd = None
        self._thread = None
        self._demo_thread = None
        self._task_thread = None

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _request_started(self) -> None:
        with self._busy:
            self._in_progress += 1

    def _request_ended(self) -> None:
        with self._busy:
            self._in_progress -= 1
            if self._in_progress == 0:
                self._busy.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no request is being handled (a request whose client died still runs to its
        end, as on N11: a post that arrived becomes a task). False if still busy at ``timeout``."""
        with self._busy:
            return self._busy.wait_for(lambda: self._in_progress == 0, timeout=timeout)

    def sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server stops (stopping never hangs)."""
        self._stop.wait(max(0.0, seconds))

    def _task_loop(self, work: threading.Event) -> None:
        """The task worker: processes the tasks accepted with no delay, in the order posted,
        one chunk at a time (the state's lock and the interpreter are given up between
        chunks, so requests and, in-process, the app's threads are not held up for long)."""
        st = self.state
        while True:
            work.wait()
            if self._stop.is_set():
                return
            work.clear()
            while not self._stop.is_set():
                try:
                    if not st.work_step():
                        break
                except Exception:  # a task that breaks the sandbox's rules fails alone
                    pass
                time.sleep(0)

    def _demo_loop(self) -> None:
        while not self._stop.wait(self.demo_interval_s):
            try:
                self.state.demo_tick()
            except Exception:  # keep the demo going whatever happens
                pass

    # ------------------------------------------------------------------ control API

    def control(self, method: str, path: str, body: bytes):
        st = self.state
        try:
            doc = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return rest.jreply(400, {"error": f"invalid JSON: {exc}"})
        if not isinstance(doc, dict):
            return rest.jreply(400, {"error": "JSON object expected"})
        p = path.rstrip("/")
        try:
            if p == "/_sandbox/state" and method == "GET":
                return rest.jreply(200, st.summary())
            if method != "POST":
                return rest.jreply(405, {"error": f"{method} not allowed on {p}"})
            if p == "/_sandbox/orders":
                count = int(doc.pop("count", 1))
                kw = {k: doc[k] for k in ("lines", "status", "plate", "n_lines", "customer_name",
                                          "created_ms", "sender", "location_delivery",
                                          "delivery_address_type", "micro") if k in doc}
                if "shipmentCompanyId" in doc:
                    kw["shipment_company_id"] = int(doc["shipmentCompanyId"])
                pkgs = []
                for _ in range(max(1, count)):
                    before = set(st.packages)
                    made = st.create_order(**kw)
                    new_ids = sorted(set(st.packages) - before)
                    for pkg, pid in zip(made, new_ids):
                        pkg["sandboxPackageId"] = pid
                    pkgs += made
                return rest.jreply(200, {"packages": pkgs})
            m = re.match(r"^/_sandbox/packages/(\d+)/status$", p)
            if m:
                return rest.jreply(200, st.advance_package(int(m.group(1)), doc.get("status", "")))
            if p == "/_sandbox/claims":
                if "complete" in doc:
                    return rest.jreply(200, st.complete_claim(int(doc["complete"]),
                                                              doc.get("status", "COMPLETED")))
                return rest.jreply(200, st.create_claim(str(doc["orderNumber"]), doc["lineId"],
                                                        doc.get("status", "REQUESTED"),
                                                        kind=doc.get("kind", "cancel"),
                                                        quantity=doc.get("quantity"),
                                                        reason=doc.get("reason"),
                                                        reason_type=doc.get("reasonType")))
            if p == "/_sandbox/faults":
                st.set_faults(rate=doc.get("rate"), kinds=doc.get("kinds"),
                              timeout_s=doc.get("timeout_s"), latency_ms=doc.get("latency_ms"),
                              question_interval_s=doc.get("question_interval_s"),
                              alt_auth_failures=doc.get("alt_auth_failures"))
                return rest.jreply(200, st.summary())
            if p == "/_sandbox/faults/next":
                # fail the next ``count`` requests whose path (and query) contain these texts
                return rest.jreply(200, st.add_targeted_fault(str(doc["path"]), str(doc.get("query", "")),
                                                              int(doc.get("count", 1)),
                                                              str(doc.get("kind", "http_500"))))
            if p == "/_sandbox/products/edit":
                return rest.jreply(200, st.edit_product(str(doc.pop("stockCode")), **doc))
            if p == "/_sandbox/products/remove":
                return rest.jreply(200, st.remove_product(str(doc["stockCode"])))
            if p == "/_sandbox/products/list":
                return rest.jreply(200, {"products": st.product_rows()})
            if p == "/_sandbox/tasks/process":
                n = st.process_tasks_now()
                if doc.get("approve", True):
                    st.approve_products_now()
                return rest.jreply(200, {"processed": n})
            if p == "/_sandbox/products":
                return rest.jreply(200, st.add_product(**doc))
            if p == "/_sandbox/reset":
                st.reset()
                return rest.jreply(200, st.summary())
        except KeyError as exc:
            return rest.jreply(404, {"error": str(exc)})
        except (TypeError, ValueError) as exc:
            return rest.jreply(400, {"error": str(exc)})
        return rest.jreply(404, {"error": f"unknown control endpoint {method} {p}"})
