"""One thread for all database and PDF work; results come back on the UI thread.

After Anki's taskman (a single-thread executor serialising collection access) and Picard's
thread helper (results posted back to the UI thread): jobs run one at a time, in order,
on :class:`DatabaseWorker`'s thread; their callbacks run on the thread that owns the
worker (the UI thread), through queued signals. Widgets are never touched by a job.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from recovery_desk.storage.failures import known_error


class Cancelled(Exception):
    """Raised inside a job when the user cancelled it; the job's transaction rolls back."""


class Progress:
    """Handed to each job: report progress (throttled) and check for cancellation."""

    MIN_INTERVAL = 0.05

    def __init__(self, emit: Callable[[int, int, str], None]):
        self._emit = emit
        self._cancel = threading.Event()
        self._last = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def report(self, done: int, total: int, text: str = "") -> None:
        """Report progress; raises Cancelled if the user asked to stop."""
        self.check()
        now = time.monotonic()
        if now - self._last >= self.MIN_INTERVAL or done >= total:
            self._last = now
            self._emit(done, total, text)


@dataclass(eq=False)
class Ticket:
    """A submitted job. ``cancel()`` asks it to stop (it raises Cancelled at its next check)."""

    fn: Callable[[Progress], Any]
    on_result: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException, str], None] | None = None
    on_progress: Callable[[int, int, str], None] | None = None
    progress: Progress = field(init=False)
    done: bool = False

    def cancel(self) -> None:
        self.progress.cancel()

    @property
    def cancelled(self) -> bool:
        return self.progress.cancelled


class _Thread(QThread):
    def __init__(self, jobs: queue.Queue, bridge: DatabaseWorker):
        super().__init__()
        self.setObjectName("recovery-desk-db")
        self._jobs = jobs
        self._bridge = bridge

    def run(self) -> None:
        while True:
            ticket = self._jobs.get()
            if ticket is None:
                return
            if ticket.cancelled:
                self._bridge._failed.emit(ticket, Cancelled(), "")
                continue
            try:
                result = ticket.fn(ticket.progress)
            except BaseException as exc:  # reported to the UI thread, never lost
                # A known failure (locked, disk full, read-only, damaged…) reaches the UI as the
                # same one-line message the CLI prints (storage/failures.py); bugs stay as they are.
                self._bridge._failed.emit(ticket, known_error(exc) or exc, traceback.format_exc())
            else:
                self._bridge._finished.emit(ticket, result)


class DatabaseWorker(QObject):
    """Owns the database thread. Create one per app; call ``stop()`` before quitting."""

    _finished = Signal(object, object)
    _failed = Signal(object, object, str)
    _progressed = Signal(object, int, int, str)
    idle_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs: queue.Queue = queue.Queue()
        self._pending = 0
        self._finished.connect(self._on_finished)
        self._failed.connect(self._on_failed)
        self._progressed.connect(self._on_progress)
        self._thread = _Thread(self._jobs, self)
        self._thread.start()

    def submit(
        self,
        fn: Callable[[Progress], Any],
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException, str], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> Ticket:
        """Run ``fn(progress)`` on the database thread; callbacks run on the UI thread."""
        ticket = Ticket(fn, on_result, on_error, on_progress)
        ticket.progress = Progress(lambda d, t, s: self._progressed.emit(ticket, d, t, s))
        self._pending += 1
        if self._pending == 1:
            self.idle_changed.emit(False)
        self._jobs.put(ticket)
        return ticket

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def stop(self) -> None:
        """Finish queued jobs, then end the thread (tests call this in teardown)."""
        if self._thread.isRunning():
            self._jobs.put(None)
            self._thread.wait()

    def _settle(self, ticket: Ticket) -> None:
        ticket.done = True
        self._pending -= 1
        if self._pending == 0:
            self.idle_changed.emit(True)

    def _on_finished(self, ticket: Ticket, result: Any) -> None:
        self._settle(ticket)
        if ticket.on_result is not None:
            ticket.on_result(result)

    def _on_failed(self, ticket: Ticket, exc: BaseException, trace: str) -> None:
        self._settle(ticket)
        if ticket.on_error is not None:
            ticket.on_error(exc, trace)
        elif not isinstance(exc, Cancelled):
            raise exc  # reaches sys.excepthook: the crash dialog shows it

    def _on_progress(self, ticket: Ticket, done: int, total: int, text: str) -> None:
        if ticket.on_progress is not None and not ticket.done:
            ticket.on_progress(done, total, text)
