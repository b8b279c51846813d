"""The board page: scope filter, swimlanes, the painted board, and the card actions.

All database work runs on the database worker through ``ctx.read`` / ``ctx.change``.
A drop runs :func:`recovery_desk.services.board.move_cards`; when the database accepts
it, the cards move locally (no reload) and one undo command per drag goes on
``ctx.undo_stack``. A refused drop (done while blocked) shows the service's reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.domain.vocabulary import TASK_STATUS
from recovery_desk.i18n import tr
from recovery_desk.services import board, tasks
from recovery_desk.services.board_query import (
    LANE_MODES,
    BoardData,
    BoardScope,
    load_board,
    parse_board_query,
)
from recovery_desk.services.changes import Changes
from recovery_desk.services.sync.conflicts import cards_in_conflict
from recovery_desk.services.workspace import Workspace
from recovery_desk.ui.board.model import BoardModel, MoveRequest
from recovery_desk.ui.board.view import BoardView
from recovery_desk.ui.context import AppContext

# Changes to these entities can change what a card shows: reload the board.
WATCHED = ("task", "task_supporter", "task_dependency", "checklist_item", "comment", "task_handover",
           "board_setting", "case", "organisation", "person")


def lane_mode_label(mode: str, lang: str) -> str:
    return {
        "none": tr("No swimlanes", lang),
        "org": tr("Swimlanes by organisation", lang),
        "sector": tr("Swimlanes by sector", lang),
        "case": tr("Swimlanes by case", lang),
        "need": tr("Swimlanes by need", lang),
    }[mode]


def shortcut_lines(lang: str) -> list[tuple[str, str]]:
    return [
        ("N", tr("New card", lang)),
        ("E / Enter", tr("Edit the card", lang)),
        (tr("Arrows", lang), tr("Move the focus between cards", lang)),
        (tr("Ctrl+Arrows", lang), tr("Move the card (left/right: column, up/down: order)", lang)),
        ("Delete", tr("Archive the selected cards", lang)),
        ("/", tr("Focus the filter", lang)),
        ("?", tr("List the shortcuts", lang)),
        (tr("Ctrl+click, Shift+click", lang), tr("Select several cards", lang)),
    ]


class MoveCommand(QUndoCommand):
    """One drag (or keyboard move, or bulk move) = one undo step. Created after the move
    is saved, so its first redo does nothing."""

    def __init__(self, page: BoardPage, before: Sequence[board.Placement], after: Sequence[board.Placement],
                 text: str):
        super().__init__(text)
        self.page = page
        self.before = list(before)
        self.after = list(after)
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.page.restore(self.after)

    def undo(self) -> None:
        self.page.restore(self.before)


class BoardPage(QWidget):
    loaded = Signal()  # the board was (re)built from the database
    moved = Signal()  # a move was saved and shown
    refused = Signal(str)  # a move or action was refused; the reason
    lane_modes = LANE_MODES

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lang = ctx.lang
        self.scope = BoardScope()
        # The day overdue and stale are judged against (None: today); a demo workspace
        # may be shown "as of" its own date.
        self.today: date | None = None
        self.model = BoardModel(lang, self)
        self.view = BoardView(self.model, self)
        self._generation = 0
        self._handled: set[int] = set()
        self.last_load_seconds = 0.0
        self._editors: list[QWidget] = []
        self._stale_view = False

        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(tr("Filter: status:blocked org:社協 sector:community due:<2024-02-01 area:…", lang))
        self.filter.setToolTip(tr("Cases query plus task fields: status, assignee, due, org, sector, need, "
                                  "priority, case, is:overdue / stale / blocked / unclaimed / untaken", lang))
        self.filter.setClearButtonEnabled(True)
        self.filter.returnPressed.connect(self._apply_filter)
        self.lanes = QComboBox(self)
        for mode in LANE_MODES:
            self.lanes.addItem(lane_mode_label(mode, lang), mode)
        self.lanes.currentIndexChanged.connect(lambda _i: self.set_lane_mode(self.lanes.currentData()))
        self.closed = QCheckBox(tr("Show done and cancelled", lang), self)
        self.closed.toggled.connect(self.set_show_closed)
        self.new_button = QPushButton(tr("New card", lang), self)
        self.new_button.clicked.connect(self.new_card)
        self.move_button = QPushButton(tr("Move to", lang), self)
        move_menu = QMenu(self.move_button)
        for status in TASK_STATUS.codes:
            move_menu.addAction(TASK_STATUS.label(status, lang), lambda s=status: self.bulk_move(s))
        self.move_button.setMenu(move_menu)
        self.handover_button = QPushButton(tr("Claim / hand over", lang), self)
        self.handover_button.clicked.connect(lambda: self.edit_current(tab="handover"))
        self.more_button = QPushButton(tr("Board settings", lang), self)
        more = QMenu(self.more_button)
        more.addAction(tr("Stale after how many days…", lang), self.ask_stale_days)
        more.addAction(tr("Keyboard shortcuts", lang), self.show_shortcuts)
        self.more_button.setMenu(more)
        self.count_label = QLabel(self)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: #ffebee; color: #b71c1c; padding: 6px; border-radius: 3px; }")
        self.banner.hide()
        self.banner_timer = QTimer(self)
        self.banner_timer.setSingleShot(True)
        self.banner_timer.timeout.connect(self.banner.hide)

        bar = QHBoxLayout()
        bar.addWidget(self.filter, 3)
        bar.addWidget(self.lanes)
        bar.addWidget(self.closed)
        bar.addWidget(self.new_button)
        bar.addWidget(self.move_button)
        bar.addWidget(self.handover_button)
        bar.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self.model.move_requested.connect(self._on_move_requested)
        self.model.move_refused.connect(self.show_refusal)
        self.view.edit_requested.connect(self.edit_card)
        self.view.keyboard_move_requested.connect(self.keyboard_move)
        self.view.toggle_closed_requested.connect(lambda: self.closed.setChecked(not self.closed.isChecked()))
        self.view.column_menu_requested.connect(self._column_menu)
        self.view.cell_menu_requested.connect(self._cell_menu)
        self.view.selection_changed.connect(self._update_count)
        self._add_shortcuts()
        ctx.changed.connect(self._on_changed)
        ctx.workspace_changed.connect(self.reload)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(50)
        self._reload_timer.timeout.connect(self.reload)
        if ctx.workspace is not None:
            self.reload()

    # -- shortcuts -----------------------------------------------------------------------------
    def _add_shortcuts(self) -> None:
        def action(keys: list[str], slot: Callable[[], Any]) -> None:
            act = QAction(self)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.view.addAction(act)

        action(["N"], self.new_card)
        action(["E"], self.edit_current)
        action(["Delete"], self.archive_selected)
        action(["?", "Shift+?"], self.show_shortcuts)
        slash = QAction(self)
        slash.setShortcut(QKeySequence("/"))
        slash.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        slash.triggered.connect(self.focus_filter)
        self.addAction(slash)

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def show_shortcuts(self) -> None:
        lang = self.ctx.lang
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in shortcut_lines(lang))
        box = QMessageBox(QMessageBox.Icon.Information, tr("Keyboard shortcuts", lang), f"<table>{rows}</table>",
                          QMessageBox.StandardButton.Close, self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()
        self._shortcuts_box = box

    # -- scope and loading ---------------------------------------------------------------------
    def set_scope(self, query: str | None = None, case_id: str | None = None) -> None:
        """Show one case (``case_id``) or every case matching ``query``."""
        self.scope = BoardScope(query if query is not None else self.filter.text(), case_id, self.scope.show_closed)
        if query is not None:
            self.filter.setText(query)
        self.reload()

    def _apply_filter(self) -> None:
        self.scope = BoardScope(self.filter.text(), self.scope.case_id, self.scope.show_closed)
        self.reload()

    def set_lane_mode(self, mode: str) -> None:
        if self.lanes.currentData() != mode:
            self.lanes.setCurrentIndex(LANE_MODES.index(mode))  # calls back here
            return
        self.model.set_lane_mode(mode)

    def set_show_closed(self, show: bool) -> None:
        if self.closed.isChecked() != show:
            self.closed.setChecked(show)  # calls back here
            return
        self.scope = BoardScope(self.scope.query, self.scope.case_id, show)
        self.reload()

    def reload(self) -> None:
        if self.ctx.workspace is None:
            self._generation += 1
            self.model.set_data(BoardData([], board.BoardSettings()), self.lanes.currentData(), self.scope.show_closed)
            self._update_count()
            return
        self._generation += 1
        generation = self._generation
        scope = BoardScope(self.scope.query, self.scope.case_id, self.scope.show_closed)
        started = time.perf_counter()

        def done(loaded: tuple[BoardData, dict[str, list[str]]]) -> None:
            if generation != self._generation:
                return  # a newer load is on its way
            data, self.model.conflicts = loaded
            self.model.set_data(data, self.lanes.currentData(), scope.show_closed)
            self.last_load_seconds = time.perf_counter() - started
            self._update_count()
            self.loaded.emit()

        def failed(exc: BaseException, trace: str) -> None:
            if generation == self._generation:
                self._error(exc, trace)

        today = self.today
        now = datetime.combine(today, datetime.min.time()) if today else None
        me = self.ctx.me
        self.ctx.read(lambda s: (load_board(s, scope, today=today, now=now, me=me), cards_in_conflict(s)), done, failed)

    def _on_changed(self, changes: Changes) -> None:
        if id(changes) in self._handled:
            self._handled.discard(id(changes))
            return
        if any(changes.touches(e) for e in WATCHED):
            if self.isVisible():
                self._reload_timer.start()
            else:
                self._stale_view = True  # reload when shown again, not while hidden

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale_view:
            self._stale_view = False
            self.reload()

    def _update_count(self) -> None:
        lang = self.ctx.lang
        text = tr("{count} cards", lang, count=len(self.model.cards))
        if self.view.selected and len(self.view.selected) > 1:
            text += " · " + tr("{count} selected", lang, count=len(self.view.selected))
        self.count_label.setText(text)

    # -- messages ------------------------------------------------------------------------------
    def show_refusal(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
        self.banner_timer.start(12_000)
        self.refused.emit(text)

    def _error(self, exc: BaseException, trace: str) -> None:
        if isinstance(exc, RecoveryDeskError):
            self.show_refusal(exc.message(self.ctx.lang))
        else:
            self.ctx.error.emit(exc, trace)

    # -- moving cards --------------------------------------------------------------------------
    def _on_move_requested(self, request: MoveRequest) -> None:
        self._run_move(request.task_ids, lambda ws: board.move_cards(
            ws, request.task_ids, request.status, above_id=request.above_id, below_id=request.below_id,
            column_ids=request.column_ids), tr("Move cards", self.ctx.lang))

    def _run_move(self, task_ids: Sequence[str], move: Callable[[Workspace], Changes], text: str) -> None:
        box: dict[str, list[board.Placement]] = {}
        ids = list(task_ids)

        def job(ws: Workspace) -> Changes:
            with ws.session() as session:
                box["before"] = board.placements(session, ids)
            changes = move(ws)
            with ws.session() as session:
                box["after"] = board.placements(session, ids)
            return changes

        def done(changes: Changes) -> None:
            self._handled.add(id(changes))
            if not self.model.apply_placements(box["after"]):
                self.reload()
            self.view.select_ids(ids)
            if ids:
                self.view.set_current(ids[0], select=False)
            self.ctx.undo_stack.push(MoveCommand(self, box["before"], box["after"], text))
            self._update_count()
            self.moved.emit()

        self.ctx.change(job, done, self._error)

    def restore(self, placements: Sequence[board.Placement]) -> None:
        """Undo / redo: put the cards back (the status rules still apply)."""
        items = list(placements)

        def done(changes: Changes) -> None:
            self._handled.add(id(changes))
            if not self.model.apply_placements(items):
                self.reload()
            self.view.select_ids([p.task_id for p in items])
            self.moved.emit()

        self.ctx.change(lambda ws: board.restore_placements(ws, items), done, self._error)

    def bulk_move(self, status: str) -> None:
        ids = list(self.view.selected)
        if not ids:
            return
        self._run_move(ids, lambda ws: board.bulk_move(ws, ids, status), tr("Move cards", self.ctx.lang))

    def keyboard_move(self, task_id: str, d_column: int, d_row: int) -> None:
        where = self.model.locate(task_id)
        if where is None:
            return
        lane, column, index = where
        if d_column:
            column += d_column
            if not 0 <= column < self.model.column_count:
                return
            row = min(index, len(self.model.cell_cards(lane, column)))
        else:
            row = index - 1 if d_row < 0 else index + 2
            if row < 0 or row > len(self.model.cell_cards(lane, column)):
                return
        # the same path as a drop: the model turns it into a move request
        mime = self.model.mimeData([self.model.card_index(task_id)])
        parent = self.model.index(self.model.cell_row(lane, column), 0)
        self.model.dropMimeData(mime, Qt.DropAction.MoveAction, row, 0, parent)

    # -- other card actions --------------------------------------------------------------------
    def archive_selected(self) -> None:
        ids = list(self.view.selected)
        if not ids:
            return

        from recovery_desk.ui.undo import perform_undoable

        text = tr("Archive {count} cards", self.ctx.lang, count=len(ids))
        perform_undoable(self.ctx, text, lambda ws: tasks.archive_tasks(ws, ids), None, self._error)

    def current_card(self):
        where = self.model.locate(self.view.current) if self.view.current else None
        return self.model.cell_cards(where[0], where[1])[where[2]] if where else None

    def edit_current(self, tab: str = "details") -> None:
        if self.view.current:
            self.edit_card(self.view.current, tab)

    def edit_card(self, task_id: str, tab: str = "details") -> Any:
        from recovery_desk.ui.board.editor import CardEditor

        editor = CardEditor(self.ctx, task_id, self, tab=tab)
        editor.finished.connect(lambda _r: self._editors.remove(editor) if editor in self._editors else None)
        self._editors.append(editor)
        editor.open()
        return editor

    def new_card(self) -> Any:
        from recovery_desk.ui.board.editor import NewCardDialog

        card = self.current_card()
        where = self.model.locate(self.view.current) if self.view.current else None
        status = self.model.statuses[where[1]] if where else "received"
        # A board scoped to one case (by the case editor, or by a case: term) prefills it.
        case_terms = [t for t in parse_board_query(self.scope.query).get("case") if not t.negated] \
            if self.scope.query.strip() else []
        scoped_ref = case_terms[0].values[0] if len(case_terms) == 1 and len(case_terms[0].values) == 1 else ""
        dialog = NewCardDialog(self.ctx, self, case_ref=scoped_ref or (card.case_ref if card else ""),
                               case_id=self.scope.case_id,
                               status=status if status != "done" else "received")
        dialog.created.connect(self._select_new)
        self._editors.append(dialog)
        dialog.finished.connect(lambda _r: self._editors.remove(dialog) if dialog in self._editors else None)
        dialog.open()
        return dialog

    def _select_new(self, task_id: str) -> None:
        def select() -> None:
            self.loaded.disconnect(select)
            if self.model.locate(task_id):
                self.view.set_current(task_id)

        self.loaded.connect(select)

    def ask_stale_days(self) -> None:
        lang = self.ctx.lang
        days, ok = QInputDialog.getInt(self, tr("Stale claims", lang),
                                       tr("Flag a claimed task as stale after this many days untouched:", lang),
                                       self.model.settings.stale_days, 1, 365)
        if ok:
            self.ctx.change(lambda ws: board.set_stale_days(ws, days), None, self._error)

    def ask_wip_limit(self, column: int, lane: int | None = None) -> None:
        lang = self.ctx.lang
        status = self.model.statuses[column]
        lane_key = self.model.lanes[lane].key if lane is not None else ""
        current = self.model.settings.limit(status, lane_key) or 0
        where = TASK_STATUS.label(status, lang)
        if lane is not None:
            where = f"{self.model.lanes[lane].label} / {where}"
        limit, ok = QInputDialog.getInt(self, tr("WIP limit", lang),
                                        tr("Most cards allowed in {where} (0: no limit):", lang, where=where),
                                        current, 0, 100_000)
        if ok:
            self.ctx.change(lambda ws: board.set_wip_limit(ws, status, limit or None, lane_key), None, self._error)

    def _column_menu(self, column: int, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction(tr("Set WIP limit for this column…", self.ctx.lang), lambda: self.ask_wip_limit(column))
        menu.popup(pos)

    def _cell_menu(self, lane: int, column: int, pos: QPoint) -> None:
        lang = self.ctx.lang
        menu = QMenu(self)
        if self.view.current:
            menu.addAction(tr("Edit the card", lang), self.edit_current)
            menu.addAction(tr("Claim / hand over", lang), lambda: self.edit_current(tab="handover"))
            move = menu.addMenu(tr("Move to", lang))
            for status in TASK_STATUS.codes:
                move.addAction(TASK_STATUS.label(status, lang), lambda s=status: self.bulk_move(s))
            menu.addAction(tr("Archive", lang), self.archive_selected)
            menu.addSeparator()
        menu.addAction(tr("Set WIP limit for this column…", lang), lambda: self.ask_wip_limit(column))
        if self.model.lanes[lane].key:
            menu.addAction(tr("Set WIP limit for this swimlane…", lang), lambda: self.ask_wip_limit(column, lane))
        menu.popup(pos)


__all__ = ["BoardPage", "MoveCommand", "QModelIndex"]
