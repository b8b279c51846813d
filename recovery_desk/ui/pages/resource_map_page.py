"""The Resource map page: where needs outrun who can take them.

Two modes of one page. The *heat map* crosses every place with open cases (rows) with every
need category (columns); a cell is coloured by its unmet needs — or, with the toggle, by the
capacity left of the organisations able to take them there — and outlined when no one can
take the need there (red) or the unmet needs exceed the known capacity (orange). Arrow keys
move between cells, Enter (or a click) opens the cell: its unmet cases and the candidate
organisations, ranked as ``match`` ranks them. The *map* draws the open cases at their
coordinates (no tiles, nothing from the network), coloured by unmet need, with district
labels; dragging a rectangle (or Left/Right, district by district) selects cases.

The figures are services.gaps.compute_gaps on the database worker; both views only paint.
The heat map (the page's first view) needs only the gaps; the cases' points are read when
the map is first shown, so that the page appears without waiting for 50,000 points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.vocabulary import NEED_CATEGORY, SECTOR
from recovery_desk.i18n import tr
from recovery_desk.services import gaps, matching
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.pages.suggestions import serves_label

DEMAND = QColor("#c62828")
CAPACITY = QColor("#2e7d32")
NO_ONE = QColor("#b71c1c")
OVER = QColor("#ef6c00")
GRID = QColor("#bdbdbd")
NO_UNMET = QColor("#9e9e9e")
CASE_ID = Qt.ItemDataRole.UserRole
LEGEND_TOP = 6  # the map's legend: a strip at the top, from this y


@dataclass
class MapData:
    gaps: gaps.Gaps
    points: list[gaps.MapPoint] | None = None  # None until the map mode is shown
    labels: list[tuple[str, float, float]] | None = None


def load_map_data(session: Any) -> MapData:
    """What the heat map shows (a worker job): the cells' figures, without the candidates'
    ranking (only an opened cell lists them) and the single-sector cases (only the summary
    counts them): both are read next, by load_completion."""
    return MapData(gaps.compute_gaps(matching.dbapi(session), complete=False))


def load_completion(data: MapData) -> Any:
    """A worker job completing ``data``'s gaps: the ranking and the single-sector cases."""
    return lambda session: gaps.complete_gaps(matching.dbapi(session), data.gaps)


def load_map_points(session: Any) -> tuple[list[gaps.MapPoint], list[tuple[str, float, float]]]:
    """What the map mode draws (a worker job)."""
    return gaps.map_points(matching.dbapi(session))


def blend(colour: QColor, share: float) -> QColor:
    """``colour`` mixed with white: 0 → white, 1 → the colour (legible in black and white too)."""
    share = max(0.0, min(1.0, share))
    return QColor(round(255 - (255 - colour.red()) * share), round(255 - (255 - colour.green()) * share),
                  round(255 - (255 - colour.blue()) * share))


class PaintedView(QWidget):
    """A view of the page that paints itself in the page's language and takes the keyboard;
    ``painted`` follows each paint."""

    painted = Signal()

    def __init__(self, lang: str, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.setObjectName(name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class HeatMap(PaintedView):
    """Places × need categories, painted; a current cell moved by the keys."""

    cell_activated = Signal(object, str)  # place key, category

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(lang, "heat_map", parent)
        self.data: gaps.Gaps | None = None
        self.rows: list[gaps.PlaceKey] = []
        self.columns: list[str] = []
        self.show_capacity = False
        self.current = (0, 0)
        self.cell = QSize(46, 26)
        self._layout_metrics()

    def _layout_metrics(self) -> None:
        metrics = QFontMetrics(self.font())
        labels = [gaps.place_label(k, self.lang) for k in self.rows] or [""]
        self.left = max(metrics.horizontalAdvance(t) for t in labels) + 16
        heads = [NEED_CATEGORY.label(c, self.lang) for c in self.columns] or [""]
        self.top = max(metrics.horizontalAdvance(t) for t in heads) + 16  # column heads are drawn upright-rotated
        self.updateGeometry()

    def set_data(self, data: gaps.Gaps) -> None:
        self.data = data
        self.rows = list(data.places)
        self.columns = list(data.categories)
        self.current = (min(self.current[0], max(0, len(self.rows) - 1)),
                        min(self.current[1], max(0, len(self.columns) - 1)))
        self._layout_metrics()
        self.update()

    def set_show_capacity(self, on: bool) -> None:
        self.show_capacity = on
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.left + self.cell.width() * max(1, len(self.columns)) + 8,
                     self.top + self.cell.height() * max(1, len(self.rows)) + 8)

    minimumSizeHint = sizeHint

    def cell_rect(self, row: int, column: int) -> QRect:
        return QRect(self.left + column * self.cell.width(), self.top + row * self.cell.height(),
                     self.cell.width(), self.cell.height())

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        column = math.floor((x - self.left) / self.cell.width())
        row = math.floor((y - self.top) / self.cell.height())
        if 0 <= row < len(self.rows) and 0 <= column < len(self.columns):
            return row, column
        return None

    def value(self, cell: gaps.Cell) -> int | None:
        return cell.capacity_left if self.show_capacity else cell.unmet

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if self.data is None:
            p.end()
            return
        grid = self.data.grid
        values = [self.value(c) or 0 for c in grid.values()]
        top_value = max(values, default=0) or 1
        colour = CAPACITY if self.show_capacity else DEMAND
        text_pen, grid_pen = QPen(self.palette().text().color()), QPen(GRID)
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))
        # column heads, rotated so that long labels (Japanese or English) stay legible
        for c, category in enumerate(self.columns):
            rect = self.cell_rect(0, c)
            p.save()
            p.translate(rect.center().x() + 4, self.top - 6)
            p.rotate(-90)
            p.setPen(text_pen)
            p.drawText(QPointF(0, 0), NEED_CATEGORY.label(category, self.lang))
            p.restore()
        for r, key in enumerate(self.rows):
            rect = self.cell_rect(r, 0)
            p.setPen(text_pen)
            p.drawText(QRect(4, rect.top(), self.left - 8, rect.height()),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), gaps.place_label(key, self.lang))
            for c, category in enumerate(self.columns):
                cell = grid.get((key, category))
                rect = self.cell_rect(r, c)
                number = self.value(cell) if cell is not None else None
                p.fillRect(rect, blend(colour, (number or 0) / top_value))
                p.setPen(grid_pen)
                p.drawRect(rect.adjusted(0, 0, -1, -1))
                if cell is not None and cell.unmet and cell.gap:
                    p.setPen(QPen(NO_ONE if cell.gap == "no_one" else OVER, 3))
                    p.drawRect(rect.adjusted(2, 2, -3, -3))
                if cell is not None and (cell.unmet or self.show_capacity):
                    shown = "—" if number is None else str(number)
                    p.setFont(small)
                    p.setPen(QColor("white") if (number or 0) / top_value > 0.6 else text_pen.color())
                    p.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), shown)
                    p.setFont(self.font())
        if self.rows and self.columns:
            p.setPen(QPen(self.palette().highlight().color(), 2, Qt.PenStyle.SolidLine))
            if not self.hasFocus():
                p.setPen(QPen(self.palette().highlight().color(), 1, Qt.PenStyle.DashLine))
            p.drawRect(self.cell_rect(*self.current).adjusted(1, 1, -2, -2))
        p.end()
        self.painted.emit()

    def current_cell(self) -> tuple[gaps.PlaceKey, str] | None:
        if not self.rows or not self.columns:
            return None
        return self.rows[self.current[0]], self.columns[self.current[1]]

    def move(self, drow: int, dcolumn: int) -> None:
        if not self.rows:
            return
        self.current = (max(0, min(len(self.rows) - 1, self.current[0] + drow)),
                        max(0, min(len(self.columns) - 1, self.current[1] + dcolumn)))
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        steps = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0),
                 Qt.Key.Key_Home: (0, -10_000), Qt.Key.Key_End: (0, 10_000)}
        if event.key() in steps:
            self.move(*steps[event.key()])
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activate()
        else:
            super().keyPressEvent(event)

    def activate(self) -> None:
        cell = self.current_cell()
        if cell is not None:
            self.cell_activated.emit(*cell)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self.cell_at(event.position().x(), event.position().y())
        self.setFocus()
        if hit is not None:
            self.current = hit
            self.update()
            self.activate()


class CaseMap(PaintedView):
    """Open cases at their coordinates, drawn offline; a rectangle or a district selects cases."""

    selected = Signal(list, str)  # case points, what was selected (a district name, or "")

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(lang, "case_map", parent)
        self.setMinimumSize(320, 240)
        self.points: list[gaps.MapPoint] = []
        self.labels: list[tuple[str, float, float]] = []
        self.need: str | None = None  # colour cases with this unmet need; None = any unmet need
        self.chosen: set[str] = set()
        self._band: QRectF | None = None
        self._press: QPointF | None = None
        self._district = -1
        self._extent: tuple[float, float, float, float] | None = None
        self._frame_for: tuple[int, int] | None = None
        self._frame_cache = (0.0, 0.0, 1.0, 1.0, 0.0, 0.0)
        self._groups_for: tuple | None = None
        self._groups: dict[str, QPolygonF] = {}
        self._lat = self._lon = None
        self._marked, self._marked_for = 0, None

    def set_data(self, points: list[gaps.MapPoint], labels: list[tuple[str, float, float]]) -> None:
        import numpy as np

        self.points, self.labels = points, sorted(labels)
        self._lat = np.array([pt.latitude for pt in points], dtype=float)
        self._lon = np.array([pt.longitude for pt in points], dtype=float)
        self._extent, self._frame_for, self._groups_for, self._marked_for = None, None, None, None
        self.chosen.clear()
        self.update()

    def set_need(self, need: str | None) -> None:
        self.need = need
        self.update()

    def _bounds(self) -> tuple[float, float, float, float]:
        """(south, north, west, east) of the points and labels, computed once per data set."""
        if self._extent is None:
            lats = [p.latitude for p in self.points] + [lat for _, lat, _ in self.labels]
            lons = [p.longitude for p in self.points] + [lon for _, _, lon in self.labels]
            self._extent = (min(lats), max(lats), min(lons), max(lons)) if lats else (0.0, 1.0, 0.0, 1.0)
        return self._extent

    def _legend_height(self) -> int:
        """The strip at the top that the legend takes: no case is drawn under it."""
        return LEGEND_TOP + len(self._legend_lines()) * self._legend_step() + 4

    def _legend_step(self) -> int:
        return max(18, QFontMetrics(self.font()).height() + 4)

    def _frame(self) -> tuple[float, float, float, float, float, float]:
        """(west, north, x scale, y scale, x0, y0) of the projection at the widget's size: the
        cases fill the widget below the legend's strip, with a margin."""
        size = (self.width(), self.height())
        if self._frame_for != size:
            south, north, west, east = self._bounds()
            squeeze = math.cos(math.radians((south + north) / 2))
            width_deg, height_deg = max(1e-6, (east - west) * squeeze), max(1e-6, north - south)
            margin, top = 24, self._legend_height() + 16  # a label reaches its ascent above its place
            scale = max(1e-6, min((size[0] - 2 * margin) / width_deg, (size[1] - top - margin) / height_deg))
            self._frame_cache = (west, north, squeeze * scale, scale, (size[0] - width_deg * scale) / 2,
                                 top + (size[1] - top - margin - height_deg * scale) / 2)
            self._frame_for = size
        return self._frame_cache

    def project(self, lat: float, lon: float) -> QPointF:
        """Equirectangular, longitude shrunk by cos(latitude), fitted to the widget."""
        west, north, sx, sy, x0, y0 = self._frame()
        return QPointF(x0 + (lon - west) * sx, y0 + (north - lat) * sy)

    def _point_groups(self) -> dict[str, QPolygonF]:
        """The points to draw per colour, as distinct device pixels: tens of thousands of cases
        fall on a few thousand pixels, and a point drawn twice looks the same. Vectorised
        (numpy) and kept until the size, the need shown or the selection changes."""
        import numpy as np

        key = (self.width(), self.height(), self.need, frozenset(self.chosen))
        if self._groups_for == key:
            return self._groups
        west, north, sx, sy, x0, y0 = self._frame()
        xs = np.rint(x0 + (self._lon - west) * sx).astype(np.int64)
        ys = np.rint(y0 + (north - self._lat) * sy).astype(np.int64)
        chosen = np.fromiter((pt.case_id in self.chosen for pt in self.points), bool, len(self.points)) \
            if self.chosen else np.zeros(len(self.points), bool)
        marked = np.fromiter((self.is_marked(pt) for pt in self.points), bool, len(self.points)) & ~chosen
        masks = {"chosen": chosen, "marked": marked, "other": ~(chosen | marked)}
        self._groups = {}
        for group, mask in masks.items():
            pixels = np.unique(xs[mask] * 65536 + ys[mask]).tolist()
            self._groups[group] = QPolygonF([QPointF(v >> 16, v & 0xFFFF) for v in pixels])
        self._groups_for = key
        return self._groups

    def is_marked(self, point: gaps.MapPoint) -> bool:
        return bool(point.unmet) if self.need is None else self.need in point.unmet

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if self._lat is None:  # the points are read when the map is first shown
            p.setPen(self.palette().text().color())
            p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), tr("Reading where the cases are…", self.lang))
            p.end()
            return
        groups = self._point_groups()
        for group, colour, size in (("other", NO_UNMET, 3), ("marked", DEMAND, 4),
                                    ("chosen", self.palette().highlight().color(), 5)):
            # square dots: tens of thousands of round ones take several times longer to draw
            p.setPen(QPen(colour, size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap))
            p.drawPoints(groups[group])
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        metrics = QFontMetrics(bold)
        for name, lat, lon in self.labels:
            where = self.project(lat, lon)
            box = QRectF(metrics.boundingRect(name)).translated(where.x() - metrics.horizontalAdvance(name) / 2,
                                                               where.y())
            p.fillRect(box.adjusted(-2, -1, 2, 1), QColor(255, 255, 255, 200))
            p.setPen(self.palette().text().color())
            p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), name)
        self._legend(p)
        if self._band is not None:
            p.setPen(QPen(self.palette().highlight().color(), 1, Qt.PenStyle.DashLine))
            p.drawRect(self._band)
        p.end()
        self.painted.emit()

    def _legend_lines(self) -> list[tuple[QColor, str]]:
        marked = self._marked_count()
        what = (tr("unmet need", self.lang) if self.need is None
                else tr("unmet: {need}", self.lang, need=NEED_CATEGORY.label(self.need, self.lang)))
        return [(DEMAND, f"{what} ({marked})"),
                (NO_UNMET, f"{tr('other open cases', self.lang)} ({len(self.points) - marked})")]

    def _marked_count(self) -> int:
        if self._marked_for != (self.need, len(self.points)):
            self._marked = sum(1 for pt in self.points if self.is_marked(pt))
            self._marked_for = (self.need, len(self.points))
        return self._marked

    def _legend(self, p: QPainter) -> None:
        """The colours' meaning, in the strip above the cases (see _frame): it covers none of them."""
        p.setFont(self.font())
        step = self._legend_step()
        y = LEGEND_TOP
        for colour, text in self._legend_lines():
            p.setPen(QPen(colour, 8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawPoint(QPointF(14, y + step / 2))
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(26, y, self.width() - 30, step), int(Qt.AlignmentFlag.AlignVCenter), text)
            y += step

    def select_rect(self, band: QRectF) -> None:
        hits = [pt for pt in self.points if band.contains(self.project(pt.latitude, pt.longitude))]
        self.chosen = {pt.case_id for pt in hits}
        self.update()
        self.selected.emit(hits, "")

    def select_district(self, index: int) -> None:
        if not self.labels:
            return
        self._district = index % len(self.labels)
        name = self.labels[self._district][0]
        hits = [pt for pt in self.points if name in (pt.key[2], pt.key[1]) and (pt.key[2] == name or not pt.key[2])]
        self.chosen = {pt.case_id for pt in hits}
        self.update()
        self.selected.emit(hits, name)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.select_district(self._district + 1)
        elif event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.select_district(self._district - 1)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus()
        self._press = event.position()
        self._band = QRectF(self._press, self._press)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is not None:
            self._band = QRectF(self._press, event.position()).normalized()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is None:
            return
        band = QRectF(self._press, event.position()).normalized()
        if band.width() < 4 and band.height() < 4:
            band = band.adjusted(-6, -6, 6, 6)
        self._press = self._band = None
        self.select_rect(band)


class ResourceMapPage(QWidget):
    loaded = Signal()  # the heat map can be painted
    summary_complete = Signal()  # the candidates ranked and the single-sector cases counted too
    points_loaded = Signal()
    detail_shown = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lang = self.lang = ctx.lang
        self.setObjectName("resource_map_page")
        self.data: MapData | None = None
        self._stale = True
        self._points_pending = False
        self._cell: tuple[gaps.PlaceKey, str] | None = None  # the cell shown in the side panel
        self.mode = QComboBox()
        self.mode.setObjectName("map_mode")
        self.mode.addItem(tr("Heat map: area × need", lang), "heat")
        self.mode.addItem(tr("Map of the cases", lang), "map")
        self.capacity = QCheckBox(tr("Show capacity left instead of unmet needs", lang))
        self.capacity.setObjectName("show_capacity")
        self.need = QComboBox()
        self.need.setObjectName("map_need")
        self.need.addItem(tr("Any unmet need", lang), None)
        for term in NEED_CATEGORY:
            self.need.addItem(term.label(lang), term.code)
        self.summary = QLabel()
        self.summary.setObjectName("gaps_summary")
        bar = QHBoxLayout()
        bar.addWidget(self.mode)
        bar.addWidget(self.capacity)
        bar.addWidget(self.need)
        bar.addStretch(1)
        bar.addWidget(self.summary)

        self.heat = HeatMap(lang)
        scroll = QScrollArea()
        scroll.setWidget(self.heat)
        scroll.setWidgetResizable(False)
        self.map = CaseMap(lang)
        self.views = QStackedWidget()
        self.views.addWidget(scroll)
        self.views.addWidget(self.map)

        self.detail_title = QLabel(tr("Choose a cell (arrow keys, Enter) or select cases on the map.", lang))
        self.detail_title.setObjectName("detail_title")
        self.detail_title.setWordWrap(True)
        self.cases = QListWidget()
        self.cases.setObjectName("cell_cases")
        self.cases.itemActivated.connect(self._open_case)
        self.candidates = QTreeWidget()
        self.candidates.setObjectName("cell_candidates")
        self.candidates.setHeaderLabels([tr("Organisation", lang), tr("Sector", lang), tr("Serves", lang),
                                         tr("Capacity left", lang)])
        self.candidates.setRootIsDecorated(False)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.detail_title)
        side_layout.addWidget(QLabel(tr("Unmet cases (Enter opens one)", lang)))
        side_layout.addWidget(self.cases, 2)
        side_layout.addWidget(QLabel(tr("Organisations able to take it there", lang)))
        side_layout.addWidget(self.candidates, 1)
        self.splitter = splitter = QSplitter()
        splitter.addWidget(self.views)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.capacity.toggled.connect(self.heat.set_show_capacity)
        self.need.currentIndexChanged.connect(lambda: self.map.set_need(self.need.currentData()))
        self.heat.cell_activated.connect(self.open_cell)
        self.map.selected.connect(self._show_selection)
        ctx.changed.connect(self._on_changed)
        ctx.workspace_changed.connect(self._on_workspace)
        self._mode_changed()

    def _mode_changed(self) -> None:
        heat = self.mode.currentData() == "heat"
        self.views.setCurrentIndex(0 if heat else 1)
        self.capacity.setVisible(heat)
        self.need.setVisible(not heat)
        (self.heat if heat else self.map).setFocus()
        if not heat:
            self._load_points()

    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _on_workspace(self) -> None:
        self._stale = True
        if self.isVisible() and self.ctx.workspace is not None:
            self.reload()

    def _on_changed(self, changes: Any) -> None:
        if changes.touches("case", "need", "task", "capability", "service_area", "organisation", "participation",
                           "area"):
            self._stale = True
            if self.isVisible():
                self.reload()

    def reload(self) -> None:
        if self.ctx.workspace is None:
            return
        self._stale = False

        def done(data: MapData) -> None:
            if shiboken6.isValid(self):
                self.show_data(data)

        self.ctx.read(load_map_data, done)

    def _load_points(self) -> None:
        """Read the points once per data set, when the map mode needs them."""
        if self.data is None or self.data.points is not None or self._points_pending or self.ctx.workspace is None:
            return
        self._points_pending = True
        data = self.data

        def done(result: tuple[list[gaps.MapPoint], list[tuple[str, float, float]]]) -> None:
            self._points_pending = False
            if not shiboken6.isValid(self):
                return
            if self.data is data:
                data.points, data.labels = result
                self.map.set_data(*result)
                self.points_loaded.emit()
            else:  # newer data arrived meanwhile: read its points
                self._load_points()

        def failed(exc: BaseException, trace: str) -> None:
            self._points_pending = False  # the next showing of the map tries again
            self.ctx.error.emit(exc, trace)

        self.ctx.read(load_map_points, done, failed)

    def show_data(self, data: MapData) -> None:
        self.data = data
        self.heat.set_data(data.gaps)
        self.heat.resize(self.heat.sizeHint())
        total = sum(self.splitter.sizes()) or self.width()
        left = min(self.heat.sizeHint().width() + 30, int(total * 0.68))  # the whole matrix when it fits
        self.splitter.setSizes([max(left, int(total * 0.55)), total - max(left, int(total * 0.55))])
        if data.points is not None:
            self.map.set_data(data.points, data.labels or [])
        elif self.mode.currentData() == "map":
            self._load_points()
        self._show_summary()
        self.loaded.emit()
        if not data.gaps.complete:
            def done(completion: gaps.Completion) -> None:
                if shiboken6.isValid(self) and self.data is data:
                    data.gaps.complete_with(completion)
                    self._show_summary()
                    if self._cell is not None:  # opened before its candidates were ranked
                        self._show_candidates(*self._cell)
                    self.summary_complete.emit()

            self.ctx.read(load_completion(data), done)

    def _show_summary(self) -> None:
        g = self.data.gaps
        single = "…" if g.single_sector_cases is None else len(g.single_sector_cases)
        self.summary.setText(tr("{gaps} gaps in {cells} cells with unmet needs · {none} needs no one has · "
                                "{single} single-sector cases", self.lang, gaps=len(g.gap_cells), cells=len(g.cells),
                                none=len(g.needs_without_capability), single=single))

    def open_cell(self, key: gaps.PlaceKey, category: str) -> None:
        if self.data is None:
            return
        cell = self.data.gaps.grid.get((key, category))
        lang = self.lang
        flag = {"no_one": tr("no one can take it", lang), "over_capacity": tr("over capacity", lang)}.get(
            cell.gap if cell is not None and cell.unmet else None, "")
        left = "—" if cell is None or cell.capacity_left is None else cell.capacity_left
        self.detail_title.setText(tr("{area} · {need}: {unmet} unmet, {able} able, {capacity} capacity left", lang,
                                     area=gaps.place_label(key, lang), need=NEED_CATEGORY.label(category, lang),
                                     unmet=cell.unmet if cell else 0, able=cell.organisations_able if cell else 0,
                                     capacity=left) + (f" — {flag}" if flag else ""))
        self._cell = (key, category)
        self._show_candidates(key, category)

        def done(rows: list[tuple[str, str, str]]) -> None:
            if shiboken6.isValid(self):
                self._fill_cases([(case_id, f"{ref}  {address}".strip()) for case_id, ref, address in rows])

        self.ctx.read(lambda s: gaps.cell_cases(matching.dbapi(s), key, category), done)

    def _show_candidates(self, key: gaps.PlaceKey, category: str) -> None:
        """The cell's candidates in the matching order (none yet until the gaps are complete)."""
        lang = self.lang
        self.candidates.clear()
        for cand in self.data.gaps.cell_candidates(key, category):
            item = QTreeWidgetItem(self.candidates, [cand.name, SECTOR.label(cand.sector, lang),
                                                     serves_label(cand.serves, lang),
                                                     "?" if cand.capacity_left is None else str(cand.capacity_left)])
            item.setToolTip(0, "\n".join(cand.reasons(lang)))

    def _show_selection(self, points: list[gaps.MapPoint], district: str) -> None:
        lang = self.lang
        self._cell = None
        self.detail_title.setText(tr("{n} cases selected", lang, n=len(points)) + (f" — {district}" if district else ""))
        self.candidates.clear()
        self._fill_cases([(pt.case_id, f"{pt.reference}  " + ", ".join(NEED_CATEGORY.label(c, lang) for c in pt.unmet))
                          for pt in sorted(points, key=lambda pt: pt.reference)])

    def _fill_cases(self, rows: list[tuple[str, str]]) -> None:
        self.cases.clear()
        for case_id, text in rows:
            item = QListWidgetItem(text)
            item.setData(CASE_ID, case_id)
            self.cases.addItem(item)
        if rows:
            self.cases.setCurrentRow(0)
        self.detail_shown.emit()

    def _open_case(self, item: QListWidgetItem) -> None:
        case_id = item.data(CASE_ID)
        window = self.window()
        if case_id and hasattr(window, "show_page"):
            page = window.show_page("cases")
            if hasattr(page, "select_case"):
                page.select_case(case_id)

    def focus_filter(self) -> None:
        (self.heat if self.mode.currentData() == "heat" else self.map).setFocus()
