"""The application context every page receives: the open workspace, the database worker,
the undo stack, the language, and the ``changed`` signal (after Anki's CollectionOp).

Pages never call services directly on the UI thread. They call :meth:`AppContext.read`
for queries and :meth:`AppContext.change` for writes; after a write, ``changed`` carries
the service's :class:`Changes` so each view refreshes only what was touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from sqlalchemy.orm import Session

from recovery_desk.services.changes import Changes
from recovery_desk.services.workspace import Workspace
from recovery_desk.ui.worker import DatabaseWorker, Progress, Ticket

T = TypeVar("T")


class AppContext(QObject):
    changed = Signal(object)  # Changes
    error = Signal(object, str)  # exception, traceback text — the window shows it
    workspace_changed = Signal()
    identity_changed = Signal()  # someone else signed in (File ▸ Switch user)

    def __init__(self, worker: DatabaseWorker, lang: str = "en", parent: QObject | None = None):
        super().__init__(parent)
        self.worker = worker
        self.lang = lang
        self.workspace: Workspace | None = None
        self.undo_stack = QUndoStack(self)
        from recovery_desk.ui.server_listener import ServerListener

        self.server_listener = ServerListener(self)  # other clients' changes on a server workspace

    def set_workspace(self, workspace: Workspace | None) -> None:
        from recovery_desk.services.local_time import workspace_zone
        from recovery_desk.ui.formatting import set_display_zone

        old, self.workspace = self.workspace, workspace
        self.undo_stack.clear()
        if old is not None and old is not workspace:
            self.worker.submit(lambda _p: old.close())
        set_display_zone(None)
        if workspace is not None:
            # Read before anything the views ask for (one worker, in order): their times come
            # back after it and are shown in the workspace's zone.
            self.read(workspace_zone, set_display_zone)
        self.workspace_changed.emit()

    @property
    def me(self) -> Any:
        """The signed-in person's Identity (services/identity.py), or None."""
        return getattr(self.workspace, "identity", None) if self.workspace is not None else None

    def read(self, query: Callable[[Session], T], on_result: Callable[[T], None],
             on_error: Callable[[BaseException, str], None] | None = None) -> Ticket:
        """Run ``query(session)`` on the database thread; ``on_result`` gets its value."""
        ws = self._require_workspace()

        def job(_progress: Progress) -> T:
            with ws.session() as session:
                return query(session)

        return self.worker.submit(job, on_result, on_error or self._report)

    def change(self, op: Callable[[Workspace], Changes], on_done: Callable[[Changes], None] | None = None,
               on_error: Callable[[BaseException, str], None] | None = None) -> Ticket:
        """Run a service call on the database thread, then announce what it changed."""
        ws = self._require_workspace()

        def done(changes: Changes) -> None:
            if on_done is not None:
                on_done(changes)
            if changes:
                self.changed.emit(changes)

        from recovery_desk.storage.retry import retrying

        # A serialization failure or deadlock on a server is retried from the start.
        return self.worker.submit(lambda _p: retrying(lambda: op(ws)), done, on_error or self._report)

    def run(self, job: Callable[[Workspace, Progress], Any], on_result: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException, str], None] | None = None,
            on_progress: Callable[[int, int, str], None] | None = None) -> Ticket:
        """A long job (import, report) with progress and cancellation."""
        ws = self._require_workspace()
        from recovery_desk.storage.retry import retrying

        # Again from the start after a deadlock or serialization failure on a server, while the
        # failed attempt committed nothing (a job of several transactions retries each itself).
        return self.worker.submit(lambda p: retrying(lambda: job(ws, p)), on_result, on_error or self._report,
                                  on_progress)

    def _require_workspace(self) -> Workspace:
        if self.workspace is None:
            raise RuntimeError("no workspace is open")
        return self.workspace

    def _report(self, exc: BaseException, trace: str) -> None:
        self.error.emit(exc, trace)
