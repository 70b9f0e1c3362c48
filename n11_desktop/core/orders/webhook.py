"""The OMS split-package web hook (seed §9 split_packages).

OMS calls ``POST /flow-trigger/{slug}/split_packages`` with ``Authorization: Token …`` and a
JSON body whose event is ``order.split_package_{oms_channel_id}``::

    {"event": "order.split_package_3",
     "data": {"order_number": "2026000000001",
              "packages": [{"order_line_ids": [5120000001]}, {"order_line_ids": [5120000002]}]}}

(``orderNumber``/``number``, ``orderLineIds`` and ``items: [{"line_id"|"orderLineId"|"remote_id"}]``
are accepted as well.) The listener binds 127.0.0.1 by default, rejects a missing (401) or
wrong (403) token, refuses bodies over ``max_body`` (413) and anything but a valid request
(400 malformed JSON / 422 wrong event or shape), then hands a :class:`SplitRequest` to
``on_split``. Its answer decides the reply: 200 when N11 accepted the split, 502 otherwise
(OMS retries after its countdown). Stdlib only; :meth:`stop` is clean and joins the thread.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from ..inputs import InputError, check_text, load_json, one_line, parse_id

log = logging.getLogger(__name__)

PATH_RE = re.compile(r"^/flow-trigger/[A-Za-z0-9_.-]+/split_packages/?$")
EVENT_RE = re.compile(r"^order\.split_package_(\d+)$")
DEFAULT_MAX_BODY = 64 * 1024
MAX_ORDER_NUMBER_CHARS = 64


class InvalidSplitRequest(InputError):
    """A web hook body that is not a valid split request (answered 422 with the reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__("web hook", reason)


@dataclass(frozen=True)
class SplitRequest:
    event: str
    oms_channel_id: int
    order_number: str
    groups: tuple[tuple[int, ...], ...]

    def as_options(self) -> dict[str, Any]:
        return {"order_number": self.order_number, "groups": [list(g) for g in self.groups]}


@dataclass(frozen=True)
class SplitAnswer:
    ok: bool
    message: str


def _line_ids(pkg: Any, n: int) -> tuple[int, ...]:
    if isinstance(pkg, list):
        raw = pkg
    elif isinstance(pkg, dict):
        raw = pkg.get("order_line_ids", pkg.get("orderLineIds"))
        if raw is None and isinstance(pkg.get("items"), list):
            raw = []
            for it in pkg["items"]:
                if not isinstance(it, dict):
                    raise InvalidSplitRequest(f"packages[{n}].items must be objects")
                raw.append(it.get("line_id", it.get("orderLineId", it.get("remote_id"))))
    else:
        raise InvalidSplitRequest(f"packages[{n}] must be an object")
    if not isinstance(raw, list) or not raw:
        raise InvalidSplitRequest(f"packages[{n}] has no order line ids")
    ids = []
    for v in raw:
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            raise InvalidSplitRequest(f"packages[{n}]: order line id {v!r} is not a number")
        try:
            ids.append(parse_id(v))
        except ValueError as exc:
            why = "is not a number" if "whole number" in str(exc) else str(exc)
            raise InvalidSplitRequest(f"packages[{n}]: order line id {why}") from None
    return tuple(ids)


def parse_split_request(doc: Any, *, expected_channel: int | None = None) -> SplitRequest:
    if not isinstance(doc, dict):
        raise InvalidSplitRequest("body must be a JSON object")
    event = doc.get("event", doc.get("event_type"))
    m = EVENT_RE.match(str(event or ""))
    if not m:
        raise InvalidSplitRequest(f"event must be order.split_package_<oms channel id> (got {event!r})")
    if len(m.group(1)) > 18:
        raise InvalidSplitRequest("event: the OMS channel id has too many digits")
    channel = int(m.group(1))
    if expected_channel is not None and channel != expected_channel:
        raise InvalidSplitRequest(f"event is for OMS channel {channel}, this listener serves {expected_channel}")
    data = doc.get("data", doc.get("payload", doc))
    if not isinstance(data, dict):
        raise InvalidSplitRequest("data must be an object")
    number = data.get("order_number", data.get("orderNumber", data.get("number")))
    if not isinstance(number, (str, int)) or isinstance(number, bool) or not str(number).strip():
        raise InvalidSplitRequest("order_number is missing")
    try:
        check_text(str(number).strip(), max_chars=MAX_ORDER_NUMBER_CHARS, allow_newlines=False)
    except ValueError as exc:
        raise InvalidSplitRequest(f"order_number {exc}") from None
    packages = data.get("packages")
    if not isinstance(packages, list) or len(packages) < 1:
        raise InvalidSplitRequest("packages must be a non-empty list")
    if len(packages) > 100:
        raise InvalidSplitRequest("too many packages (at most 100)")
    groups = tuple(_line_ids(p, n) for n, p in enumerate(packages))
    flat = [i for g in groups for i in g]
    if len(flat) != len(set(flat)):
        raise InvalidSplitRequest("an order line appears in more than one package")
    return SplitRequest(event=str(event), oms_channel_id=channel, order_number=str(number).strip(), groups=groups)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler, owner: "WebhookServer"):
        self.owner = owner
        super().__init__(addr, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "n11-desktop-webhook"
    sys_version = ""
    timeout = 30

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        log.debug("webhook: " + format, *args)

    def _reply(self, status: int, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self._reply(405, {"error": "use POST"})

    do_PUT = do_DELETE = do_GET

    def do_POST(self):  # noqa: N802
        try:
            self._post()
        except (BrokenPipeError, ConnectionResetError):  # the caller hung up
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - every request gets an HTTP answer, never a traceback
            log.exception("web hook request failed")
            try:
                self._reply(500, {"error": f"internal error ({type(exc).__name__})"})
            except OSError:
                self.close_connection = True

    def _post(self) -> None:
        owner = self.server.owner
        if not PATH_RE.match(self.path.split("?", 1)[0]):
            self._reply(404, {"error": "unknown path; expected /flow-trigger/<slug>/split_packages"})
            return
        auth = self.headers.get("Authorization")
        if not auth:
            self._reply(401, {"error": "missing Authorization: Token header"})
            return
        scheme, _, token = auth.strip().partition(" ")
        if scheme.lower() != "token" or not hmac.compare_digest(token.strip().encode(), owner.token.encode()):
            self._reply(403, {"error": "wrong token"})
            return
        length = self.headers.get("Content-Length")
        if length is None:
            self._reply(411, {"error": "Content-Length required"})
            return
        try:
            n = int(length)
        except ValueError:
            self._reply(400, {"error": "bad Content-Length"})
            return
        if n < 0 or n > owner.max_body:
            self._reply(413, {"error": f"body larger than {owner.max_body} bytes"})
            return
        body = self.rfile.read(n)
        try:
            doc = load_json(body.decode("utf-8"), door="web hook")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._reply(400, {"error": f"malformed JSON: {exc}"})
            return
        except InputError as exc:  # a 5000-digit number, NaN, nesting too deep
            self._reply(400 if "nested" in exc.reason else 422, {"error": exc.reason})
            return
        except RecursionError:
            self._reply(400, {"error": "malformed JSON: nested too deeply"})
            return
        try:
            req = parse_split_request(doc, expected_channel=owner.oms_channel_id)
        except InvalidSplitRequest as exc:
            self._reply(422, {"error": one_line(exc.reason)})
            return
        try:
            answer = owner.on_split(req)
        except Exception as exc:  # noqa: BLE001 - the caller gets a reply, the log the details
            log.exception("split request failed")
            self._reply(500, {"error": f"{type(exc).__name__}: {exc}"})
            return
        ok = bool(getattr(answer, "ok", answer))
        message = getattr(answer, "message", "")
        self._reply(200 if ok else 502, {"ok": ok, "message": message})


class WebhookServer:
    """The inbound OMS web hook listener (Qt-free)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, token: str,
                 on_split: Callable[[SplitRequest], Any], max_body: int = DEFAULT_MAX_BODY,
                 oms_channel_id: int | None = None) -> None:
        if not token or len(token.strip()) < 8:
            raise ValueError("web hook token must be at least 8 characters")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"web hook port must be a whole number from 0 to 65535, got {str(port)[:20]!r}")
        self.host, self.port = host, int(port)
        self.token = token.strip()
        self.on_split = on_split
        self.max_body = int(max_body)
        self.oms_channel_id = oms_channel_id
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "WebhookServer":
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self.port), _Handler, self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"oms-webhook-{self.port}")
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> "WebhookServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def split_via_flow(db) -> Callable[[SplitRequest], SplitAnswer]:
    """An ``on_split`` that runs the split_packages flow (same code as every other trigger)."""

    def handle(req: SplitRequest) -> SplitAnswer:
        from ..flows.base import run_flow

        result = run_flow("split_packages", db, trigger="webhook", options={"split": req.as_options()})
        return SplitAnswer(result.ok, result.message)

    return handle


@dataclass(frozen=True)
class WebhookSettings:
    host: str
    port: int
    token: str
    oms_channel_id: int | None

    def __repr__(self) -> str:  # the token is a secret
        return f"WebhookSettings(host={self.host!r}, port={self.port}, token='***', oms_channel_id={self.oms_channel_id})"


def webhook_settings(config) -> WebhookSettings | None:
    """The listener settings from the channel config, or None when it should not run.

    It runs when the ``split_packages`` flag is on and OMS Web Hook Token is set (Channel Settings,
    built-in fields of that flag: token and OMS Web Hook Port, default 8765); ``oms_webhook_host``
    (default 127.0.0.1) and ``oms_channel_id`` may be added as custom fields."""
    if not config.flag("split_packages"):
        return None
    token = str(config.get("oms_webhook_token") or "").strip()
    if not token:
        return None

    def _int(key, default=None):
        try:
            return int(config.get(key)) if config.get(key) not in (None, "") else default
        except (TypeError, ValueError):
            return default

    return WebhookSettings(host=str(config.get("oms_webhook_host") or "127.0.0.1"),
                           port=_int("oms_webhook_port", 8765), token=token,
                           oms_channel_id=_int("oms_channel_id"))
