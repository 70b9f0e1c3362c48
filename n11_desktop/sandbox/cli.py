"""``n11-desktop sandbox`` / ``python -m n11_desktop.sandbox``: run the N11 simulator."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import DEMO_APP_KEY, DEMO_APP_SECRET, SandboxServer
from .state import EXTRA_FAULT_KINDS, FAULT_KINDS, REJECT_TRIGGER

EPILOG = f"""\
Demo credentials (defaults): app key "{DEMO_APP_KEY}", app secret "{DEMO_APP_SECRET}".
Point the app's Base Url at http://HOST:PORT/ws/ (REST calls use the same host).

Scripted behaviour:
  * product tasks go IN_QUEUE -> PROCESSED after --task-delay-ms, created products go
    InCatalogApproval -> Active after the same delay, or -> CatalogRejected when the title or
    description contains "{REJECT_TRIGGER}".
  * fault kinds (chosen at random with --fault-rate, reproducible with --seed):
    {", ".join(FAULT_KINDS)}; opt-in: {", ".join(EXTRA_FAULT_KINDS)}
    (the request is applied, then the connection is reset before the answer).
    Control endpoints under /_sandbox/ are never faulted.
  * N11 rules enforced (docs/n11-protocol.md): prices with at most two decimals, description
    required on create, productMainId / maxPurchaseQuantity updated only with their delete*
    flag, title/categoryId/attributes REJECT a product-update task, https invoice links
    (micro-export orders also invoiceNumber + invoiceDateTime), package windows over 15 days
    answer like the last 15 days, SOAP envelopes with elements the WSDL does not declare or out of
    its order get a "Validation error" fault.
  * control API (JSON): POST /_sandbox/orders {{count, lines, status, plate, shipmentCompanyId,
    sender, location_delivery, delivery_address_type: KTN|EASYPOINT|PUP, micro}},
    /_sandbox/packages/ID/status {{status}} (also LATE_SHIPMENT),
    /_sandbox/claims {{orderNumber, lineId, kind: cancel|return, status}} or {{complete: id}},
    /_sandbox/faults {{rate, kinds, timeout_s, latency_ms, question_interval_s,
    alt_auth_failures}}, /_sandbox/tasks/process, /_sandbox/products {{stockCode, ...}},
    /_sandbox/reset; GET /_sandbox/state.
"""


def _bounded(lo, hi, kind=int):
    """argparse type: a number in [lo, hi] (the sandbox does not import the app's core)."""

    def convert(text: str):
        t = text.strip()
        ok = 0 < len(t) <= 24
        try:
            x = kind(t) if ok else None
        except ValueError:
            x = None
        if x is None or x != x or not lo <= x <= hi:
            raise argparse.ArgumentTypeError(f"{t[:30]!r} must be a {'whole ' if kind is int else ''}number "
                                             f"from {lo} to {hi}")
        return x

    convert.__name__ = kind.__name__
    return convert


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (not the usage block)
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="n11-desktop sandbox",
                                description="Run a local, stateful simulator of N11's seller "
                                            "API (REST + SOAP).",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=_bounded(0, 65535), default=8011, help="port (default 8011; 0 = any free)")
    p.add_argument("--app-key", default=DEMO_APP_KEY, help=f"accepted app key (default {DEMO_APP_KEY})")
    p.add_argument("--app-secret", default=DEMO_APP_SECRET,
                   help=f"accepted app secret (default {DEMO_APP_SECRET})")
    p.add_argument("--latency-ms", type=_bounded(0, 600_000), default=0, help="added to every response")
    p.add_argument("--fault-rate", type=_bounded(0, 1, kind=float), default=0.0,
                   help="share of requests (0..1) that get an injected fault")
    p.add_argument("--fault-kinds", default=",".join(FAULT_KINDS),
                   help="comma-separated fault kinds to draw from (default: all)")
    p.add_argument("--fault-timeout-s", type=_bounded(0, 3600, kind=float), default=5.0,
                   help="how long a 'timeout' fault holds the connection (default 5)")
    p.add_argument("--task-delay-ms", type=_bounded(0, 3_600_000), default=1500,
                   help="time until a product task is PROCESSED (default 1500)")
    p.add_argument("--seed", type=_bounded(0, 2**63 - 1), default=0, help="seed for generated data and faults")
    p.add_argument("--demo-orders", action="store_true",
                   help="keep producing orders (one every few seconds)")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="stop when standard input closes (the app that started this sandbox is gone)")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error (already printed)
        return int(exc.code or 0)
    if not 0.0 <= args.fault_rate <= 1.0:
        print("error: --fault-rate must be between 0 and 1", file=sys.stderr)
        return 2
    try:
        server = SandboxServer(
            host=args.host, port=args.port, app_key=args.app_key, app_secret=args.app_secret,
            latency_ms=args.latency_ms, fault_rate=args.fault_rate,
            task_delay_ms=args.task_delay_ms, seed=args.seed, demo_orders=args.demo_orders,
            fault_kinds=[k.strip() for k in args.fault_kinds.split(",") if k.strip()],
            fault_timeout_s=args.fault_timeout_s)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        server.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def _on_signal(signum, frame):
        stop.set()

    old = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    if args.exit_with_parent:
        def _watch_parent() -> None:  # EOF on stdin: the parent process has ended, however it ended
            try:
                while sys.stdin.buffer.read(1024):
                    pass
            except (OSError, ValueError):
                pass
            stop.set()

        threading.Thread(target=_watch_parent, name="sandbox-parent-watch", daemon=True).start()
    print(f"N11 sandbox listening on {server.url}", flush=True)
    print(f"  Base Url (SOAP root): {server.base_url}", flush=True)
    print(f"  app key: {args.app_key}   app secret: {args.app_secret}", flush=True)
    print("  Ctrl-C to stop.", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for s, h in old.items():
            signal.signal(s, h)
    print("N11 sandbox stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
