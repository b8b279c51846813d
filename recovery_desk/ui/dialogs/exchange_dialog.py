"""File ▸ Exchange: write changes for another laptop, read another laptop's changes.

Both run on the database worker with the delayed busy cursor / cancellable progress dialog
(ui/progress.py). Cancelling a read applies nothing (the bundle is one transaction); a
refused bundle is shown as the one-line reason and writes nothing. After a read, a summary
says what came in (new, updated, deleted, new conflicts) and points at the Conflicts page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from recovery_desk.i18n import tr
from recovery_desk.ui.progress import run_job

FILTER = "Recovery Desk exchange (*.rdsync)"


class ExchangeActions:
    """The two actions of File ▸ Exchange for one window (tests replace the ask_* callables)."""

    def __init__(self, window: QWidget, ctx: Any):
        self.window = window
        self.ctx = ctx
        self.lang = ctx.lang
        self.ask_save_path = self._ask_save_path
        self.ask_open_path = self._ask_open_path
        self.ask_passphrase = self._ask_passphrase
        self.ask_server_url = self._ask_server_url
        self.last_summary: str = ""
        self.on_summary: Any = None  # called with the summary text (tests)

    def _ask_save_path(self) -> str:
        ws = self.ctx.workspace
        suggested = str(Path(ws.path).with_suffix(".rdsync")) if ws is not None else ""
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Write changes for another laptop…", self.lang),
                                              suggested, tr(FILTER, self.lang))
        return path

    def _ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self.window, tr("Read changes…", self.lang), "", tr(FILTER, self.lang))
        return path

    def _ask_passphrase(self) -> str | None:
        text, ok = QInputDialog.getText(self.window, tr("Passphrase", self.lang),
                                        tr("Passphrase of the incident's bundles:", self.lang),
                                        QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def _ask_server_url(self) -> str:
        from recovery_desk.ui.dialogs.server_dialog import ask_server_url

        return ask_server_url(self.window, self.lang, title=tr("Synchronise with a server", self.lang),
                              action=tr("Synchronise", self.lang))

    def synchronise(self) -> None:
        """This laptop's changes to the server and the server's here (services/server_sync.py),
        on the worker: the same merge rules and conflicts as bundles."""
        from recovery_desk.storage.engines import is_server_url

        ws = self.ctx.workspace
        if ws is not None and is_server_url(ws.path):
            self._summary(tr("This workspace is on a server already: synchronise a laptop's file with it.",
                             self.lang))
            return
        url = self.ask_server_url()
        if not url:
            return
        from recovery_desk.services.server_sync import synchronise
        from recovery_desk.ui import options

        def done(result: Any) -> None:
            options.save_server(url)
            lines = [tr("Sent to the server: {text}", self.lang, text=result.pushed.describe(lang=self.lang)),
                     tr("Received from the server: {text}", self.lang, text=result.pulled.describe(lang=self.lang))]
            if result.pushed.conflicts or result.pulled.conflicts:
                lines.append(tr("See the Conflicts page to settle them.", self.lang))
            self._summary("\n".join([*lines, *result.pushed.flags, *result.pulled.flags]))
            self.ctx.changed.emit(result.pulled.touched)

        run_job(self.window, self.ctx, lambda ws, progress: synchronise(ws, url, progress=progress), done,
                title=tr("Synchronising with the server…", self.lang),
                on_cancelled=lambda: self._summary(tr("Cancelled: each side keeps only what was completely "
                                                      "exchanged before.", self.lang)))

    def _bundle_and_passphrase(self, ask_path: Any) -> tuple[str, str] | None:
        """The bundle's path and the incident's passphrase, or None when either was not given."""
        path = ask_path()
        if not path:
            return None
        secret = self.ask_passphrase()
        return None if secret is None else (path, secret)

    def write(self) -> None:
        asked = self._bundle_and_passphrase(self.ask_save_path)
        if asked is None:
            return
        path, secret = asked
        from recovery_desk.services.sync.exchange import export_bundle

        def done(result: Any) -> None:
            self._summary(tr("Wrote {count} change(s) to {path} ({size} bytes)", self.lang, count=result.changes,
                             path=result.path, size=result.size))
            self.ctx.changed.emit(_nothing())

        run_job(self.window, self.ctx, lambda ws, progress: export_bundle(ws, Path(path), secret, progress=progress),
                done, title=tr("Writing changes for another laptop…", self.lang))

    def read(self) -> None:
        asked = self._bundle_and_passphrase(self.ask_open_path)
        if asked is None:
            return
        path, secret = asked
        from recovery_desk.services.sync.exchange import import_bundle

        def done(summary: Any) -> None:
            text = summary.describe(Path(path).name, self.lang)
            if summary.conflicts:
                text += "\n" + tr("See the Conflicts page to settle them.", self.lang)
            self._summary("\n".join([text, *summary.flags]))
            self.ctx.changed.emit(summary.touched)

        run_job(self.window, self.ctx, lambda ws, progress: import_bundle(ws, Path(path), secret, progress=progress),
                done, title=tr("Reading changes…", self.lang),
                on_cancelled=lambda: self._summary(tr("Cancelled: nothing was read.", self.lang)))

    def _summary(self, text: str) -> None:
        self.last_summary = text
        if self.on_summary is not None:
            self.on_summary(text)
            return
        box = QMessageBox(QMessageBox.Icon.Information, tr("Exchange", self.lang), text, parent=self.window)
        box.open()


def _nothing() -> Any:
    from recovery_desk.services.changes import Changes

    changes = Changes(operation="sync_export")
    changes.updated["sync"].add("export")  # the unsent count and peers may read differently now
    return changes
