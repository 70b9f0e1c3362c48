import pytest
import requests

from n11_desktop.sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET, SandboxServer

AUTH = {"appkey": DEMO_APP_KEY, "appsecret": DEMO_APP_SECRET}


@pytest.fixture(scope="module")
def sb():
    server = SandboxServer(task_delay_ms=60_000, seed=7)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fresh(sb):
    sb.state.reset()
    return sb


@pytest.fixture
def http():
    with requests.Session() as s:
        yield s
