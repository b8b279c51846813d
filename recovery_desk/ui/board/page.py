"""The board page (placeholder until the full board lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from recovery_desk.i18n import tr
from recovery_desk.ui.context import AppContext


class BoardPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Board", ctx.lang)))
