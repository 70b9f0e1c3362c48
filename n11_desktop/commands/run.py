"""``n11-desktop run [--once]``: the scheduler headless, until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading

from ..core.inputs import bounded_float, bounded_int


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("run", parents=[common],
                              help="run the scheduler headless until interrupted (SIGINT/SIGTERM stop it cleanly)")
    p.add_argument("--once", action="store_true", help="run every due flow once, then exit")
    p.add_argument("--workers", type=bounded_int(1, 64), default=3, metavar="N",
                   help="flows running at the same time (default 3)")
    p.add_argument("--stop-timeout", type=bounded_float(0, 86400), default=30.0, metavar="S",
                   help="seconds to wait for running flows to stop at a safe point (default 30)")
    p.add_argument("--all-stores", action="store_true",
                   help="drive every store of the store registry, each under its own lease; a store that "
                   "cannot run is reported and tried again, never stopping the others")
    p.add_argument("--retry", type=bounded_float(1, 86400), default=60.0, metavar="S",
                   help="with --all-stores: seconds before a store that could not run is tried again (default 60)")
    p.set_defaults(func=cmd_run)


def cmd_run(args, ctx) -> int:
    if args.workers < 1:
        ctx.err("n11-desktop: --workers must be at least 1")
        return 2
    if args.all_stores:
        return cmd_run_all(args, ctx)
    db = ctx.db()
    from ..core.instance import InstanceLease, refused_message

    # one process per database drives the integration (core.instance): refuse before anything else
    lease = InstanceLease(db, "run")
    if not lease.acquire():
        ctx.err(f"n11-desktop run: {refused_message(lease.other)}")
        return 2
    store = ctx.store_entry()
    if store is not None and store.demo:  # a demo store runs against its own built-in sandbox
        try:
            sandbox = start_store_sandbox(db)
        except BaseException:
            lease.release()
            raise
        try:
            return _run_one(args, ctx, db, lease)
        finally:
            sandbox.stop()
    return _run_one(args, ctx, db, lease)


def _run_one(args, ctx, db, lease) -> int:
    from ..core.runner import LeaseRefused, Runner, RunnerEvent

    def on_event(ev: RunnerEvent) -> None:
        if ev.kind == "started":
            print(f"started  {ev.request.slug} ({ev.request.trigger})", flush=True)
        elif ev.kind == "skipped":
            print(f"skipped  {ev.request.slug}: {ev.message}", flush=True)
        elif ev.result is not None:
            r = ev.result
            line = (f"finished {r.flow}: {r.state.value} — {r.total} total, {r.succeeded} ok, {r.failed} failed, "
                    f"{r.penalized} penalized")
            if r.message:
                line += f" ({r.message})"
            print(line, flush=True)

    received: list[str] = []
    runner = Runner(db, max_workers=args.workers, stop_timeout_s=args.stop_timeout, on_event=on_event,
                    lease=lease)

    def on_signal(signum, _frame) -> None:
        runner.request_stop_from_signal()  # no locks or I/O inside a signal handler
        received.append(signal.Signals(signum).name)

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, on_signal)
        except (ValueError, OSError):  # not the main thread / unsupported platform
            pass
    from ..core.settings import load_config

    with db.session_factory.begin() as s:
        cfg = load_config(s)
    if not cfg.is_active:
        ctx.err(f"n11-desktop run: channel {cfg.name} is inactive; nothing is scheduled until it is activated "
                "(`n11-desktop settings activate`)")
    try:
        ctx.err("n11-desktop run: scheduler " + ("running every due flow once" if args.once
                                                 else "started; Ctrl+C or SIGTERM stops it"))
        sys.stderr.flush()
        code = runner.run(once=args.once)
    except LeaseRefused as exc:
        ctx.err(f"n11-desktop run: {exc}")
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        ctx.err(f"n11-desktop run: {received[0]} received; running flows stopped at a safe point")
    if runner.lease_lost:
        ctx.err(f"n11-desktop run: stopped: {runner.lease_lost}")
        return 1
    ctx.err("n11-desktop run: stopped" + ("" if code == 0 else " (some flows did not stop in time)"))
    return code


def cmd_run_all(args, ctx) -> int:
    """``run --all-stores``: every store of the registry in one process (core.allstores)."""
    from ..core.allstores import AllStoresRunner
    from ..core.stores import Registry

    if ctx.db_path is not None or ctx.store or ctx.demo:
        ctx.err("n11-desktop run: --all-stores drives the stores of the registry; leave out --db, --store and --demo")
        return 2
    registry = Registry.load()
    if not registry.listed():
        ctx.err(f"n11-desktop run: no stores in {registry.path} (`n11-desktop stores add NAME`)")
        return 1
    sandboxes: list = []
    out_lock = threading.Lock()  # stores' threads print whole lines, never halves of two

    def on_event(store: str, ev) -> None:
        if ev.kind == "started":
            line = f"[{store}] started  {ev.request.slug} ({ev.request.trigger})"
        elif ev.kind == "skipped":
            line = f"[{store}] skipped  {ev.request.slug}: {ev.message}"
        elif ev.result is not None:
            r = ev.result
            line = (f"[{store}] finished {r.flow}: {r.state.value} — {r.total} total, {r.succeeded} ok, "
                    f"{r.failed} failed, {r.penalized} penalized")
            if r.message:
                line += f" ({r.message})"
        else:
            return
        with out_lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def on_store(run) -> None:
        if run.state == "running":
            text = f"n11-desktop run: store {run.name}: scheduler started"
        elif run.state in ("unavailable", "refused", "crashed"):
            retry = "" if args.once else f"; tried again in {int(args.retry)} s"
            text = f"n11-desktop run: store {run.name}: {run.state}: {run.message}{retry}"
        else:
            return
        with out_lock:
            ctx.err(text)

    def prepare(store, db) -> None:
        if store.demo:  # a demo store runs against its own built-in sandbox (one N11 seller each)
            sandboxes.append(start_store_sandbox(db))

    multi = AllStoresRunner(lambda: Registry.load().listed(), once=args.once, max_workers=args.workers,
                            stop_timeout_s=args.stop_timeout, retry_s=args.retry, on_event=on_event,
                            on_store=on_store, prepare=prepare)
    received: list[str] = []

    def on_signal(signum, _frame) -> None:
        multi.request_stop_from_signal()
        received.append(signal.Signals(signum).name)

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, on_signal)
        except (ValueError, OSError):
            pass
    ctx.err(f"n11-desktop run: {len(registry.listed())} store(s) from {registry.path}; "
            + ("running every due flow of each once" if args.once else "Ctrl+C or SIGTERM stops them"))
    try:
        code = multi.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for server in sandboxes:
            server.stop()
    if received:
        ctx.err(f"n11-desktop run: {received[0]} received; running flows stopped at a safe point")
    for run in multi.runs.values():
        ctx.err(f"n11-desktop run: store {run.summary()}")
    return code


def start_store_sandbox(db):
    """An in-process N11 sandbox for one demo store, the store pointed at it."""
    from ..core.logsetup import register_secret
    from ..core.stores import point_demo_at
    from ..sandbox.server import DEMO_APP_SECRET, SandboxServer

    server = SandboxServer(port=0, demo_orders=True, task_delay_ms=1500)
    server.start()
    register_secret(DEMO_APP_SECRET)
    point_demo_at(db, server.base_url)
    return server
