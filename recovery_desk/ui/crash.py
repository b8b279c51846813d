"""Crash hook (after qutebrowser's crashsignal.py, style.md 14): faulthandler writes hard
crashes to a log file, ``sys.excepthook`` logs any uncaught exception and shows a dialog
saying what happened and where the log is. The app keeps running when it can."""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from recovery_desk.i18n import tr

_fault_file: Any = None
log = logging.getLogger("recovery_desk")


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
    """Enable faulthandler into crash.log and the exception hook; returns the log path."""
    global _fault_file
    path = crash_log_path()
    if _fault_file is None:
        _fault_file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for faulthandler
        faulthandler.enable(_fault_file)
    handler = logging.FileHandler(log_dir() / "recovery-desk.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    sys.excepthook = excepthook
    return path


def write_report(exc_type: type[BaseException], exc: BaseException, trace: str) -> Path:
    path = crash_log_path()
    text = trace or "".join(traceback.format_exception(exc_type, exc, exc.__traceback__))
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\n=== {datetime.now().isoformat(timespec='seconds')} ===\n{text}\n")
    return path


def show_crash(exc_type: type[BaseException], exc: BaseException, trace: str = "", parent: Any = None) -> Path:
    """Log the error and tell the user what happened and where the log is."""
    path = write_report(exc_type, exc, trace)
    log.error("unexpected error: %s", exc)
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is not None and os.environ.get("RECOVERY_DESK_NO_CRASH_DIALOG") != "1":
        box = QMessageBox(QMessageBox.Icon.Critical, tr("Recovery Desk: unexpected error"),
                          tr("Something went wrong: {error}\n\nYour saved work is safe: every change is written "
                             "when it is made. The details are in {path}; please send that file to whoever "
                             "supports you.", error=f"{exc_type.__name__}: {exc}", path=path), parent=parent)
        box.setDetailedText(trace or "".join(traceback.format_exception(exc_type, exc, exc.__traceback__)))
        box.setObjectName("crash_dialog")
        box.exec()
    return path


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    show_crash(exc_type, exc, "".join(traceback.format_exception(exc_type, exc, tb)))
