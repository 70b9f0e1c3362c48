"""While the package pages of an import are read ahead and written, Python's cyclic collector is
paused (each page makes thousands of objects: a 10k import set off ~210 collections); once the
import ends, normally or with an error, the collector is as it was and the pause is over."""

from __future__ import annotations

import gc

import pytest

from n11_desktop.core.orders.prefetch import Prefetch


def _pages(seen: list, fail_at: int | None = None):
    for n in range(250):
        if n == fail_at:
            raise RuntimeError("N11 answered page 3 with garbage")
        seen.append(gc.isenabled())  # on the reading thread, while the caller writes earlier ones
        yield {"n": n}


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_collector_paused_while_pages_are_read_and_back_on_after(collector_on):
    seen: list = []
    written = []
    with Prefetch(_pages(seen), chunk=100) as packages:
        for pkg in packages:
            written.append((pkg["n"], gc.isenabled()))
    assert [n for n, _ in written] == list(range(250))
    assert not any(on for _, on in written) and not any(seen)
    assert gc.isenabled()


def test_collector_back_on_after_a_failed_page_and_after_leaving_early(collector_on):
    with pytest.raises(RuntimeError, match="garbage"):
        with Prefetch(_pages([], fail_at=203), chunk=100) as packages:
            for _ in packages:
                pass
    assert gc.isenabled()
    with Prefetch(_pages([]), chunk=100) as packages:
        next(packages)  # the import stops after its first package (a stop request)
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_application_stays_off():
    was = gc.isenabled()
    gc.disable()  # as the GUI process does (it collects on its own thread)
    try:
        with Prefetch(_pages([]), chunk=100) as packages:
            assert sum(1 for _ in packages) == 250
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_short_thread_turns_while_pages_are_read_and_the_interval_restored_after():
    """The reading thread gets the interpreter soon after N11's page arrives (threadturns), while
    the block runs only; an error or a second close leaves the interval as it was."""
    import sys

    from n11_desktop.core.threadturns import SEND_SWITCH_INTERVAL

    before = sys.getswitchinterval()
    seen: list = []
    with Prefetch(_pages([]), chunk=100) as packages:
        for _pkg in packages:
            seen.append(sys.getswitchinterval())
    assert seen and set(seen) == {SEND_SWITCH_INTERVAL}
    assert sys.getswitchinterval() == before
    prefetch = Prefetch(_pages([], fail_at=3), chunk=100)
    with pytest.raises(RuntimeError), prefetch as packages:
        for _pkg in packages:
            pass
    prefetch.close()  # again: nothing left to undo
    assert sys.getswitchinterval() == before
