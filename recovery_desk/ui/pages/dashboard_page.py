"""The Dashboard: the figures of ``stats`` as numbers and bar charts painted with QPainter
(QtCharts is not part of PySide6-Essentials; a bar chart is a few dozen lines)."""

from __future__ import annotations

from datetime import date
from typing import Any

import shiboken6
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.vocabulary import NEED_CATEGORY, SECTOR, STAGE
from recovery_desk.i18n import tr
from recovery_desk.services.changes import Changes
from recovery_desk.services.stats import compute_stats
from recovery_desk.ui.colours import SECTOR_COLOURS
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.formatting import format_number

BAR = "#1976d2"
SECOND = "#c62828"


class BarChart(QWidget):
    """Horizontal bars with labels and values; optional second series drawn over the first."""

    def __init__(self, title: str, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.lang = lang
        self.rows: list[tuple[str, float, float | None, str]] = []  # label, value, overlay, colour
        self.legend: list[tuple[str, str]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_rows(self, rows: list[tuple[str, float, float | None, str]], legend: list[tuple[str, str]] = ()) -> None:
        self.rows = rows
        self.legend = list(legend)
        self.updateGeometry()
        self.update()

    def _line(self) -> int:
        return self.fontMetrics().height() + 6

    def sizeHint(self) -> QSize:
        return QSize(420, self._line() * (len(self.rows) + 2 + (1 if self.legend else 0)) + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, self.sizeHint().height())

    def paintEvent(self, _event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        line = self._line()
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        bold = self.font()
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(text_colour)
        p.drawText(QRectF(0, 0, self.width(), line), Qt.AlignmentFlag.AlignVCenter, self.title)
        p.setFont(self.font())
        y = line
        if self.legend:
            x = 0.0
            for label, colour in self.legend:
                p.fillRect(QRectF(x, y + line / 2 - 5, 10, 10), QColor(colour))
                p.setPen(text_colour)
                p.drawText(QRectF(x + 14, y, fm.horizontalAdvance(label) + 4, line),
                           Qt.AlignmentFlag.AlignVCenter, label)
                x += fm.horizontalAdvance(label) + 30
            y += line
        if not self.rows:
            return
        label_w = min(max(fm.horizontalAdvance(r[0]) for r in self.rows) + 10, self.width() * 0.45)
        value_w = max(fm.horizontalAdvance(format_number(int(r[1]), self.lang)) for r in self.rows) + 10
        bar_w = max(self.width() - label_w - value_w - 4, 10)
        top = max(max(r[1] for r in self.rows), 1)
        for label, value, overlay, colour in self.rows:
            p.setPen(text_colour)
            p.drawText(QRectF(0, y, label_w - 6, line), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       fm.elidedText(label, Qt.TextElideMode.ElideRight, int(label_w - 6)))
            width = bar_w * value / top
            p.fillRect(QRectF(label_w, y + 3, width, line - 6), QColor(colour))
            if overlay:
                p.fillRect(QRectF(label_w, y + 3, bar_w * overlay / top, line - 6), QColor(SECOND))
            p.setPen(text_colour)
            p.drawText(QRectF(label_w + width + 4, y, value_w, line), Qt.AlignmentFlag.AlignVCenter,
                       format_number(int(value), self.lang))
            y += line
        p.end()


class Figure(QFrame):
    """A big number with its caption."""

    def __init__(self, caption: str, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("—")
        self.value.setObjectName(name)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        self.value.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        caption_label = QLabel(caption)
        caption_label.setWordWrap(True)
        layout.addWidget(caption_label)


class DashboardPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lang = self.lang = ctx.lang
        self.setObjectName("dashboard_page")
        self.stats: dict[str, Any] | None = None
        self.today: date | None = None  # tests and screenshots pin "today"
        self._dirty = True
        self._loading = False

        self.heading = QLabel(tr("Dashboard", lang))
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)

        self.figures = {
            "cases_open": Figure(tr("Open cases", lang), "cases_open"),
            "cases_total": Figure(tr("Cases in total", lang), "cases_total"),
            "unmet": Figure(tr("Unmet needs", lang), "unmet_needs"),
            "overdue": Figure(tr("Overdue tasks", lang), "overdue_tasks"),
            "single_sector": Figure(tr("Open cases with one sector only", lang), "single_sector"),
            "engaged": Figure(tr("Organisations engaged", lang), "engaged"),
        }
        numbers = QHBoxLayout()
        for figure in self.figures.values():
            numbers.addWidget(figure)

        self.by_stage = BarChart(tr("Cases by stage", lang), lang)
        self.by_need = BarChart(tr("Needs by category", lang), lang)
        self.by_sector = BarChart(tr("Load by sector (open tasks led)", lang), lang)
        self.by_sectors = BarChart(tr("Cases by number of sectors engaged", lang), lang)
        grid = QGridLayout()
        grid.addWidget(self.by_stage, 0, 0)
        grid.addWidget(self.by_sector, 0, 1)
        grid.addWidget(self.by_need, 1, 0)
        grid.addWidget(self.by_sectors, 1, 1)
        grid.setAlignment(Qt.AlignmentFlag.AlignTop)

        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.heading)
        inner_layout.addLayout(numbers)
        inner_layout.addLayout(grid)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        ctx.changed.connect(self._on_changed)
        ctx.workspace_changed.connect(self._on_workspace)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def _on_changed(self, _changes: Changes) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def _on_workspace(self) -> None:
        self._dirty = True
        self.stats = None
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        if self.ctx.workspace is None or self._loading:
            return
        self._dirty = False
        self._loading = True
        today = self.today

        def done(stats: dict[str, Any]) -> None:
            if not shiboken6.isValid(self):
                return
            self._loading = False
            self.show_stats(stats)
            if self._dirty and self.isVisible():
                self.refresh()

        def failed(exc: BaseException, trace: str) -> None:
            self._loading = False
            self.ctx.error.emit(exc, trace)

        self.ctx.read(lambda s: compute_stats(s, today=today), done, failed)

    def show_stats(self, stats: dict[str, Any]) -> None:
        lang = self.lang
        self.stats = stats
        cases, tasks = stats["cases"], stats["tasks"]
        by_category = stats["needs"]["by_category"]
        unmet_total = sum(states.get("unmet", 0) for states in by_category.values())
        values = {
            "cases_open": cases["open"], "cases_total": cases["total"], "unmet": unmet_total,
            "overdue": tasks["overdue"], "single_sector": cases["single_sector_open"],
            "engaged": stats["organisations"]["engaged"],
        }
        for key, figure in self.figures.items():
            figure.value.setText(format_number(values[key], lang))
        self.by_stage.set_rows([(STAGE.label(code, lang), n, None, BAR) for code, n in cases["by_stage"].items()])
        needs = sorted(by_category.items(), key=lambda kv: -(kv[1].get("unmet", 0) + kv[1].get("in_progress", 0)))
        self.by_need.set_rows(
            [(NEED_CATEGORY.label(code, lang), states.get("unmet", 0) + states.get("in_progress", 0),
              states.get("unmet", 0), BAR) for code, states in needs
             if states.get("unmet", 0) + states.get("in_progress", 0)],
            legend=[(tr("in progress", lang), BAR), (tr("unmet", lang), SECOND)])
        load = stats["load_by_sector"]
        self.by_sector.set_rows([(SECTOR.label(code, lang), v["open_tasks"], None, SECTOR_COLOURS.get(code, BAR))
                                 for code, v in load.items()])
        engaged = cases["by_sectors_engaged"]
        self.by_sectors.set_rows([(self._sectors_label(k), n, None, BAR if k != "1" else SECOND)
                                  for k, n in engaged.items()])

    def _sectors_label(self, key: str) -> str:
        if key == "0":
            return tr("no organisation", self.lang)
        if key == "4":
            return tr("4 or more sectors", self.lang)
        return tr("{n} sector(s)", self.lang, n=key)
