"""Show progress only when work is slow (after Anki's progress.py, style.md 4).

``run_job(parent, ctx, job, on_result, title=...)`` runs ``job(ws, progress)`` on the
database worker: after 300 ms the cursor turns busy, after 600 ms a cancellable progress
dialog appears (Cancel asks the job to stop at its next ``progress.report``). Anything
else that goes through the worker can use :class:`SlowJobFeedback` directly with a Ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from recovery_desk.i18n import tr
from recovery_desk.ui.worker import Cancelled, Ticket

BUSY_AFTER_MS = 300
DIALOG_AFTER_MS = 600
_awaiting_delete: list[QObject] = []


def _keep_until_deleted(obj: QObject) -> None:
    """Hold a Python reference to an object given to deleteLater() until Qt has deleted it.
    The worker drops a finished job's callbacks at once, and they held the only reference
    to the feedback object: a wrapper of a Python subclass freed before its deferred
    delete ran made that delete corrupt the heap (PySide6 6.11)."""
    _awaiting_delete[:] = [o for o in _awaiting_delete if shiboken6.isValid(o)]
    _awaiting_delete.append(obj)


class SlowJobFeedback(QObject):
    """Busy cursor then progress dialog for one ticket; call :meth:`finish` when it ends."""

    def __init__(self, parent: QWidget | None, title: str, cancellable: bool = True):
        super().__init__(parent)
        self._parent = parent
        self._title = title
        self._cancellable = cancellable
        self.ticket: Ticket | None = None
        self.dialog: QProgressDialog | None = None
        self._cursor = False
        self._last: tuple[int, int, str] = (0, 0, "")
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_AFTER_MS, timeout=self._busy)
        self._dialog_timer = QTimer(self, singleShot=True, interval=DIALOG_AFTER_MS, timeout=self._show_dialog)

    def start(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self._busy_timer.start()
        self._dialog_timer.start()

    def _busy(self) -> None:
        if not self._cursor:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            self._cursor = True

    def _show_dialog(self) -> None:
        dialog = QProgressDialog(self._title, tr("Cancel") if self._cancellable else "", 0, 0, self._parent)
        dialog.setWindowTitle(self._title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not self._cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        self.progress(*self._last)
        dialog.show()

    def cancel(self) -> None:
        if self.ticket is not None and not self.ticket.done:
            self.ticket.cancel()
            if self.dialog is not None:
                self.dialog.setLabelText(tr("Cancelling…"))

    def progress(self, done: int, total: int, text: str) -> None:
        self._last = (done, total, text)
        if self.dialog is not None:
            self.dialog.setMaximum(max(total, 0))
            self.dialog.setValue(min(done, total) if total else 0)
            if text:
                self.dialog.setLabelText(text)

    def finish(self) -> None:
        self._busy_timer.stop()
        self._dialog_timer.stop()
        if self._cursor:
            QApplication.restoreOverrideCursor()
            self._cursor = False
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.deleteLater()
        _keep_until_deleted(self)


def run_job(parent: QWidget | None, ctx: Any, job: Callable[[Any, Any], Any],
            on_result: Callable[[Any], None] | None = None, *, title: str,
            on_error: Callable[[BaseException, str], None] | None = None,
            on_cancelled: Callable[[], None] | None = None, cancellable: bool = True) -> Ticket:
    """Run a long job on the workspace with delayed busy cursor and progress dialog."""
    feedback = SlowJobFeedback(parent, title, cancellable)

    def done(result: Any) -> None:
        feedback.finish()
        if on_result is not None:
            on_result(result)

    def failed(exc: BaseException, trace: str) -> None:
        feedback.finish()
        if isinstance(exc, Cancelled):
            if on_cancelled is not None:
                on_cancelled()
        elif on_error is not None:
            on_error(exc, trace)
        else:
            ctx.error.emit(exc, trace)

    ticket = ctx.run(job, done, failed, feedback.progress)
    feedback.start(ticket)
    return ticket


def run_plain(parent: QWidget | None, worker: Any, fn: Callable[[Any], Any], on_result: Callable[[Any], None],
              on_error: Callable[[BaseException, str], None], *, title: str, cancellable: bool = True) -> Ticket:
    """Like :func:`run_job` for a job that needs no workspace (creating one, the demo)."""
    feedback = SlowJobFeedback(parent, title, cancellable)

    def done(result: Any) -> None:
        feedback.finish()
        on_result(result)

    def failed(exc: BaseException, trace: str) -> None:
        feedback.finish()
        on_error(exc, trace)

    ticket = worker.submit(fn, done, failed, feedback.progress)
    feedback.start(ticket)
    return ticket
