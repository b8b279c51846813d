"""Changes other clients make to a server workspace reach this window's views.

When the context opens a server workspace, a listening connection is made on the database
thread (services/server_changes.py); a socket notifier then wakes the UI thread when a notice
arrives, which is only read off the socket (no query), turned into :class:`Changes` and sent
through ``ctx.changed``: every view refreshes exactly as after a change made here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier

if TYPE_CHECKING:
    from recovery_desk.services.server_changes import ChangeListener
    from recovery_desk.ui.context import AppContext


class ServerListener(QObject):
    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.ctx = ctx
        self.listener: ChangeListener | None = None
        self.notifier: QSocketNotifier | None = None
        ctx.workspace_changed.connect(self._workspace_changed)

    def _workspace_changed(self) -> None:
        self._stop()
        ws = self.ctx.workspace
        if ws is None or getattr(ws, "dialect", "sqlite") != "postgresql":
            return
        from recovery_desk.services.server_changes import ChangeListener

        self.ctx.worker.submit(lambda _p: ChangeListener(ws.path, ws.instance_id),
                               lambda listener: self._attach(ws, listener), self.ctx.error.emit)

    def _attach(self, ws, listener: ChangeListener) -> None:
        if self.ctx.workspace is not ws:  # another workspace was opened meanwhile
            self.ctx.worker.submit(lambda _p: listener.close())
            return
        self.listener = listener
        self.notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self._readable)

    def _readable(self) -> None:
        import psycopg

        if self.listener is None:
            return
        try:
            arrived = self.listener.poll()
        except psycopg.OperationalError as exc:
            from recovery_desk.storage.postgres import explain_server_error

            self._stop()
            self.ctx.error.emit(explain_server_error(exc) or exc, "")
            return
        for changes in arrived:
            self.ctx.changed.emit(changes)

    def _stop(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
        if self.listener is not None:
            listener, self.listener = self.listener, None
            self.ctx.worker.submit(lambda _p: listener.close())
