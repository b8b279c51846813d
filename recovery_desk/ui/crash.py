"""Crash hook (after qutebrowser's crashsignal.py, style.md 14): faulthandler writes hard
crashes to a log file, ``sys.excepthook`` and ``threading.excepthook`` log any uncaught
exception on any thread and show a dialog saying what happened and where the log is. The
app keeps running when it can.

A dialog is only ever built on the UI thread: an exception on another thread (the database
worker, the backup thread) is logged where it happens and relayed to the UI thread through
a queued signal. A hard crash (segmentation fault, abort) cannot show anything in the
process that died: faulthandler's dump in crash.log is found at the next start and the
dialog says so then."""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import threading
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from recovery_desk.i18n import tr

_fault_file: Any = None
_relay: Any = None
_earlier_dump: str | None = None  # found by install(), shown by report_hard_crash()
_open_boxes: list[Any] = []
log = logging.getLogger("recovery_desk")
SEEN_SUFFIX = ".seen"  # beside crash.log: how much of it the user has been told about
FATAL_MARK = "Fatal Python error"  # how faulthandler begins a dump


def log_dir() -> Path:
    override = os.environ.get("RECOVERY_DESK_LOG_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_log_path

        path = user_log_path("RecoveryDesk", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def crash_log_path() -> Path:
    return log_dir() / "crash.log"


def install() -> Path:
    """Enable faulthandler into crash.log and the exception hooks; returns the log path.
    Call on the UI thread, after the QApplication exists."""
    global _fault_file, _earlier_dump
    path = crash_log_path()
    if _fault_file is None:
        _earlier_dump = unreported_hard_crash()
        _fault_file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for faulthandler
        faulthandler.enable(_fault_file, all_threads=True)
    handler = logging.FileHandler(log_dir() / "recovery-desk.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    install_hooks()
    return path


def install_hooks() -> None:
    """``sys.excepthook`` and ``threading.excepthook``, relayed to the UI thread's dialog."""
    global _relay
    if _relay is None:
        _relay = _make_relay()
    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook


def _make_relay() -> Any:
    """A QObject on the UI thread whose signal carries other threads' errors to the dialog."""
    from PySide6.QtCore import QObject, Signal

    class Relay(QObject):
        reported = Signal(object, object, str)

    relay = Relay()
    relay.reported.connect(lambda exc_type, exc, trace: _show_dialog(exc_type, exc, trace, None))
    return relay


def write_report(exc_type: type[BaseException], exc: BaseException, trace: str) -> Path:
    path = crash_log_path()
    text = trace or "".join(traceback.format_exception(exc_type, exc, exc.__traceback__))
    thread = threading.current_thread().name
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\n=== {datetime.now().isoformat(timespec='seconds')} (thread {thread}) ===\n{text}\n")
    _mark_seen(path)  # the user is told about this one now
    return path


def show_crash(exc_type: type[BaseException], exc: BaseException, trace: str = "", parent: Any = None) -> Path:
    """Log the error and tell the user what happened and where the log is (from any thread)."""
    path = write_report(exc_type, exc, trace)
    log.error("unexpected error: %s", exc)
    text = trace or "".join(traceback.format_exception(exc_type, exc, exc.__traceback__))
    if threading.current_thread() is threading.main_thread():
        _show_dialog(exc_type, exc, text, parent)
    elif _relay is not None:
        _relay.reported.emit(exc_type, exc, text)  # queued: the UI thread shows it
    return path


def _dialogs_enabled() -> bool:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() is not None and os.environ.get("RECOVERY_DESK_NO_CRASH_DIALOG") != "1"


def _show_dialog(exc_type: type[BaseException], exc: BaseException, trace: str, parent: Any) -> None:
    _open_box(tr("Something went wrong: {error}\n\nYour saved work is safe: every change is written "
                 "when it is made. The details are in {path}; please send that file to whoever "
                 "supports you.", error=f"{exc_type.__name__}: {exc}", path=crash_log_path()), trace, parent)


def _open_box(text: str, details: str, parent: Any) -> None:
    """The crash dialog, window-modal but not blocking: the event loop (and the worker's
    results) keep running behind it."""
    if not _dialogs_enabled():
        return
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, tr("Recovery Desk: unexpected error"), text,
                      parent=parent or QApplication.activeWindow())
    box.setDetailedText(details)
    box.setObjectName("crash_dialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _open_boxes.append(box)  # a parentless box lives as long as Python holds it
    box.finished.connect(lambda _result: _open_boxes.remove(box))
    box.show()


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    show_crash(exc_type, exc, "".join(traceback.format_exception(exc_type, exc, tb)))


def thread_excepthook(args: threading.ExceptHookArgs) -> None:
    """An exception that ended a Python thread: logged there, shown by the UI thread."""
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    show_crash(args.exc_type, args.exc_value,
               "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)))


# -- hard crashes of an earlier run ----------------------------------------------------------
def _seen_path(log_path: Path) -> Path:
    return log_path.with_name(log_path.name + SEEN_SUFFIX)


def _mark_seen(log_path: Path) -> None:
    try:
        _seen_path(log_path).write_text(str(log_path.stat().st_size), encoding="ascii")
    except OSError:
        pass  # the worst case is telling the user twice


def unreported_hard_crash() -> str | None:
    """faulthandler's dump of a crash the user has not been told about (the process died
    before it could say anything), or None; marks it as told."""
    path = crash_log_path()
    try:
        size = path.stat().st_size
        seen = int(_seen_path(path).read_text(encoding="ascii") or 0)
    except FileNotFoundError:
        seen = 0
    except (OSError, ValueError):
        return None
    if not path.exists() or size <= seen:
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        f.seek(seen if seen <= size else 0)
        new = f.read()
    _mark_seen(path)
    start = new.find(FATAL_MARK)
    return new[start:] if start >= 0 else None


def report_hard_crash(parent: Any = None) -> bool:
    """At start: if the last run died hard, say so and where its log is. True if it did."""
    global _earlier_dump
    dump, _earlier_dump = _earlier_dump, None
    if dump is None:
        return False
    log.error("the previous run crashed; its dump is in %s", crash_log_path())
    _open_box(tr("Recovery Desk stopped unexpectedly the last time it ran. Your saved work is safe: "
                 "every change is written when it is made. The details are in {path}; please send "
                 "that file to whoever supports you.", path=crash_log_path()), dump, parent)
    return True
