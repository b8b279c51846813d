"""The Reports page: build the incident or case PDF in the background, open or print it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from recovery_desk.i18n import tr
from recovery_desk.ui.context import AppContext


class ReportsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Reports", ctx.lang)))
