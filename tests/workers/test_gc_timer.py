"""The GUI process collects garbage on the GUI thread only: an automatic collection on a worker
thread that frees a Qt object's wrapper can deadlock with the GUI thread (Qt's lock against the
interpreter's lock), as a GUI test did."""

import gc
import threading

from n11_desktop import gcpause
from n11_desktop.workers import gc_timer


def _garbage(n: int = 30_000) -> None:
    for _ in range(n):
        a: dict = {}
        a["self"] = a  # a cycle: only the cyclic collector frees it


def test_collections_run_on_the_gui_thread_only(qtbot, qapp):
    timer = gc_timer.install(qapp)
    assert gc_timer.install(qapp) is timer and timer.isActive()  # once per application
    assert not gc.isenabled()
    threads: list[int] = []

    def seen(phase, _info):
        if phase == "start":
            threads.append(threading.get_ident())

    gc.callbacks.append(seen)
    try:
        worker = threading.Thread(target=_garbage, name="allocating worker")
        worker.start()
        worker.join()
        assert threads == []  # the worker's allocations set off no collection there
        qtbot.waitUntil(lambda: bool(threads), timeout=5_000)  # the GUI thread's timer collected them
        assert set(threads) == {threading.get_ident()}
    finally:
        gc.callbacks.remove(seen)


def test_no_collection_while_a_pause_is_held_and_the_pause_leaves_the_collector_off():
    gc.enable()
    try:
        with gcpause.gc_paused(bulk=False):
            gcpause.collect_only_when_asked()
            _garbage(5_000)
            assert gcpause.collect_due() is None  # a bulk step or a simulator request is under way
        assert not gc.isenabled()  # the pause ended without switching it back on
        _garbage(5_000)
        assert gcpause.collect_due() is not None
    finally:
        gc.disable()
