"""The paths Windows takes (issue 15), exercised here by pretending to be Windows: the lease's pid
check never calls ``os.kill`` there (on Windows that terminates the process), children start as new
processes (also from the frozen desktop build), data and logs live where platformdirs says."""

from __future__ import annotations

import ctypes
import os
import sys
import time

import pytest

from n11_desktop.core import child, instance, paths
from n11_desktop.core.instance import InstanceLease, current_holder, this_host
from n11_desktop.core.storage.models import AppState

STILL_ACTIVE = 259


class FakeKernel32:
    """kernel32 as a table of pids: pid -> exit code (259 = running); missing pids fail with 87;
    ``denied`` pids fail with 5 (another user's process)."""

    def __init__(self, procs: dict[int, int], denied: frozenset[int] = frozenset()) -> None:
        self.procs, self.denied, self.error, self.open_handles = procs, denied, 0, set()

    def get_last_error(self) -> int:
        return self.error

    def OpenProcess(self, _access, _inherit, pid):  # noqa: N802 - kernel32's names
        if pid in self.denied:
            self.error = 5
            return 0
        if pid not in self.procs:
            self.error = 87
            return 0
        self.open_handles.add(pid + 10_000)
        return pid + 10_000

    def GetExitCodeProcess(self, handle, ref):  # noqa: N802
        ref._obj.value = self.procs[handle - 10_000]
        return 1

    def CloseHandle(self, handle):  # noqa: N802
        self.open_handles.discard(handle)
        return 1


@pytest.fixture
def windows(monkeypatch):
    """sys.platform says win32, kernel32 is the fake, and os.kill must not be called."""
    k = FakeKernel32({4242: STILL_ACTIVE, 5000: 0})
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "WinDLL", lambda *a, **kw: k, raising=False)
    monkeypatch.setattr(ctypes, "get_last_error", k.get_last_error, raising=False)

    def no_kill(*_a):
        raise AssertionError("os.kill(pid, 0) terminates the process on Windows")

    monkeypatch.setattr(os, "kill", no_kill)
    return k


def test_windows_pid_check_uses_open_process_never_os_kill(windows):
    assert instance.pid_alive(4242) is True       # running
    assert instance.pid_alive(5000) is False      # exited (exit code 0), handle still around
    assert instance.pid_alive(31337) is False     # no such process
    windows.denied = frozenset({4242})
    assert instance.pid_alive(4242) is True       # another user's process: alive
    assert instance.pid_alive(0) is False
    assert windows.open_handles == set()          # every handle closed


def test_windows_pid_check_without_kernel32_trusts_the_heartbeat(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")

    def broken(*_a, **_kw):
        raise OSError("no kernel32")

    monkeypatch.setattr(ctypes, "WinDLL", broken, raising=False)
    assert instance.pid_alive(31337) is True


def test_lease_of_a_dead_windows_pid_is_taken_over_and_a_live_one_refused(db, windows):
    def hold(pid):
        with db.session_factory.begin() as s:
            s.merge(AppState(key=instance.LEASE_KEY, value={
                "pid": pid, "host": this_host(), "role": "run", "started": time.time() - 60,
                "heartbeat": time.time()}))

    hold(4242)  # a running n11-desktop run on this Windows PC
    mine = InstanceLease(db, "gui", pid=7)
    assert not mine.acquire()
    assert mine.other is not None and mine.other.pid == 4242
    hold(31337)  # it was killed: its pid is gone
    assert mine.acquire()
    assert current_holder(db).pid == 7


def test_children_start_as_new_processes_from_source_and_from_the_build(monkeypatch):
    assert child.module_command("n11_desktop.sandbox", "--port", "0") == [
        sys.executable, "-m", "n11_desktop.sandbox", "--port", "0"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", r"C:\Program Files\n11-desktop\n11-desktop.exe")
    assert child.module_command("n11_desktop.workers.flow_child", "x.db") == [
        r"C:\Program Files\n11-desktop\n11-desktop.exe", "--run-module", "n11_desktop.workers.flow_child", "x.db"]



def test_the_windowed_build_starts_its_children_as_the_console_program(monkeypatch, tmp_path):
    """The desktop app is windowed (no stdout on Windows); its children run as n11-desktop-cli, which
    talks over pipes, and on Windows without a console window of their own."""
    app = tmp_path / "n11-desktop.exe"
    cli = tmp_path / "n11-desktop-cli.exe"
    app.write_bytes(b"")
    cli.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app))
    assert child.module_command("n11_desktop.sandbox", "--port", "0")[:3] == [
        str(cli), "--run-module", "n11_desktop.sandbox"]
    monkeypatch.setattr(sys, "platform", "win32")
    assert child.popen_flags() == {"creationflags": 0x08000000}


def test_the_build_runs_only_its_own_modules_as_children(monkeypatch):
    assert child.run_module_from_argv(["n11-desktop", "--demo"]) is False
    with pytest.raises(SystemExit, match="only n11_desktop modules"):
        child.run_module_from_argv(["n11-desktop", "--run-module", "os", "x"])
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    with pytest.raises(SystemExit) as exc:  # the module's own argparse sees the rest of argv
        child.run_module_from_argv(["n11-desktop", "--run-module", "n11_desktop.sandbox", "--help"])
    assert exc.value.code == 0


def test_data_and_logs_go_where_platformdirs_says(monkeypatch):
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_dir",
                        lambda app, author: rf"C:\Users\ayse\AppData\Local\{author}\{app}")
    monkeypatch.setattr(platformdirs, "user_log_dir",
                        lambda app, author: rf"C:\Users\ayse\AppData\Local\{author}\{app}\Logs")
    assert str(paths.default_db_path()).startswith(r"C:\Users\ayse\AppData\Local\n11-desktop")
    assert str(paths.log_dir()).endswith("Logs")


def test_private_files_tolerate_filesystems_without_modes(tmp_path, monkeypatch):
    from n11_desktop.core.logsetup import setup_logging
    from n11_desktop.core.storage import db as dbmod

    def no_modes(*_a, **_kw):
        raise PermissionError("chmod not supported")

    monkeypatch.setattr(os, "chmod", no_modes)
    dbmod._create_private(tmp_path / "a.db")
    assert (tmp_path / "a.db").exists()
    path = setup_logging(tmp_path / "logs")
    try:
        assert path is not None and path.exists()
    finally:
        setup_logging(None)
