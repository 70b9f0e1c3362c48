"""A send shortens the interpreter's thread switch interval while it runs and restores it after,
also when sends overlap (several stores in one process) or one fails."""

import sys
import threading

import pytest

from n11_desktop.core.threadturns import SEND_SWITCH_INTERVAL, quick_turns


@pytest.fixture
def interval():
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    yield
    sys.setswitchinterval(before)


def test_the_interval_is_short_during_a_send_and_restored_after(interval):
    with quick_turns():
        assert sys.getswitchinterval() == pytest.approx(SEND_SWITCH_INTERVAL)
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_overlapping_sends_restore_the_interval_only_when_the_last_one_ends(interval):
    first_in, first_may_end = threading.Event(), threading.Event()
    seen = []

    def first():
        with quick_turns():
            first_in.set()
            first_may_end.wait(5)
        seen.append(sys.getswitchinterval())

    t = threading.Thread(target=first)
    t.start()
    assert first_in.wait(5)
    with quick_turns():
        pass
    assert sys.getswitchinterval() == pytest.approx(SEND_SWITCH_INTERVAL)  # the first send still runs
    first_may_end.set()
    t.join(5)
    assert seen == [pytest.approx(0.005)]


def test_a_failing_send_restores_the_interval(interval):
    with pytest.raises(RuntimeError):
        with quick_turns():
            raise RuntimeError("post failed")
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_an_interval_already_shorter_is_left_as_it_is():
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    try:
        with quick_turns():
            assert sys.getswitchinterval() == pytest.approx(0.0001, rel=0.05)
        assert sys.getswitchinterval() == pytest.approx(0.0001, rel=0.05)
    finally:
        sys.setswitchinterval(before)
