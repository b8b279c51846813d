"""Qt objects die on the UI thread, and a crash on another thread still reaches the user.

The segmentation fault of issue 10 (the worker in ``list_areas`` while the UI thread
collected garbage) came from objects of the UI finalised off the UI thread: every ticket
was a reference cycle (ticket -> progress -> lambda -> ticket), so whatever its callbacks
held (bound methods of pages and dialogs, widgets in closures) waited for the cyclic
collector, which runs on whichever thread allocates past its threshold, usually the busy
worker; and the worker kept its last job, result and error in local variables until the
next job arrived. These tests put a sentinel (and a real QObject) in each of those places
and check where it dies."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QThread
from PySide6.QtWidgets import QApplication, QMessageBox

UI_THREAD = threading.main_thread().ident
TIMEOUT = 10_000


class Sentinel:
    """Records the thread it is finalised on."""

    def __init__(self, name: str, deaths: dict[str, int | None]):
        self.name, self.deaths = name, deaths

    def __del__(self) -> None:
        self.deaths[self.name] = threading.get_ident()


class JobFailed(Exception):
    def __init__(self, payload: object):
        super().__init__("job failed")
        self.payload = payload


def _submit_jobs_holding(worker, deaths: dict, qt_deaths: dict) -> None:
    """Jobs whose function, callbacks, result and error each hold the only reference to a
    sentinel; the callbacks also hold a QObject made on the UI thread."""
    in_fn, in_on_result, in_on_error = Sentinel("fn", deaths), Sentinel("on_result", deaths), Sentinel("on_error", deaths)
    qobject = QObject()
    qobject.destroyed.connect(lambda *_: qt_deaths.__setitem__("qobject", threading.get_ident()),
                              Qt.ConnectionType.DirectConnection)

    worker.submit(lambda _p: (in_fn, Sentinel("result", deaths))[1],
                  on_result=lambda result, keep=(in_on_result, qobject): None)
    worker.submit(lambda _p: (_ for _ in ()).throw(JobFailed(Sentinel("error", deaths))),
                  on_error=lambda exc, trace, keep=in_on_error: None)


def test_what_jobs_and_their_callbacks_hold_is_released_on_the_ui_thread(qtbot, worker):
    deaths: dict[str, int | None] = {}
    qt_deaths: dict[str, int | None] = {}
    _submit_jobs_holding(worker, deaths, qt_deaths)
    qtbot.waitUntil(lambda: not worker.busy, timeout=TIMEOUT)
    worker.stop()  # the worker's last locals go now, if it still held any
    gc.collect()  # on the UI thread: whatever only a cycle still held
    assert set(deaths) == {"fn", "result", "on_result", "error", "on_error"}
    assert {name: ident == UI_THREAD for name, ident in deaths.items()} == dict.fromkeys(deaths, True)
    assert qt_deaths == {"qobject": UI_THREAD}


def test_garbage_cycles_are_collected_on_the_ui_thread_only(qtbot, worker):
    assert not gc.isenabled()  # while a worker lives, the UI thread's timer collects
    deaths: dict[str, int | None] = {}
    ready, allocated = threading.Event(), threading.Event()

    def allocate(_progress) -> None:
        ready.wait()
        # Far past the collector's thresholds: an automatic collection would run here.
        junk = [[i] for i in range(300_000)]
        del junk
        allocated.set()

    worker.submit(allocate)
    cycle = [Sentinel("cycle", deaths)]
    cycle.append(cycle)
    del cycle  # garbage now, reachable by the collector only
    ready.set()
    assert allocated.wait(TIMEOUT / 1000)  # the UI thread allocates nothing meanwhile
    assert deaths.get("cycle") is None  # the worker's allocations did not collect it there
    keep = [[] for _ in range(2_000)]  # past the first threshold: the next check collects
    qtbot.waitUntil(lambda: "cycle" in deaths, timeout=TIMEOUT)
    assert deaths["cycle"] == UI_THREAD
    del keep


def test_automatic_collection_comes_back_when_the_worker_stops(qapp):
    from recovery_desk.ui.worker import DatabaseWorker

    assert gc.isenabled()
    first, second = DatabaseWorker(), DatabaseWorker()
    first.stop()
    assert not gc.isenabled()  # the second one still runs
    second.stop()
    assert gc.isenabled()


# -- the crash dialog for every thread ---------------------------------------------------------
@pytest.fixture
def crash_hooks(monkeypatch, tmp_path):
    """The app's exception hooks, the dialog enabled, the log in tmp_path."""
    from recovery_desk.ui import crash

    monkeypatch.delenv("RECOVERY_DESK_NO_CRASH_DIALOG", raising=False)
    monkeypatch.setenv("RECOVERY_DESK_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(crash, "_relay", None)
    crash.install_hooks()
    yield tmp_path / "crash.log"
    for box in _crash_dialogs():
        box.close()


def _crash_dialogs() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "crash_dialog" and w.isVisible()]


def _dialog_naming(qtbot, log: Path) -> QMessageBox:
    qtbot.waitUntil(lambda: len(_crash_dialogs()) == 1, timeout=TIMEOUT)
    (box,) = _crash_dialogs()
    assert str(log) in box.text()
    return box


def test_an_error_no_one_handles_in_a_job_shows_the_crash_dialog(qtbot, worker, crash_hooks):
    def failing_job(_progress):
        raise ValueError("bad row in the worker")

    worker.submit(failing_job)  # no on_error
    box = _dialog_naming(qtbot, crash_hooks)
    assert "ValueError: bad row in the worker" in box.text()
    log = crash_hooks.read_text(encoding="utf-8")
    assert "in failing_job" in log and "bad row in the worker" in log  # the worker's own traceback


def test_an_exception_ending_a_python_thread_shows_the_crash_dialog(qtbot, crash_hooks):
    def run() -> None:
        raise RuntimeError("lost in a thread")

    thread = threading.Thread(target=run, name="helper-thread")
    thread.start()
    thread.join()
    box = _dialog_naming(qtbot, crash_hooks)  # built on the UI thread, from the relay
    assert "lost in a thread" in box.text()
    assert "(thread helper-thread)" in crash_hooks.read_text(encoding="utf-8")


def test_an_exception_escaping_a_qthread_shows_the_crash_dialog(qtbot, crash_hooks):
    class Failing(QThread):
        def run(self) -> None:
            raise OSError("disk went away during the backup")

    thread = Failing()
    thread.start()
    assert thread.wait(TIMEOUT)
    box = _dialog_naming(qtbot, crash_hooks)
    assert "disk went away" in box.text()


HARD_CRASH = """
import faulthandler, threading
from PySide6.QtWidgets import QApplication
from recovery_desk.ui import crash
app = QApplication([])
crash.install()
t = threading.Thread(target=faulthandler._sigsegv, name="recovery-desk-db")
t.start(); t.join()
"""


def test_a_hard_crash_on_a_thread_is_reported_at_the_next_start(qtbot, crash_hooks, monkeypatch):
    from recovery_desk.ui import crash

    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "RECOVERY_DESK_LOG_DIR": str(crash_hooks.parent),
           "HOME": str(crash_hooks.parent)}
    died = subprocess.run([sys.executable, "-c", HARD_CRASH], capture_output=True, text=True, env=env, timeout=120)
    assert died.returncode < 0, died.stderr  # killed by SIGSEGV
    assert "Segmentation fault" in crash_hooks.read_text(encoding="utf-8")

    monkeypatch.setattr(crash, "_earlier_dump", crash.unreported_hard_crash())  # as install() finds it
    assert crash.report_hard_crash()
    box = _dialog_naming(qtbot, crash_hooks)
    assert "stopped unexpectedly" in box.text()
    assert "recovery-desk-db" in box.detailedText() or "Thread" in box.detailedText()
    box.close()
    assert crash.unreported_hard_crash() is None  # told once, not at every start
