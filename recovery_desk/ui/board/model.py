"""The board's item model: a two-level tree.

Top-level rows are the board's *cells* (one per swimlane × column, lane-major); each
cell's children are its cards, in board order. The view paints from this model; drag and
drop goes through :meth:`BoardModel.mimeData` / :meth:`BoardModel.dropMimeData` like any
Qt item view. The model does no database work: a drop emits :attr:`move_requested`
and the page runs the move on the database worker.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from recovery_desk.domain.vocabulary import CLOSED_TASK_STATUSES, NEED_CATEGORY, TASK_STATUS
from recovery_desk.i18n import tr
from recovery_desk.services.board import BoardSettings, Placement
from recovery_desk.services.board_query import STATUSES, BoardData, Card, Lane, group_lanes

MIME_TYPE = "application/x-recovery-desk-task-ids"
CardRole = Qt.ItemDataRole.UserRole + 1
LaneRole = Qt.ItemDataRole.UserRole + 2
StatusRole = Qt.ItemDataRole.UserRole + 3
WipExceededRole = Qt.ItemDataRole.UserRole + 4

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


@dataclass(frozen=True)
class MoveRequest:
    task_ids: tuple[str, ...]
    status: str
    above_id: str | None
    below_id: str | None
    column_ids: tuple[str, ...]  # the target cell's cards (moved cards excluded), in order


class BoardModel(QAbstractItemModel):
    move_requested = Signal(object)  # MoveRequest
    move_refused = Signal(str)  # a reason, already translated

    def __init__(self, lang: str = "en", parent=None):
        super().__init__(parent)
        self.lang = lang
        self.statuses: tuple[str, ...] = STATUSES
        self.lane_mode = "none"
        self.settings = BoardSettings()
        self.cards: list[Card] = []
        self.lanes: list[Lane] = []
        self.closed_counts: dict[str, int] = {}
        self.show_closed = False
        self.today = date.today()
        self._where: dict[str, tuple[int, int, int]] = {}  # card id -> (lane, column, index)
        self.conflicts: dict[str, list[str]] = {}  # card id -> fields in conflict with another laptop

    # -- filling -------------------------------------------------------------------------------
    def set_data(self, data: BoardData, lane_mode: str, show_closed: bool) -> None:
        self.beginResetModel()
        self.cards = data.cards
        self.settings = data.settings
        self.closed_counts = data.closed_counts
        self.today = data.today
        self.show_closed = show_closed
        self.lane_mode = lane_mode
        self._regroup()
        self.endResetModel()

    def set_lane_mode(self, mode: str) -> None:
        self.beginResetModel()
        self.lane_mode = mode
        self._regroup()
        self.endResetModel()

    def _regroup(self) -> None:
        self.lanes = group_lanes(self.cards, self.lane_mode, self.lang, self.statuses)
        self._where = {}
        for li, lane in enumerate(self.lanes):
            for ci, status in enumerate(self.statuses):
                for i, card in enumerate(lane.cells[status]):
                    self._where[card.id] = (li, ci, i)

    def apply_placements(self, placements: Sequence[Placement]) -> bool:
        """Move cards locally after the database accepted a move (no reload).

        Returns False when a card is not loaded (e.g. it comes back from a collapsed
        column): the caller reloads instead.
        """
        by_id = {c.id: c for c in self.cards}
        complete = True
        hidden: set[str] = set()
        for p in placements:
            card = by_id.get(p.task_id)
            if card is None:
                complete = False
                continue
            card.status, card.position = p.status, p.position
            card.overdue = (card.due_date is not None and card.due_date < self.today
                            and p.status not in CLOSED_TASK_STATUSES)
            if p.status in CLOSED_TASK_STATUSES:
                card.stale = False
            if p.status in self.closed_counts and not self.show_closed:
                self.closed_counts[p.status] += 1
                hidden.add(card.id)
        if hidden:
            self.cards = [c for c in self.cards if c.id not in hidden]
        self.beginResetModel()
        self._regroup()
        self.endResetModel()
        return complete

    # -- geometry helpers for the view ---------------------------------------------------------
    @property
    def column_count(self) -> int:
        return len(self.statuses)

    def cell_row(self, lane: int, column: int) -> int:
        return lane * len(self.statuses) + column

    def cell_cards(self, lane: int, column: int) -> list[Card]:
        return self.lanes[lane].cells[self.statuses[column]]

    def locate(self, task_id: str) -> tuple[int, int, int] | None:
        return self._where.get(task_id)

    def card_index(self, task_id: str) -> QModelIndex:
        where = self._where.get(task_id)
        if where is None:
            return QModelIndex()
        lane, column, i = where
        return self.index(i, 0, self.index(self.cell_row(lane, column), 0))

    def column_total(self, column: int) -> int:
        status = self.statuses[column]
        if status in self.closed_counts and not self.show_closed:
            return self.closed_counts[status]
        return sum(len(lane.cells[status]) for lane in self.lanes)

    def column_limit(self, column: int) -> int | None:
        return self.settings.limit(self.statuses[column])

    def column_exceeded(self, column: int) -> bool:
        limit = self.column_limit(column)
        return limit is not None and self.column_total(column) > limit

    def cell_limit(self, lane: int, column: int) -> int | None:
        key = self.lanes[lane].key
        return self.settings.limit(self.statuses[column], key) if key else None

    def cell_exceeded(self, lane: int, column: int) -> bool:
        limit = self.cell_limit(lane, column)
        return limit is not None and len(self.cell_cards(lane, column)) > limit

    # -- QAbstractItemModel --------------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row >= len(self.lanes) * len(self.statuses):
                return QModelIndex()
            return self.createIndex(row, 0, 0)
        if parent.internalId() != 0 or parent.column() != 0:
            return QModelIndex()
        lane, col = divmod(parent.row(), len(self.statuses))
        if row >= len(self.lanes[lane].cells[self.statuses[col]]):
            return QModelIndex()
        return self.createIndex(row, 0, parent.row() + 1)

    def parent(self, index: _Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: _Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self.lanes) * len(self.statuses)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        lane, col = divmod(parent.row(), len(self.statuses))
        return len(self.lanes[lane].cells[self.statuses[col]])

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 1

    def hasChildren(self, parent: _Index = _ROOT) -> bool:
        return self.rowCount(parent) > 0

    def card_at(self, index: _Index) -> Card | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        lane, col = divmod(index.internalId() - 1, len(self.statuses))
        cards = self.lanes[lane].cells[self.statuses[col]]
        return cards[index.row()] if index.row() < len(cards) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == 0:
            lane, col = divmod(index.row(), len(self.statuses))
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{self.lanes[lane].label} / {TASK_STATUS.label(self.statuses[col], self.lang)}"
            if role == LaneRole:
                return self.lanes[lane].key
            if role == StatusRole:
                return self.statuses[col]
            if role == WipExceededRole:
                return self.cell_exceeded(lane, col) or self.column_exceeded(col)
            return None
        card = self.card_at(index)
        if card is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return card.title
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [card.title, f"{card.case_ref} · {NEED_CATEGORY.label(card.need, self.lang)}"]
            if card.blocked_by:
                lines.append(tr("Blocked by: {tasks}", self.lang, tasks=", ".join(card.blocked_by)))
            if card.id in self.conflicts:
                lines.append(tr("In conflict with another laptop's value ({fields}): see the Conflicts page", self.lang,
                                fields=", ".join(self.conflicts[card.id])))
            return "\n".join(lines)
        if role == CardRole:
            return card
        if role == StatusRole:
            return card.status
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    # -- drag and drop -------------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = []
        for index in indexes:
            card = self.card_at(index)
            if card is not None and card.id not in ids:
                ids.append(card.id)
        mime = QMimeData()
        mime.setData(MIME_TYPE, QByteArray(json.dumps(ids).encode()))
        return mime

    @staticmethod
    def ids_from_mime(data: QMimeData) -> list[str]:
        if not data.hasFormat(MIME_TYPE):
            return []
        try:
            ids = json.loads(bytes(data.data(MIME_TYPE).data()).decode())
        except ValueError:
            return []
        return [i for i in ids if isinstance(i, str)]

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: _Index) -> bool:
        return (action == Qt.DropAction.MoveAction and parent.isValid() and parent.internalId() == 0
                and bool(self.ids_from_mime(data)))

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: _Index) -> bool:
        """Turn a drop on a cell (before card ``row``, or at the end when -1) into a move."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        ids = [i for i in self.ids_from_mime(data) if i in self._where]
        if not ids:
            return False
        lane, col = divmod(parent.row(), len(self.statuses))
        status = self.statuses[col]
        if any(self._where[i][0] != lane for i in ids):
            self.move_refused.emit(tr(
                "Cards keep their swimlane: change the organisation, sector, case or need in the card editor",
                self.lang))
            return False
        cards = self.lanes[lane].cells[status]
        row = len(cards) if row < 0 or row > len(cards) else row
        moving = set(ids)
        above = next((c.id for c in reversed(cards[:row]) if c.id not in moving), None)
        below = next((c.id for c in cards[row:] if c.id not in moving), None)
        column_ids = tuple(c.id for c in cards if c.id not in moving)
        # ids in board order, so a multi-card drop keeps their order
        ids.sort(key=lambda i: self._where[i])
        unchanged = (all(self._where[i][1] == col for i in ids) and len(ids) == 1
                     and (above is None or self._where[above][2] == self._where[ids[0]][2] - 1)
                     and (below is None or self._where[below][2] == self._where[ids[0]][2] + 1))
        if unchanged:
            return False
        self.move_requested.emit(MoveRequest(tuple(ids), status, above, below, column_ids))
        return True
