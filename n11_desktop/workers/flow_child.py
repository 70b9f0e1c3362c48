"""Child-process side of :mod:`.flow_process` (no Qt): ``python -m n11_desktop.workers.flow_child DB``.

Frames on stdin/stdout are a 4-byte big-endian length and a pickle (parent and child are the
same program and user). In: ``("run", slug, trigger, options)``, ``("cancel",)``, ``None`` (exit).
Out: ``("progress", FlowProgress)``, ``("result", FlowResult)``, ``("unavailable", text)``,
``("error", text)``. A reader thread turns "cancel" into the flow's ``should_stop``.
"""

from __future__ import annotations

import os
import pickle
import queue
import sys
import threading
import time
from pathlib import Path

from ..core.child import read_frame, write_frame

PROGRESS_INTERVAL_S = 0.1


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - runs in the child process
    argv = list(sys.argv[1:] if argv is None else argv)
    inp = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the frames
    from ..core.flows.base import FlowNotAvailable, run_flow
    from ..core.storage.db import open_database

    from .flow_process import DB_ENV, DB_FROM_ENV

    db = open_database(os.environ.pop(DB_ENV) if argv[0] == DB_FROM_ENV else Path(argv[0]))
    jobs: queue.Queue = queue.Queue()
    cancel = threading.Event()
    lock = threading.Lock()

    def send(obj) -> None:
        with lock:
            write_frame(out, obj)

    def reader() -> None:
        while True:
            try:
                msg = read_frame(inp)
            except (EOFError, OSError, pickle.UnpicklingError):
                msg = None
            if msg is None:
                cancel.set()
                jobs.put(None)
                return
            if msg[0] == "cancel":
                cancel.set()
            else:
                jobs.put(msg)

    threading.Thread(target=reader, name="n11-flow-child-reader", daemon=True).start()
    try:
        while True:
            job = jobs.get()
            if job is None:
                return 0
            _kind, slug, trigger, options = job
            cancel.clear()
            last = [0.0]

            def on_progress(p) -> None:
                now = time.monotonic()
                if (p.total and p.done >= p.total) or now - last[0] >= PROGRESS_INTERVAL_S:
                    last[0] = now
                    send(("progress", p))

            try:
                result = run_flow(slug, db, trigger=trigger, should_stop=cancel.is_set, on_progress=on_progress,
                                  options=options)
            except FlowNotAvailable as exc:
                send(("unavailable", str(exc)))
            except Exception as exc:  # noqa: BLE001 - reported to the parent as data
                send(("error", f"{type(exc).__name__}: {exc}"))
            else:
                send(("result", result))
    except (BrokenPipeError, OSError):
        return 1  # the parent went away
    finally:
        db.dispose()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
