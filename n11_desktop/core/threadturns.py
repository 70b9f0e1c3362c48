"""Shorter turns between the interpreter's threads while a send runs.

A push runs three threads in one interpreter: the sending thread (posts, then waits for N11), the
thread that reads task results and the thread that applies them (≈ 50 ms of Python a task).
CPython hands the interpreter lock from a thread that computes to a waiting one only every
*switch interval* (5 ms by default), so each time N11's answer arrived the sending thread
usually waited up to 5 ms, several times a page, before it could go on. With 0.5 ms it goes on at
once: a 100k push at 50 ms latency took 14.7–15.3 s instead of 15.8 s on an idle 2-core machine
(the app's CPU the same; docs/perf-notes/initial_push.md, fifth pass).

The interval is the process's, so nested and concurrent sends share one count: the last one out
restores the interval it found.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from typing import Iterator

#: seconds; CPython's default is 0.005
SEND_SWITCH_INTERVAL = 0.0005

_lock = threading.Lock()
_depth = 0
_before = 0.005


@contextlib.contextmanager
def quick_turns() -> Iterator[None]:
    global _depth, _before
    with _lock:
        if _depth == 0:
            _before = sys.getswitchinterval()
            if _before > SEND_SWITCH_INTERVAL:
                sys.setswitchinterval(SEND_SWITCH_INTERVAL)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                sys.setswitchinterval(_before)
