"""The board view: one custom-painted scroll area that paints only the visible cards.

Layout is arithmetic, not widgets: every card has the same height, so the cards of a
cell that intersect the viewport are found by division, and the swimlanes by bisection
of their top edges. Painting a viewport costs the same with 50 cards or 50,000.
Drag and drop goes through the model (mimeData / dropMimeData), as in any Qt item view.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDrag,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from recovery_desk.domain.vocabulary import NEED_CATEGORY, PRIORITY, SECTOR, TASK_STATUS
from recovery_desk.i18n import tr
from recovery_desk.services.board_query import Card
from recovery_desk.ui.board.model import MIME_TYPE, BoardModel
from recovery_desk.ui.colours import PRIORITY_COLOURS, SECTOR_COLOURS, sector_colour

HEADER_H = 34
LANE_HEADER_H = 26
CARD_H = 104
CARD_GAP = 6
COLUMN_W = 236
COLLAPSED_W = 44
MARGIN = 6
CONFLICT_COLOUR = QColor("#ef6c00")  # as the case editor's frame of a field in conflict


@dataclass(frozen=True)
class Hit:
    lane: int
    column: int
    index: int  # card index in the cell, or insertion index for a drop
    on_card: bool


class BoardView(QAbstractScrollArea):
    edit_requested = Signal(str)  # task id
    selection_changed = Signal()
    column_menu_requested = Signal(int, QPoint)  # column, global position
    cell_menu_requested = Signal(int, int, QPoint)  # lane, column, global position
    toggle_closed_requested = Signal()
    keyboard_move_requested = Signal(str, int, int)  # task id, d-column, d-row

    def __init__(self, model: BoardModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.selected: list[str] = []
        self.current: str | None = None
        self._lane_tops: list[int] = [0]
        self._col_x: list[int] = [0]
        self._press: QPoint | None = None
        self._press_id: str | None = None
        self._drop_hint: Hit | None = None
        self._column_w = COLUMN_W
        self.painted_cards = 0  # cards painted by the last paint (for tests and the benchmark)
        model.modelReset.connect(self._relayout)
        base = self.font()
        self._title_font = QFont(base)
        self._title_font.setBold(True)
        self._small_font = QFont(base)
        self._small_font.setPointSizeF(max(base.pointSizeF() * 0.88, 7.0))
        self._relayout()

    # -- layout --------------------------------------------------------------------------------
    def _column_collapsed(self, column: int) -> bool:
        status = self.model.statuses[column]
        return status in ("done", "cancelled") and not self.model.show_closed

    def _relayout(self) -> None:
        collapsed = [self._column_collapsed(c) for c in range(self.model.column_count)]
        open_count = max(1, collapsed.count(False))
        spare = self.viewport().width() - COLLAPSED_W * collapsed.count(True)
        self._column_w = max(COLUMN_W, min(spare // open_count, COLUMN_W * 2))
        xs = [0]
        for column in range(self.model.column_count):
            xs.append(xs[-1] + (COLLAPSED_W if collapsed[column] else self._column_w))
        self._col_x = xs
        tops = [0]
        for lane in self.model.lanes:
            rows = max((len(cards) for cards in lane.cells.values()), default=0)
            tops.append(tops[-1] + self._lane_height(rows))
        self._lane_tops = tops
        self.selected = [i for i in self.selected if self.model.locate(i) is not None]
        if self.current is not None and self.model.locate(self.current) is None:
            self.current = self.selected[0] if self.selected else None
        self._update_scrollbars()
        self.viewport().update()

    def _lane_height(self, rows: int) -> int:
        header = LANE_HEADER_H if self.model.lane_mode != "none" else 0
        return header + MARGIN + max(rows, 1) * (CARD_H + CARD_GAP) + MARGIN

    def content_size(self) -> QSize:
        return QSize(self._col_x[-1], self._lane_tops[-1])

    def _update_scrollbars(self) -> None:
        viewport = self.viewport().size()
        self.verticalScrollBar().setPageStep(max(viewport.height() - HEADER_H, 1))
        self.verticalScrollBar().setSingleStep(CARD_H // 2)
        self.verticalScrollBar().setRange(0, max(0, self._lane_tops[-1] - (viewport.height() - HEADER_H)))
        self.horizontalScrollBar().setPageStep(max(viewport.width(), 1))
        self.horizontalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setRange(0, max(0, self._col_x[-1] - viewport.width()))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._relayout()

    def _origin(self) -> tuple[int, int]:
        """Content coordinates of the viewport's top-left corner below the header."""
        return self.horizontalScrollBar().value(), self.verticalScrollBar().value()

    def card_rect(self, lane: int, column: int, index: int) -> QRect:
        """A card's rectangle in viewport coordinates."""
        ox, oy = self._origin()
        header = LANE_HEADER_H if self.model.lane_mode != "none" else 0
        x = self._col_x[column] - ox + MARGIN
        y = HEADER_H + self._lane_tops[lane] - oy + header + MARGIN + index * (CARD_H + CARD_GAP)
        width = self._col_x[column + 1] - self._col_x[column]
        return QRect(x, y, width - 2 * MARGIN, CARD_H)

    def rect_of(self, task_id: str) -> QRect | None:
        where = self.model.locate(task_id)
        return self.card_rect(*where) if where else None

    def hit(self, pos: QPoint) -> Hit | None:
        if pos.y() < HEADER_H:
            return None
        ox, oy = self._origin()
        x, y = pos.x() + ox, pos.y() - HEADER_H + oy
        column = bisect.bisect_right(self._col_x, x) - 1
        lane = bisect.bisect_right(self._lane_tops, y) - 1
        if not (0 <= column < self.model.column_count) or not (0 <= lane < len(self.model.lanes)):
            return None
        header = LANE_HEADER_H if self.model.lane_mode != "none" else 0
        local = y - self._lane_tops[lane] - header - MARGIN
        count = len(self.model.cell_cards(lane, column))
        if local < 0 or self._column_collapsed(column):
            return Hit(lane, column, 0 if local < 0 else count, False)
        slot, offset = divmod(local, CARD_H + CARD_GAP)
        if slot < count and offset < CARD_H:
            return Hit(lane, column, int(slot), True)
        return Hit(lane, column, min(int(slot) + (1 if offset >= CARD_H else 0), count), False)

    def drop_index(self, pos: QPoint) -> Hit | None:
        """Where a drop at ``pos`` inserts: before the card under the upper half, after the lower."""
        hit = self.hit(pos)
        if hit is None or not hit.on_card:
            return hit
        rect = self.card_rect(hit.lane, hit.column, hit.index)
        after = pos.y() > rect.center().y()
        return Hit(hit.lane, hit.column, hit.index + (1 if after else 0), False)

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        view = self.viewport().rect()
        painter.fillRect(view, palette.color(QPalette.ColorRole.Window))
        ox, oy = self._origin()
        top, bottom = oy, oy + view.height() - HEADER_H
        first_lane = max(0, bisect.bisect_right(self._lane_tops, top) - 1)
        painted = 0
        for lane_i in range(first_lane, len(self.model.lanes)):
            lane_top = self._lane_tops[lane_i]
            if lane_top > bottom:
                break
            painted += self._paint_lane(painter, lane_i, top, bottom)
        self._paint_sticky_band(painter, first_lane)
        self._paint_header(painter)
        self._paint_drop_hint(painter)
        if not self.model.lanes or not self.model.cards:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(view.adjusted(0, HEADER_H + 30, 0, 0), Qt.AlignmentFlag.AlignHCenter,
                             tr("No cards match this scope", self.model.lang))
        painter.end()
        self.painted_cards = painted

    def _paint_lane_band(self, painter: QPainter, lane_i: int, y: int) -> None:
        """A swimlane's header band: its sector colour, name and card count."""
        lane = self.model.lanes[lane_i]
        palette = self.palette()
        band = QRect(0, y, self.viewport().width(), LANE_HEADER_H)
        painter.fillRect(band, palette.color(QPalette.ColorRole.AlternateBase))
        if lane.sector:
            painter.fillRect(QRect(0, y, 6, LANE_HEADER_H), sector_colour(lane.sector))
        painter.setFont(self._title_font)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        text = f"{lane.label}  ({lane.count()})"
        if self.model.lane_mode == "org" and lane.sector:
            text += f"  · {SECTOR.label(lane.sector, self.model.lang)}"
        painter.drawText(band.adjusted(12, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_sticky_band(self, painter: QPainter, first_lane: int) -> None:
        """Keep the current swimlane's name in sight when its header has scrolled away."""
        if self.model.lane_mode == "none" or first_lane >= len(self.model.lanes):
            return
        _, oy = self._origin()
        if self._lane_tops[first_lane] >= oy:
            return
        next_top = HEADER_H + self._lane_tops[first_lane + 1] - oy
        self._paint_lane_band(painter, first_lane, min(HEADER_H, next_top - LANE_HEADER_H))

    def _paint_lane(self, painter: QPainter, lane_i: int, top: int, bottom: int) -> int:
        ox, oy = self._origin()
        y0 = HEADER_H + self._lane_tops[lane_i] - oy
        y1 = HEADER_H + self._lane_tops[lane_i + 1] - oy
        width = self.viewport().width()
        palette = self.palette()
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(0, y1 - 1, width, y1 - 1)
        header = 0
        if self.model.lane_mode != "none":
            header = LANE_HEADER_H
            self._paint_lane_band(painter, lane_i, y0)
        painted = 0
        for column in range(self.model.column_count):
            x = self._col_x[column] - ox
            if x > width or x + (self._col_x[column + 1] - self._col_x[column]) < 0:
                continue
            cell_rect = QRect(x, y0 + header, self._col_x[column + 1] - self._col_x[column], y1 - y0 - header)
            if self.model.cell_exceeded(lane_i, column):
                painter.fillRect(cell_rect, QColor(255, 0, 0, 28))
                painter.setFont(self._small_font)
                painter.setPen(QColor("#c62828"))
                limit = self.model.cell_limit(lane_i, column)
                painter.drawText(cell_rect.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                                 tr("WIP {count}/{limit}", self.model.lang,
                                    count=len(self.model.cell_cards(lane_i, column)), limit=limit))
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Midlight), 1))
            painter.drawLine(cell_rect.right(), cell_rect.top(), cell_rect.right(), cell_rect.bottom())
            if self._column_collapsed(column):
                continue
            cards = self.model.cell_cards(lane_i, column)
            if not cards:
                continue
            # the visible slice of this cell, by arithmetic
            local_top = top - (self._lane_tops[lane_i] + header + MARGIN)
            local_bottom = bottom - (self._lane_tops[lane_i] + header + MARGIN)
            first = max(0, local_top // (CARD_H + CARD_GAP))
            last = min(len(cards) - 1, local_bottom // (CARD_H + CARD_GAP))
            for i in range(int(first), int(last) + 1):
                self._paint_card(painter, cards[i], self.card_rect(lane_i, column, i))
                painted += 1
        return painted

    def _paint_header(self, painter: QPainter) -> None:
        palette = self.palette()
        ox, _ = self._origin()
        width = self.viewport().width()
        painter.fillRect(QRect(0, 0, width, HEADER_H), palette.color(QPalette.ColorRole.Button))
        lang = self.model.lang
        for column, status in enumerate(self.model.statuses):
            x = self._col_x[column] - ox
            w = self._col_x[column + 1] - self._col_x[column]
            rect = QRect(x, 0, w, HEADER_H)
            exceeded = self.model.column_exceeded(column)
            if exceeded:
                painter.fillRect(rect, QColor("#ffcdd2"))
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
            painter.drawLine(rect.right(), 0, rect.right(), HEADER_H)
            total = self.model.column_total(column)
            painter.setPen(QColor("#b71c1c") if exceeded else palette.color(QPalette.ColorRole.ButtonText))
            painter.setFont(self._title_font)
            if self._column_collapsed(column):
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(total))
                self._paint_collapsed_label(painter, x, w, TASK_STATUS.label(status, lang))
                continue
            limit = self.model.column_limit(column)
            label = TASK_STATUS.label(status, lang)
            counter = f"{total}" if limit is None else tr("{count} / limit {limit}", lang, count=total, limit=limit)
            painter.drawText(rect.adjusted(10, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            painter.setFont(self._small_font)
            painter.drawText(rect.adjusted(10, 0, -10, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             counter)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(0, HEADER_H - 1, width, HEADER_H - 1)

    def _paint_collapsed_label(self, painter: QPainter, x: int, w: int, label: str) -> None:
        """A collapsed column's name, written downwards under its header."""
        painter.save()
        painter.setFont(self._small_font)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.translate(x + w / 2 + 5, HEADER_H + 10)
        painter.rotate(90)
        painter.drawText(0, 0, tr("{status} (click to show)", self.model.lang, status=label))
        painter.restore()

    def _paint_card(self, painter: QPainter, card: Card, rect: QRect) -> None:
        palette = self.palette()
        lang = self.model.lang
        selected = card.id in self.selected
        base = palette.color(QPalette.ColorRole.Base)
        if selected:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
        elif card.id in self.model.conflicts:  # the case editor's orange frame, on the card
            painter.setPen(QPen(CONFLICT_COLOUR, 2))
        else:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(base.darker(106) if selected else base)
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 4, 4)
        if card.id == self.current and self.hasFocus():
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 3, 3)
        # lead organisation's sector colour down the left edge
        painter.fillRect(QRect(rect.left() + 1, rect.top() + 1, 5, rect.height() - 2),
                         sector_colour(card.lead_sector) if card.lead_sector else palette.color(QPalette.ColorRole.Midlight))
        inner = rect.adjusted(12, 5, -8, -5)
        line_h = (inner.height()) // 5
        text_colour = palette.color(QPalette.ColorRole.Text)
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        small = QFontMetrics(self._small_font)
        # 1: priority + title
        prio = PRIORITY_COLOURS.get(card.priority)
        title_left = inner.left()
        if prio is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(prio)
            painter.drawEllipse(QRect(inner.left(), inner.top() + line_h // 2 - 4, 8, 8))
            title_left += 12
        painter.setFont(self._title_font)
        painter.setPen(text_colour)
        title_rect = QRect(title_left, inner.top(), inner.right() - title_left, line_h)
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(self._title_font).elidedText(card.title, Qt.TextElideMode.ElideRight, title_rect.width()))
        painter.setFont(self._small_font)
        # 2: case reference · need · priority
        parts = [card.case_ref]
        if card.need:
            parts.append(NEED_CATEGORY.label(card.need, lang))
        if card.priority in ("urgent", "high"):
            parts.append(PRIORITY.label(card.priority, lang))
        row = QRect(inner.left(), inner.top() + line_h, inner.width(), line_h)
        painter.setPen(dim)
        painter.drawText(row, Qt.AlignmentFlag.AlignVCenter,
                         small.elidedText(" · ".join(parts), Qt.TextElideMode.ElideRight, row.width()))
        # 3: lead organisation (with its sector colour) and supporters
        row = row.translated(0, line_h)
        painter.setPen(text_colour)
        if card.lead_org:
            swatch = QRect(row.left(), row.center().y() - 4, 8, 8)
            painter.fillRect(swatch, sector_colour(card.lead_sector))
            # Who holds the claim: the lead organisation once it claimed the card, said otherwise.
            org = tr("{org} holds it", lang, org=card.lead_org) if card.claimed else \
                tr("{org} (not claimed)", lang, org=card.lead_org)
            if card.supporters:
                org += " + " + ", ".join(card.supporters)
            painter.drawText(row.adjusted(12, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter,
                             small.elidedText(org, Qt.TextElideMode.ElideRight, row.width() - 12))
        else:
            painter.setPen(dim)
            text = tr("Unclaimed", lang)
            if card.supporters:
                text += " · + " + ", ".join(card.supporters)
            painter.drawText(row, Qt.AlignmentFlag.AlignVCenter, small.elidedText(text, Qt.TextElideMode.ElideRight, row.width()))
        # 4: assignee and due date (overdue in red)
        row = row.translated(0, line_h)
        painter.setPen(text_colour)
        due = ""
        if card.due_date is not None:
            due = tr("due {date}", lang, date=card.due_date.isoformat())
        due_w = small.horizontalAdvance(due) + 2
        painter.drawText(row.adjusted(0, 0, -due_w - 6, 0), Qt.AlignmentFlag.AlignVCenter,
                         small.elidedText(card.assignee, Qt.TextElideMode.ElideRight, max(row.width() - due_w - 6, 0)))
        if due:
            painter.setPen(QColor("#c62828") if card.overdue else dim)
            painter.drawText(row, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, due)
        # 5: badges: blocked-by, checklist progress, stale, hand-over requests
        row = row.translated(0, line_h)
        x = row.left()
        for text, colour in self._badges(card):
            w = small.horizontalAdvance(text) + 10
            if x + w > row.right():
                break
            badge = QRect(x, row.top() + 1, w, row.height() - 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(badge, 3, 3)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            x += w + 4

    def _badges(self, card: Card) -> list[tuple[str, QColor]]:
        lang = self.model.lang
        out: list[tuple[str, QColor]] = []
        if card.id in self.model.conflicts:
            out.append((tr("Conflict", lang), CONFLICT_COLOUR))
        if card.blocked_by:
            out.append((tr("Blocked by {count}", lang, count=len(card.blocked_by)), QColor("#c62828")))
        if card.checklist_total:
            done = card.checklist_done == card.checklist_total
            out.append((f"{card.checklist_done}/{card.checklist_total}", QColor("#2e7d32") if done else QColor("#546e7a")))
        if card.stale:
            out.append((tr("Stale", lang), QColor("#ef6c00")))
        if card.requests:
            out.append((tr("Hand-over asked", lang), QColor("#6a1b9a")))
        return out

    def _paint_drop_hint(self, painter: QPainter) -> None:
        hint = self._drop_hint
        if hint is None:
            return
        count = len(self.model.cell_cards(hint.lane, hint.column))
        if count == 0 or self._column_collapsed(hint.column):
            rect = self.card_rect(hint.lane, hint.column, 0)
            y = rect.top() - CARD_GAP // 2
        elif hint.index < count:
            y = self.card_rect(hint.lane, hint.column, hint.index).top() - CARD_GAP // 2
        else:
            y = self.card_rect(hint.lane, hint.column, count - 1).bottom() + CARD_GAP // 2
        rect = self.card_rect(hint.lane, hint.column, 0)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 3))
        painter.drawLine(rect.left(), y, rect.right(), y)

    # -- selection and focus -------------------------------------------------------------------
    def set_current(self, task_id: str | None, *, select: bool = True, extend: bool = False) -> None:
        self.current = task_id
        if select:
            if task_id is None:
                self.selected = []
            elif extend:
                if task_id in self.selected:
                    self.selected.remove(task_id)
                else:
                    self.selected.append(task_id)
            else:
                self.selected = [task_id]
        if task_id is not None:
            self.ensure_visible(task_id)
        self.viewport().update()
        self.selection_changed.emit()

    def select_ids(self, ids: list[str]) -> None:
        self.selected = [i for i in ids if self.model.locate(i) is not None]
        self.current = self.selected[0] if self.selected else None
        self.viewport().update()
        self.selection_changed.emit()

    def ensure_visible(self, task_id: str) -> None:
        where = self.model.locate(task_id)
        if where is None:
            return
        lane, column, index = where
        header = LANE_HEADER_H if self.model.lane_mode != "none" else 0
        y = self._lane_tops[lane] + header + MARGIN + index * (CARD_H + CARD_GAP)
        bar = self.verticalScrollBar()
        visible_h = self.viewport().height() - HEADER_H
        if y < bar.value():
            bar.setValue(max(0, y - MARGIN - header))
        elif y + CARD_H > bar.value() + visible_h:
            bar.setValue(y + CARD_H + MARGIN - visible_h)
        x0, x1 = self._col_x[column], self._col_x[column + 1]
        hbar = self.horizontalScrollBar()
        if x0 < hbar.value():
            hbar.setValue(x0)
        elif x1 > hbar.value() + self.viewport().width():
            hbar.setValue(x1 - self.viewport().width())

    def neighbour(self, task_id: str, d_column: int, d_row: int) -> str | None:
        """The card beside ``task_id`` for keyboard focus moves (skips empty cells and lanes)."""
        where = self.model.locate(task_id)
        if where is None:
            return None
        lane, column, index = where
        if d_row:
            cards = self.model.cell_cards(lane, column)
            if 0 <= index + d_row < len(cards):
                return cards[index + d_row].id
            step = 1 if d_row > 0 else -1
            other = lane + step
            while 0 <= other < len(self.model.lanes):
                cards = self.model.cell_cards(other, column)
                if cards:
                    return (cards[0] if step > 0 else cards[-1]).id
                other += step
            return None
        other = column + d_column
        while 0 <= other < self.model.column_count:
            cards = self.model.cell_cards(lane, other)
            if cards and not self._column_collapsed(other):
                return cards[min(index, len(cards) - 1)].id
            other += d_column
        return None

    # -- mouse ---------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = event.position().toPoint()
        if pos.y() < HEADER_H:
            column = self._header_column(pos)
            if column is not None and event.button() == Qt.MouseButton.LeftButton \
                    and self.model.statuses[column] in ("done", "cancelled"):
                self.toggle_closed_requested.emit()
            elif column is not None and event.button() == Qt.MouseButton.RightButton:
                self.column_menu_requested.emit(column, event.globalPosition().toPoint())
            return
        hit = self.hit(pos)
        if hit is None:
            return
        if not hit.on_card:
            if event.button() == Qt.MouseButton.RightButton:
                self.cell_menu_requested.emit(hit.lane, hit.column, event.globalPosition().toPoint())
            elif not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.set_current(None)
            return
        card = self.model.cell_cards(hit.lane, hit.column)[hit.index]
        modifiers = event.modifiers()
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            self.set_current(card.id, extend=True)
        elif modifiers & Qt.KeyboardModifier.ShiftModifier and self.current:
            self._select_range(self.current, card.id)
        elif card.id not in self.selected:
            self.set_current(card.id)
        else:
            self.current = card.id
            self.viewport().update()
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = pos
            self._press_id = card.id
        elif event.button() == Qt.MouseButton.RightButton:
            self.cell_menu_requested.emit(hit.lane, hit.column, event.globalPosition().toPoint())

    def _select_range(self, from_id: str, to_id: str) -> None:
        a, b = self.model.locate(from_id), self.model.locate(to_id)
        if a is None or b is None or a[:2] != b[:2]:
            self.set_current(to_id)
            return
        cards = self.model.cell_cards(a[0], a[1])
        low, high = sorted((a[2], b[2]))
        self.selected = [c.id for c in cards[low:high + 1]]
        self.current = to_id
        self.viewport().update()
        self.selection_changed.emit()

    def _header_column(self, pos: QPoint) -> int | None:
        ox, _ = self._origin()
        column = bisect.bisect_right(self._col_x, pos.x() + ox) - 1
        return column if 0 <= column < self.model.column_count else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        if (event.position().toPoint() - self._press).manhattanLength() < QApplication.startDragDistance():
            return
        self._press = None
        self.start_drag()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is not None and not event.modifiers():
            if self._press_id:
                self.set_current(self._press_id)
        self._press = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self.hit(event.position().toPoint())
        if hit is not None and hit.on_card:
            self.edit_requested.emit(self.model.cell_cards(hit.lane, hit.column)[hit.index].id)

    def drag_indexes(self) -> list[QModelIndex]:
        return [self.model.card_index(i) for i in self.selected if self.model.locate(i) is not None]

    def start_drag(self) -> None:
        indexes = self.drag_indexes()
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self.model.mimeData(indexes))
        rect = self.rect_of(self.current or self.selected[0])
        if rect is not None:
            drag.setPixmap(self.viewport().grab(rect).scaledToWidth(max(rect.width() * 3 // 4, 1)))
        drag.exec(Qt.DropAction.MoveAction)
        self._drop_hint = None
        self.viewport().update()

    # -- dropping ------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if not event.mimeData().hasFormat(MIME_TYPE):
            event.ignore()
            return
        hint = self.drop_index(event.position().toPoint())
        if hint is None:
            event.ignore()
        else:
            event.acceptProposedAction()
        if hint != self._drop_hint:
            self._drop_hint = hint
            self.viewport().update()
        self._autoscroll(event.position().toPoint())

    def _autoscroll(self, pos: QPoint) -> None:
        margin = 30
        bar = self.verticalScrollBar()
        if pos.y() < HEADER_H + margin:
            bar.setValue(bar.value() - CARD_H // 3)
        elif pos.y() > self.viewport().height() - margin:
            bar.setValue(bar.value() + CARD_H // 3)

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._drop_hint = None
        self.viewport().update()

    def dropEvent(self, event) -> None:  # noqa: N802
        self._drop_hint = None
        self.viewport().update()
        hint = self.drop_index(event.position().toPoint())
        if hint is None:
            event.ignore()
            return
        parent = self.model.index(self.model.cell_row(hint.lane, hint.column), 0)
        if self.model.dropMimeData(event.mimeData(), Qt.DropAction.MoveAction, hint.index, 0, parent):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    # -- keyboard ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        arrows = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if key in arrows:
            d_column, d_row = arrows[key]
            if self.current is None:
                first = self._first_card()
                if first:
                    self.set_current(first)
                return
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.keyboard_move_requested.emit(self.current, d_column, d_row)
                return
            target = self.neighbour(self.current, d_column, d_row)
            if target is not None:
                self.set_current(target, extend=False)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current:
            self.edit_requested.emit(self.current)
            return
        super().keyPressEvent(event)

    def _first_card(self) -> str | None:
        for lane in self.model.lanes:
            for status in self.model.statuses:
                if lane.cells[status]:
                    return lane.cells[status][0].id
        return None

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.viewport().update()


__all__ = ["BoardView", "Hit", "SECTOR_COLOURS"]
