import os
import signal
import subprocess
import sys
import time

import pytest
import requests


LAUNCHERS = {
    "module": [sys.executable, "-m", "n11_desktop.sandbox"],
    # what `n11-desktop sandbox ...` runs (the app's entry point dispatches to sandbox.cli)
    "app-cli": [sys.executable, "-c",
                "import sys; from n11_desktop.cli import main; raise SystemExit(main(sys.argv[1:]))",
                "sandbox"],
}


@pytest.mark.parametrize("launcher,sig", [("module", signal.SIGINT), ("module", signal.SIGTERM),
                                          ("app-cli", signal.SIGINT)],
                         ids=["module-SIGINT", "module-SIGTERM", "app-cli-SIGINT"])
def test_cli_runs_standalone_and_stops_on_signal(launcher, sig):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(LAUNCHERS[launcher] + ["--port", "0", "--seed", "3",
                                                   "--task-delay-ms", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()
        assert first.startswith("N11 sandbox listening on http://127.0.0.1:"), first
        url = first.strip().rsplit(" ", 1)[-1]
        rest = [proc.stdout.readline() for _ in range(2)]
        assert "demo-app-key" in "".join(rest) and "demo-app-secret" in "".join(rest)
        r = requests.get(url + "/cdn/categories", headers={"appkey": "demo-app-key"}, timeout=10)
        assert r.status_code == 200 and r.json()["categories"]
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_cli_help_documents_demo_credentials():
    out = subprocess.run([sys.executable, "-m", "n11_desktop.sandbox", "--help"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert "demo-app-key" in out.stdout and "demo-app-secret" in out.stdout
    assert "REJECTME" in out.stdout


def test_server_start_stop_is_quick_and_repeatable():
    from n11_desktop.sandbox.server import SandboxServer
    for _ in range(2):
        with SandboxServer() as sb:
            s = requests.Session()
            assert s.get(sb.url + "/nothing", timeout=5).status_code == 503
            s.close()
        t0 = time.monotonic()
        assert t0  # stop() returned (no hang)


def test_stop_does_not_hang_with_open_or_stalled_connections():
    import socket
    import threading

    from n11_desktop.sandbox.server import SandboxServer

    sb = SandboxServer(seed=1)
    sb.start()
    idle = socket.create_connection(("127.0.0.1", sb.port))  # keep-alive client that never speaks
    sb.state.set_faults(rate=1.0, kinds=["timeout"], timeout_s=60)
    errors = []

    def stalled():
        try:
            requests.get(sb.url + "/cdn/categories", timeout=120)
        except requests.RequestException as exc:
            errors.append(exc)

    t = threading.Thread(target=stalled)
    t.start()
    deadline = time.monotonic() + 10
    while not any(e["path"] == "/cdn/categories" for e in sb.state.requests_log):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    sb.stop()  # must return although a handler is holding a connection for 60 s
    t.join(timeout=10)
    assert not t.is_alive() and errors
    idle.close()


def test_cli_rejects_bad_options_with_clear_message():
    out = subprocess.run([sys.executable, "-m", "n11_desktop.sandbox", "--port", "0",
                          "--fault-kinds", "http_500,explode"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "explode" in out.stderr
    out = subprocess.run([sys.executable, "-m", "n11_desktop.sandbox", "--fault-rate", "2"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "--fault-rate" in out.stderr
