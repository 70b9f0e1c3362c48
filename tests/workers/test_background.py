"""The background runner: a view's newest request wins, errors reach the view, nothing leaks."""

from __future__ import annotations

import threading

import pytest

from n11_desktop.workers.background import BackgroundRunner, JobError


@pytest.fixture
def runner(qtbot):
    r = BackgroundRunner(max_threads=3)
    yield r
    assert r.shutdown(10_000)


def _held(value, gate: threading.Event):
    def job():
        assert gate.wait(10)
        return value
    return job


def test_a_superseded_result_is_dropped_and_the_latest_is_delivered(qtbot, runner):
    shown: list[str] = []
    slow, fast = threading.Event(), threading.Event()
    runner.run("products", _held("old filter", slow), shown.append)
    runner.run("products", _held("new filter", fast), shown.append)
    fast.set()  # the newer request finishes first ...
    qtbot.waitUntil(lambda: shown == ["new filter"], timeout=10_000)
    slow.set()  # ... and the older one's rows must not overwrite it
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)
    assert shown == ["new filter"]


def test_keys_are_independent_and_plain_jobs_always_deliver(qtbot, runner):
    shown: list[str] = []
    runner.run(("tab", "overview"), lambda: "overview", shown.append)
    runner.run(("tab", "detail"), lambda: "detail", shown.append)
    runner.submit(lambda: "one", shown.append)
    runner.submit(lambda: "two", shown.append)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)
    assert sorted(shown) == ["detail", "one", "overview", "two"]


def test_a_joined_job_is_dropped_with_its_request(qtbot, runner):
    shown: list[str] = []
    gate = threading.Event()
    runner.run("orders", lambda: "page 1", shown.append)
    qtbot.waitUntil(lambda: shown == ["page 1"], timeout=10_000)
    runner.run("orders", _held("page 2 of the old filter", gate), shown.append, join=True)
    runner.run("orders", lambda: "page 1 of the new filter", shown.append)
    qtbot.waitUntil(lambda: "page 1 of the new filter" in shown, timeout=10_000)
    gate.set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)
    assert shown == ["page 1", "page 1 of the new filter"]


def test_errors_are_delivered_as_one_line(qtbot, runner):
    errors: list[JobError] = []

    def boom():
        raise ValueError("database is locked\nsecond line")

    runner.run("settings", boom, lambda _r: pytest.fail("no result expected"), errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=10_000)
    assert errors[0].kind == "ValueError" and str(errors[0]) == "database is locked"
    assert "Traceback" in errors[0].details


def test_a_superseded_error_is_dropped_too(qtbot, runner):
    errors: list[JobError] = []
    shown: list[str] = []
    gate = threading.Event()

    def old():
        assert gate.wait(10)
        raise RuntimeError("old request failed")

    runner.run("k", old, shown.append, errors.append)
    runner.run("k", lambda: "new", shown.append, errors.append)
    qtbot.waitUntil(lambda: shown == ["new"], timeout=10_000)
    gate.set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)
    assert errors == []


def test_serial_runs_one_at_a_time_and_coalesces_requests(qtbot, runner):
    results: list[int] = []
    running = threading.Semaphore(1)
    calls: list[int] = []
    gate = threading.Event()

    def evaluate(n):
        def job():
            assert running.acquire(blocking=False), "two evaluations ran at once"
            try:
                calls.append(n)
                if n == 1:
                    assert gate.wait(10)
                return n
            finally:
                running.release()
        return job

    runner.run("alarms", evaluate(1), results.append, serial=True)
    qtbot.waitUntil(lambda: calls == [1], timeout=10_000)
    runner.run("alarms", evaluate(2), results.append, serial=True)  # waits ...
    runner.run("alarms", evaluate(3), results.append, serial=True)  # ... and is replaced by this one
    assert runner.pending == 2
    gate.set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)
    assert results == [1, 3] and calls == [1, 3]


def test_idle_after_the_last_job_and_no_job_after_shutdown(qtbot, runner):
    with qtbot.waitSignal(runner.idle, timeout=10_000):
        runner.run("k", lambda: 1, None)
    assert runner.shutdown(10_000)
    assert runner.run("k", lambda: 2, lambda _r: pytest.fail("ran after shutdown")) == 0
    assert runner.pending == 0


def test_pending_for_counts_an_owners_jobs_until_they_report_back(qtbot, runner):
    view, other = object(), object()
    gate = threading.Event()
    shown: list[str] = []
    runner.run((view, "load"), _held("old", gate), shown.append)
    runner.run((view, "load"), _held("new", gate), shown.append)
    runner.submit(_held("saved", gate), shown.append, owner=view)
    runner.run((other, "load"), _held("other", gate), shown.append)
    assert runner.pending_for(view) == 3 and runner.pending_for(other) == 1
    gate.set()
    qtbot.waitUntil(lambda: runner.pending_for(view) == 0 and runner.pending == 0, timeout=10_000)
    assert sorted(shown) == ["new", "other", "saved"]


def test_shutdown_waits_for_a_running_job_and_calls_nobody_back(runner):
    from PySide6.QtCore import QCoreApplication

    started = threading.Event()
    called: list[str] = []

    def job():
        started.set()
        threading.Event().wait(0.2)  # still running when shutdown starts waiting
        return "late"

    runner.run("k", job, called.append, called.append)
    assert started.wait(10)
    assert runner.shutdown(10_000) and runner.pending == 0
    QCoreApplication.processEvents()  # deliver the job's queued "finished" signal
    assert called == []
