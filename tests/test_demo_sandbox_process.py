"""The demo's sandbox runs in its own process and never outlives the app that started it."""

import subprocess

from n11_desktop.gui import SandboxProcess, start_demo_sandbox


def test_demo_sandbox_process_answers_and_stops():
    sb = start_demo_sandbox()
    try:
        assert isinstance(sb, SandboxProcess)
        import requests

        r = requests.get(sb.url + "/_sandbox/state", timeout=5)
        assert r.status_code == 200
    finally:
        sb.stop()
    assert sb.proc.poll() is not None


def test_sandbox_stops_when_its_parent_goes_away():
    """Closing stdin is what the OS does when the parent dies, however it dies (kill -9 included)."""
    sb = start_demo_sandbox()
    proc = sb.proc
    proc.stdin.close()
    try:
        assert proc.wait(15) == 0
    except subprocess.TimeoutExpired:  # pragma: no cover - the failure we guard against
        proc.kill()
        raise
    finally:
        if proc.stdout:
            proc.stdout.close()
