"""One thread for all database and PDF work; results come back on the UI thread.

After Anki's taskman (a single-thread executor serialising collection access) and Picard's
thread helper (results posted back to the UI thread): jobs run one at a time, in order,
on :class:`DatabaseWorker`'s thread; their callbacks run on the thread that owns the
worker (the UI thread), through queued signals. Widgets are never touched by a job.

Nothing made on the UI thread may die on the worker (Qt objects must be destroyed by the
thread that owns them): a ticket is no reference cycle, the worker keeps no reference to a
finished job once it has handed it over, and the UI thread empties each ticket (the job,
its callbacks, its result or error) when it delivers it, so whatever the job or its
callbacks held is released there. The cyclic collector runs on the UI thread only while
the worker lives (:mod:`recovery_desk.ui.collector`).
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from recovery_desk.storage.failures import known_error
from recovery_desk.ui.collector import UiThreadCollector


class Cancelled(Exception):
    """Raised inside a job when the user cancelled it; the job's transaction rolls back."""


class Progress:
    """Handed to each job: report progress (throttled) and check for cancellation."""

    MIN_INTERVAL = 0.05

    def __init__(self, emit: Callable[[int, int, str], None], cancel: threading.Event | None = None):
        self._emit = emit
        self._cancel = cancel if cancel is not None else threading.Event()
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

    fn: Callable[[Progress], Any] | None
    on_result: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException, str], None] | None = None
    on_progress: Callable[[int, int, str], None] | None = None
    done: bool = False
    # Filled by the worker thread, emptied by the UI thread when it delivers them.
    result: Any = None
    error: BaseException | None = None
    trace: str = ""
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def take(self) -> tuple[Callable[[Any], None] | None, Callable[[BaseException, str], None] | None,
                            Any, BaseException | None, str]:
        """Empty the ticket (on the UI thread): its job and progress callback go, its result
        callbacks and outcome are returned to be used and dropped there."""
        taken = self.on_result, self.on_error, self.result, self.error, self.trace
        self.fn = self.on_result = self.on_error = self.on_progress = None
        self.result, self.error, self.trace = None, None, ""
        return taken


class _Thread(QThread):
    def __init__(self, jobs: queue.Queue, bridge: DatabaseWorker):
        super().__init__()
        self.setObjectName("recovery-desk-db")
        self._jobs = jobs
        self._bridge = bridge

    def run(self) -> None:
        while self._run_next():
            pass

    def _run_next(self) -> bool:
        """Run one job and hand its outcome to the UI thread. Its locals (the ticket, the
        progress) end with this call, before the thread waits for the next job."""
        ticket = self._jobs.get()
        if ticket is None:
            return False
        if ticket.cancelled:
            ticket.error = Cancelled()
        else:
            progress = Progress(partial(self._bridge._progressed.emit, ticket), ticket._cancel)
            try:
                ticket.result = ticket.fn(progress)
            except BaseException as exc:  # reported to the UI thread, never lost
                # A known failure (locked, disk full, read-only, damaged…) reaches the UI as the
                # same one-line message the CLI prints (storage/failures.py); bugs stay as they are.
                ticket.error, ticket.trace = known_error(exc) or exc, traceback.format_exc()
                exc.__traceback__ = None  # its frames end here, not in the UI's hands
        self._bridge._delivered.emit(ticket)
        return True


class DatabaseWorker(QObject):
    """Owns the database thread. Create one per app; call ``stop()`` before quitting."""

    _delivered = Signal(object)  # Ticket, with its result or error
    _progressed = Signal(object, int, int, str)
    idle_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs: queue.Queue = queue.Queue()
        self._pending = 0
        self._delivered.connect(self._on_delivered)
        self._progressed.connect(self._on_progress)
        self._collector = UiThreadCollector(self)
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
        self._pending += 1
        if self._pending == 1:
            self.idle_changed.emit(False)
        self._jobs.put(ticket)
        return ticket

    @property
    def busy(self) -> bool:
        return self._pending > 0

    @property
    def pending(self) -> int:
        """Jobs submitted whose results have not been delivered yet."""
        return self._pending

    def stop(self) -> None:
        """Finish queued jobs, then end the thread (tests call this in teardown)."""
        if self._thread.isRunning():
            self._jobs.put(None)
            self._thread.wait()
        self._collector.stop()

    def _settle(self, ticket: Ticket) -> None:
        ticket.done = True
        self._pending -= 1
        if self._pending == 0:
            self.idle_changed.emit(True)

    def _on_delivered(self, ticket: Ticket) -> None:
        on_result, on_error, result, error, trace = ticket.take()
        self._settle(ticket)
        if error is None:
            if on_result is not None:
                on_result(result)
        elif on_error is not None:
            on_error(error, trace)
        elif not isinstance(error, Cancelled):
            from recovery_desk.ui import crash

            crash.show_crash(type(error), error, trace)  # nobody handles it: the crash dialog

    def _on_progress(self, ticket: Ticket, done: int, total: int, text: str) -> None:
        if ticket.on_progress is not None and not ticket.done:
            ticket.on_progress(done, total, text)
