"""Import and export dialogs (File ▸ Import…, File ▸ Export…). Being built: see issue 6."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget


class ImportDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx


class ExportDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
