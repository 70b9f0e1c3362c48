"""``n11-desktop run [--once]``: the scheduler headless, until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading

from ..core.inputs import bounded_float, bounded_int
from ..i18n import fill, translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("run", parents=[common],
                              help=translate("cli", "run the scheduler headless until interrupted (SIGINT/SIGTERM stop it cleanly)"))
    p.add_argument("--once", action="store_true", help=translate("cli", "run every due flow once, then exit"))
    p.add_argument("--workers", type=bounded_int(1, 64), default=3, metavar="N",
                   help=translate("cli", "flows running at the same time (default 3)"))
    p.add_argument("--stop-timeout", type=bounded_float(0, 86400), default=30.0, metavar="S",
                   help=translate("cli", "seconds to wait for running flows to stop at a safe point (default 30)"))
    p.add_argument("--all-stores", action="store_true",
                   help=translate("cli", "drive every store of the store registry, each under its own lease; a store that "
                   "cannot run is reported and tried again, never stopping the others"))
    p.add_argument("--max-flows", type=bounded_int(1, 256), default=4, metavar="N",
                   help=translate("cli", "with --all-stores: flows running at the same time in all stores together "
                                  "(default 4; --workers is each store's own limit)"))
    p.add_argument("--retry", type=bounded_float(1, 86400), default=60.0, metavar="S",
                   help=translate("cli", "with --all-stores: seconds before a store that could not run is tried again (default 60)"))
    p.set_defaults(func=cmd_run)


def cmd_run(args, ctx) -> int:
    if args.workers < 1:
        ctx.err("n11-desktop: " + translate("cli", "--workers must be at least 1"))
        return 2
    if args.all_stores:
        return cmd_run_all(args, ctx)
    db = ctx.db()
    from ..core.instance import InstanceLease, refused_message

    # one process per database drives the integration (core.instance): refuse before anything else
    lease = InstanceLease(db, "run")
    if not lease.acquire():
        from ..i18n.core_texts import core_message

        ctx.err(f"n11-desktop run: {core_message(refused_message(lease.other))}")
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


def _event_line(ev) -> str | None:
    """One line for a runner event (started / skipped / finished), in the operator's language."""
    from ..i18n.core_texts import core_message, state_word

    if ev.kind == "started":
        return fill(translate("cli", "started  %1 (%2)"), ev.request.slug, ev.request.trigger)
    if ev.kind == "skipped":
        return fill(translate("cli", "skipped  %1: %2"), ev.request.slug, core_message(ev.message))
    if ev.result is None:
        return None
    r = ev.result
    line = fill(translate("cli", "finished %1: %2 — %3 total, %4 ok, %5 failed, %6 penalized"),
                r.flow, state_word(r.state.value), r.total, r.succeeded, r.failed, r.penalized)
    if r.message:
        line += f" ({core_message(r.message)})"
    return line


def _run_one(args, ctx, db, lease) -> int:
    from ..core.runner import LeaseRefused, Runner, RunnerEvent
    from ..i18n.core_texts import core_message

    def on_event(ev: RunnerEvent) -> None:
        line = _event_line(ev)
        if line is not None:
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
        ctx.err("n11-desktop run: " + fill(translate("cli", "channel %1 is inactive; nothing is scheduled until it is "
                                                            "activated (`n11-desktop settings activate`)"), cfg.name))
    try:
        ctx.err("n11-desktop run: " + (translate("cli", "scheduler running every due flow once") if args.once
                                       else translate("cli", "scheduler started; Ctrl+C or SIGTERM stops it")))
        sys.stderr.flush()
        code = runner.run(once=args.once)
    except LeaseRefused as exc:
        ctx.err(f"n11-desktop run: {core_message(str(exc))}")
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        ctx.err("n11-desktop run: " + fill(translate("cli", "%1 received; running flows stopped at a safe point"),
                                           received[0]))
    if runner.lease_lost:
        ctx.err("n11-desktop run: " + fill(translate("cli", "stopped: %1"), core_message(str(runner.lease_lost))))
        return 1
    ctx.err("n11-desktop run: " + (translate("cli", "stopped") if code == 0
                                   else translate("cli", "stopped (some flows did not stop in time)")))
    return code


def cmd_run_all(args, ctx) -> int:
    """``run --all-stores``: every store of the registry in one process (core.allstores)."""
    from ..core.allstores import AllStoresRunner
    from ..core.stores import Registry

    if ctx.db_path is not None or ctx.store or ctx.demo:
        ctx.err("n11-desktop run: " + translate("cli", "--all-stores drives the stores of the registry; leave out --db, "
                                                       "--store and --demo"))
        return 2
    registry = Registry.load()
    if not registry.listed():
        ctx.err("n11-desktop run: " + fill(translate("cli", "no stores in %1 (`n11-desktop stores add NAME`)"),
                                           registry.path))
        return 1
    sandboxes: dict = {}  # store name → its demo sandbox
    out_lock = threading.Lock()  # stores' threads print whole lines, never halves of two

    def on_event(store: str, ev) -> None:
        text = _event_line(ev)
        if text is None:
            return
        line = f"[{store}] {text}"
        with out_lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def on_store(run) -> None:
        if run.state == "running":
            text = "n11-desktop run: " + fill(translate("cli", "store %1: scheduler started"), run.name)
        elif run.state == "removed":  # gone from the registry: stopped, lease released
            server = sandboxes.pop(run.name, None)
            if server is not None:
                server.stop()
            text = "n11-desktop run: " + fill(translate("cli", "store %1: removed from the store list; its "
                                                               "scheduler stopped and its lease is released"), run.name)
        elif run.state in ("unavailable", "refused", "crashed"):
            retry = "" if args.once else fill(translate("cli", "; tried again in %1 s"), int(args.retry))
            text = "n11-desktop run: " + fill(translate("cli", "store %1: %2: %3"), run.name, run.state,
                                              core_message(run.message)) + retry
        else:
            return
        with out_lock:
            ctx.err(text)

    from ..i18n.core_texts import core_message

    def prepare(store, db) -> None:
        if store.demo:  # a demo store runs against its own built-in sandbox (one N11 seller each)
            old = sandboxes.pop(store.name, None)
            if old is not None:
                old.stop()
            sandboxes[store.name] = start_store_sandbox(db)

    multi = AllStoresRunner(lambda: Registry.load().listed(), once=args.once, max_workers=args.workers,
                            stop_timeout_s=args.stop_timeout, retry_s=args.retry, on_event=on_event,
                            max_flows=args.max_flows,
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
    ctx.err("n11-desktop run: " + fill(translate("cli", "%1 store(s) from %2; running every due flow of each once")
                                       if args.once else translate("cli", "%1 store(s) from %2; Ctrl+C or SIGTERM "
                                                                          "stops them"),
                                       len(registry.listed()), registry.path))
    try:
        code = multi.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for server in list(sandboxes.values()):
            server.stop()
    if received:
        ctx.err("n11-desktop run: " + fill(translate("cli", "%1 received; running flows stopped at a safe point"),
                                           received[0]))
    for run in multi.runs.values():
        ctx.err("n11-desktop run: " + fill(translate("cli", "store %1"), core_message(run.summary())))
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
