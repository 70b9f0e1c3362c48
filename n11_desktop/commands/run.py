"""``n11-desktop run [--once]``: the scheduler headless, until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import sys

from ..core.inputs import bounded_float, bounded_int


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("run", parents=[common],
                              help="run the scheduler headless until interrupted (SIGINT/SIGTERM stop it cleanly)")
    p.add_argument("--once", action="store_true", help="run every due flow once, then exit")
    p.add_argument("--workers", type=bounded_int(1, 64), default=3, metavar="N",
                   help="flows running at the same time (default 3)")
    p.add_argument("--stop-timeout", type=bounded_float(0, 86400), default=30.0, metavar="S",
                   help="seconds to wait for running flows to stop at a safe point (default 30)")
    p.set_defaults(func=cmd_run)


def cmd_run(args, ctx) -> int:
    from ..core.runner import LeaseRefused, Runner, RunnerEvent

    if args.workers < 1:
        ctx.err("n11-desktop: --workers must be at least 1")
        return 2
    db = ctx.db()
    from ..core.instance import InstanceLease, refused_message

    # one process per database drives the integration (core.instance): refuse before anything else
    lease = InstanceLease(db, "run")
    if not lease.acquire():
        ctx.err(f"n11-desktop run: {refused_message(lease.other)}")
        return 2

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
