"""The welfare-triangle view: every organisation placed on Pestoff's triangle.

State at the top, market bottom-left, community bottom-right, the third sector in the
middle. Positions and bubble sizes come from :mod:`recovery_desk.domain.triangle`, the
same functions the PDF report uses, so the screen and the paper agree. Painted with
QPainter (PySide6-Essentials has no QtCharts). Hover shows a tooltip, a click selects
the organisation, the arrow keys walk through them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from recovery_desk.domain.triangle import SQRT3_2, bubble_radius, triangle_point
from recovery_desk.domain.vocabulary import ORG_TYPE, SECTOR
from recovery_desk.i18n import tr
from recovery_desk.services.org_queries import OrgRow
from recovery_desk.ui.colours import SECTOR_COLOURS
from recovery_desk.ui.formatting import format_number

LABELLED = 12  # the largest bubbles get a name beside them


class TriangleView(QWidget):
    """Organisations on the welfare triangle, sized by their open tasks."""

    organisation_clicked = Signal(str)

    def __init__(self, lang: str = "en", parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.rows: list[OrgRow] = []
        self.counted = True
        self.selected_id: str | None = None
        self._points: dict[str, tuple[float, float]] = {}  # unit-triangle coordinates
        self._radii: dict[str, float] = {}  # in units of the triangle's side
        self._labelled: set[str] = set()
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(tr("Welfare triangle", lang))
        self.setAutoFillBackground(True)

    # -- data -------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[OrgRow]) -> None:
        self.rows = list(rows)
        self.counted = all(r.open_tasks is not None for r in self.rows)
        largest = max((r.open_tasks or 0 for r in self.rows), default=0)
        self._points = {r.id: triangle_point(r.ownership, r.profit, r.formality, r.id) for r in self.rows}
        self._radii = {r.id: bubble_radius(r.open_tasks or 0, largest) for r in self.rows}
        ranked = sorted((r for r in self.rows if r.open_tasks), key=lambda r: (-(r.open_tasks or 0), r.name))
        # The largest overall, and the largest of each sector so that no corner goes unnamed.
        self._labelled = {r.id for r in ranked[:LABELLED]}
        for sector in {r.sector for r in ranked}:
            self._labelled.add(next(r.id for r in ranked if r.sector == sector))
        self.update()

    def set_selected(self, organisation_id: str | None) -> None:
        if organisation_id != self.selected_id:
            self.selected_id = organisation_id
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(640, 560)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 280)

    # -- geometry ---------------------------------------------------------------------------
    def _frame(self) -> tuple[float, float, float]:
        """Origin (x, y of the market corner, in pixels) and side length of the triangle."""
        fm = QFontMetricsF(self.font())
        margin_x = 16 + fm.horizontalAdvance("M" * 6)
        top = 12 + fm.height() * 1.6
        bottom = 12 + fm.height() * 3.4  # corner captions and the legend below
        avail_w = max(10.0, self.width() - 2 * margin_x)
        avail_h = max(10.0, self.height() - top - bottom)
        side = min(avail_w, avail_h / SQRT3_2)
        x0 = (self.width() - side) / 2
        y0 = top + side * SQRT3_2
        return x0, y0, side

    def to_pixels(self, x: float, y: float) -> QPointF:
        return _in_frame(self._frame(), x, y)

    def point_for(self, organisation_id: str) -> QPointF | None:
        """Where an organisation's bubble is drawn (widget coordinates)."""
        unit = self._points.get(organisation_id)
        return None if unit is None else self.to_pixels(*unit)

    def unit_point_for(self, organisation_id: str) -> tuple[float, float] | None:
        """The organisation's point in the unit triangle (x right, y up; the top is y=√3/2)."""
        return self._points.get(organisation_id)

    def radius_for(self, organisation_id: str) -> float:
        return self._radii.get(organisation_id, 0.0) * self._frame()[2]

    def hit_test(self, pos: QPointF) -> str | None:
        """The organisation under ``pos``: the smallest bubble containing it (drawn on top)."""
        best: tuple[float, str] | None = None
        frame = self._frame()  # once: it measures the font
        side = frame[2]
        for row in self.rows:
            centre = _in_frame(frame, *self._points[row.id])
            radius = max(self._radii[row.id] * side, 4.0)
            dist = math.hypot(pos.x() - centre.x(), pos.y() - centre.y())
            if dist <= radius and (best is None or radius < best[0]):
                best = (radius, row.id)
        return best[1] if best else None

    def row(self, organisation_id: str | None) -> OrgRow | None:
        return next((r for r in self.rows if r.id == organisation_id), None)

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_colour = palette.color(palette.ColorRole.WindowText)
        # The frame once per paint, not once per point: it measures the font each time.
        frame = self._frame()
        side = frame[2]

        def at(x: float, y: float) -> QPointF:
            return _in_frame(frame, x, y)

        corners = {
            "state": at(0.5, SQRT3_2),
            "market": at(0.0, 0.0),
            "community": at(1.0, 0.0),
        }
        path = QPainterPath(corners["state"])
        path.lineTo(corners["market"])
        path.lineTo(corners["community"])
        path.closeSubpath()
        p.fillPath(path, QColor(240, 240, 236) if palette.color(palette.ColorRole.Window).lightness() > 128
                   else QColor(60, 60, 60))
        p.setPen(QPen(text_colour, 1.5))
        p.drawPath(path)
        # The inner triangle joining the edges' midpoints marks the third sector's area.
        mids = [at(0.25, SQRT3_2 / 2), at(0.75, SQRT3_2 / 2), at(0.5, 0.0)]
        inner = QPainterPath(mids[0])
        inner.lineTo(mids[1])
        inner.lineTo(mids[2])
        inner.closeSubpath()
        p.setPen(QPen(text_colour.lighter(250) if text_colour.lightness() < 128 else text_colour.darker(150), 1,
                      Qt.PenStyle.DashLine))
        p.drawPath(inner)

        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        fm = QFontMetricsF(bold)
        p.setPen(text_colour)
        state = SECTOR.label("state", self.lang)
        p.drawText(QPointF(corners["state"].x() - fm.horizontalAdvance(state) / 2, corners["state"].y() - 8), state)
        market = SECTOR.label("market", self.lang)
        community = SECTOR.label("community", self.lang)
        below = corners["market"].y() + fm.height() + 2
        p.drawText(QPointF(max(4.0, corners["market"].x() - fm.horizontalAdvance(market) / 2), below), market)
        p.drawText(QPointF(min(self.width() - fm.horizontalAdvance(community) - 4,
                               corners["community"].x() - fm.horizontalAdvance(community) / 2), below), community)
        p.setFont(self.font())
        small = QFontMetricsF(self.font())
        third = SECTOR.label("third_sector", self.lang)
        anchor = at(0.5, 0.40)
        third_rect = QRectF(anchor.x() - small.horizontalAdvance(third) / 2, anchor.y() - small.ascent(),
                            small.horizontalAdvance(third), small.height())
        p.setPen(text_colour.lighter(180) if text_colour.lightness() < 128 else text_colour)
        p.drawText(QPointF(third_rect.x(), anchor.y()), third)

        # Bubbles: the largest first, so small ones stay visible on top. One brush and pen per
        # sector, not per bubble (building them was half of a 500-bubble paint).
        styles = _bubble_styles()
        order = sorted(self.rows, key=lambda r: -self._radii[r.id])
        current = None
        for row in order:
            c = at(*self._points[row.id])
            r = max(self._radii[row.id] * side, 3.0)
            style = styles.get(row.sector) or styles["hybrid"]
            if style is not current:
                p.setBrush(style[0])
                p.setPen(style[1])
                current = style
            p.drawEllipse(c, r, r)
        if self.selected_id in self._points:
            c = at(*self._points[self.selected_id])
            r = max(self._radii[self.selected_id] * side, 3.0) + 4
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(palette.color(palette.ColorRole.Highlight), 3))
            p.drawEllipse(c, r, r)

        # Labels for the largest ones: beside the bubble, on the first side that is free.
        p.setPen(text_colour)
        placed = [third_rect]
        bg = palette.color(palette.ColorRole.Base)
        bg.setAlpha(210)
        for row in sorted(order, key=lambda r: (r.id != self.selected_id, -self._radii[r.id])):
            if row.id not in self._labelled and row.id != self.selected_id:
                continue
            c = at(*self._points[row.id])
            r = max(self._radii[row.id] * side, 3.0)
            text = self._short_name(row)
            w, h = small.horizontalAdvance(text) + 4, small.height()
            candidates = [
                QRectF(c.x() + r + 2, c.y() - h / 2, w, h),
                QRectF(c.x() - r - 2 - w, c.y() - h / 2, w, h),
                QRectF(c.x() - w / 2, c.y() - r - 2 - h, w, h),
                QRectF(c.x() - w / 2, c.y() + r + 2, w, h),
            ]
            bounds = QRectF(self.rect()).adjusted(2, 2, -2, -2)
            rect = next((q for q in candidates if bounds.contains(q) and not any(q.intersects(o) for o in placed)),
                        None)
            if rect is None:
                continue
            placed.append(rect)
            p.fillRect(rect, bg)
            p.drawText(QPointF(rect.x() + 2, rect.y() + small.ascent()), text)

        if not self.rows:
            empty = tr("No organisations yet", self.lang)
            where = at(0.5, 0.26)
            p.drawText(QPointF(where.x() - small.horizontalAdvance(empty) / 2, where.y()), empty)
        self._paint_legend(p, text_colour)
        p.end()

    def _short_name(self, row: OrgRow) -> str:
        text = row.acronym or row.name
        fm = QFontMetricsF(self.font())
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, max(80.0, self.width() * 0.22))

    def _paint_legend(self, p: QPainter, text_colour: QColor) -> None:
        fm = QFontMetricsF(self.font())
        y = self.height() - fm.height() * 0.6
        x = 8.0
        items = [(SECTOR_COLOURS[code], SECTOR.label(code, self.lang)) for code in SECTOR.codes]
        for colour, label in items:
            p.setBrush(colour)
            p.setPen(QPen(colour.darker(150), 1))
            p.drawEllipse(QPointF(x + 5, y - fm.ascent() / 2 + 1), 5, 5)
            p.setPen(text_colour)
            p.drawText(QPointF(x + 14, y), label)
            x += 14 + fm.horizontalAdvance(label) + 14
        note = tr("Bubble size: open tasks led", self.lang) if self.counted else tr("Counting open tasks…", self.lang)
        w = fm.horizontalAdvance(note)
        if x + w + 8 < self.width():
            p.drawText(QPointF(self.width() - w - 8, y), note)

    # -- interaction ------------------------------------------------------------------------
    def tooltip_text(self, organisation_id: str) -> str:
        row = self.row(organisation_id)
        if row is None:
            return ""
        lang = self.lang
        name = f"{row.name} ({row.acronym})" if row.acronym else row.name
        return "\n".join([
            name,
            tr("Sector: {sector}", lang, sector=SECTOR.label(row.sector, lang)),
            tr("Type: {type}", lang, type=ORG_TYPE.label(row.org_type, lang)),
            tr("Open tasks: {n}", lang, n="…" if row.open_tasks is None else format_number(row.open_tasks, lang)),
            tr("Cases: {n}", lang, n="…" if row.cases is None else format_number(row.cases, lang)),
        ])

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self.hit_test(QPointF(event.pos()))
            if hit:
                QToolTip.showText(event.globalPos(), self.tooltip_text(hit), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self.hit_test(event.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            hit = self.hit_test(event.position())
            if hit:
                self.set_selected(hit)
                self.organisation_clicked.emit(hit)
                event.accept()
                return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrow keys walk through the organisations (by name); Enter/Space selects."""
        if not self.rows:
            return super().keyPressEvent(event)
        ids = [r.id for r in sorted(self.rows, key=lambda r: r.name)]
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up):
            step = 1 if key in (Qt.Key.Key_Right, Qt.Key.Key_Down) else -1
            i = ids.index(self.selected_id) if self.selected_id in ids else -1
            i = (i + step) % len(ids)
            self.set_selected(ids[i])
            self.organisation_clicked.emit(ids[i])
            return
        super().keyPressEvent(event)


def _in_frame(frame: tuple[float, float, float], x: float, y: float) -> QPointF:
    """A unit-triangle point in pixels, in the frame (origin x, y and side) of ``_frame``."""
    x0, y0, side = frame
    return QPointF(x0 + x * side, y0 - y * side)


def _bubble_styles() -> dict[str, tuple[QBrush, QPen]]:
    """Each sector's bubble brush (its colour, a little transparent) and outline."""
    styles = {}
    for sector, base in SECTOR_COLOURS.items():
        colour = QColor(base)
        colour.setAlpha(170)
        styles[sector] = (QBrush(colour), QPen(colour.darker(150), 1))
    return styles
