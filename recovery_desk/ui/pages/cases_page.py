"""The Cases page: a query bar, a lazy table of cases and the case editor beside it.

The table model keeps only the ids of the matching cases (sorted in SQL) and fetches the
displayed details in blocks as rows come into view (after Anki's browser table model), so
60,000 cases scroll and sort without a stall.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSignalBlocker,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.domain.vocabulary import PRIORITY, STAGE
from recovery_desk.i18n import tr
from recovery_desk.services.case_list import COLUMNS, CaseRow, case_ids, case_rows
from recovery_desk.services.changes import Changes
from recovery_desk.services.search import (
    case_completions,
    case_conditions,
    describe_fields,
    parse_case_query,
)
from recovery_desk.ui import options
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.formatting import format_datetime, format_number

_INDEX = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole
BLOCK = 150
REFRESH_ENTITIES = ("case", "need", "participation", "organisation", "task", "consent", "area")


def column_headers(lang: str) -> list[str]:
    return [tr("Reference", lang), tr("District", lang), tr("Stage", lang), tr("Priority", lang),
            tr("Unmet needs", lang), tr("Lead organisation", lang), tr("Sectors", lang), tr("Last activity", lang)]


class CaseTableModel(QAbstractTableModel):
    """Ids in sort order; row details fetched by block on the database worker."""

    first_rows = Signal(float)  # seconds from request to the first screen of rows
    loaded = Signal(int, float)  # row count, seconds from request to the full id list

    def __init__(self, ctx: AppContext, parent: Any = None):
        super().__init__(parent)
        self.ctx = ctx
        self.lang = ctx.lang
        self.headers = column_headers(ctx.lang)
        self.ids: list[str] = []
        self.rows: dict[str, CaseRow] = {}
        self.query_text = ""
        self.sort_column = 0
        self.descending = False
        self.today: date | None = None
        self._generation = 0
        # The newest generation, shared with the jobs on the database thread: a query whose
        # generation is no longer the newest when its turn comes is not run (building the page
        # sorts three times before its own load; each would otherwise query 60,000 ids).
        self._newest = [0]
        self._pending: set[int] = set()
        self.complete = False
        self.on_error: Callable[[BaseException, str], None] | None = None

    # -- loading ---------------------------------------------------------------------------
    def reload(self, query_text: str | None = None) -> None:
        """Query again (keeps the current sort), in two steps on the worker: the first
        screen of ids with their rows (LIMIT, shown at once), then the full id list."""
        if query_text is not None:
            self.query_text = query_text
        if self.ctx.workspace is None:
            self._set([], {})
            self.complete = True
            return
        self._generation += 1
        generation = self._generation
        newest = self._newest
        newest[0] = generation
        text, sort, desc, today = self.query_text, COLUMNS[self.sort_column], self.descending, self.today
        me = self.ctx.me
        started = time.perf_counter()
        self.complete = False

        def first(session: Any) -> tuple[list[str], dict[str, CaseRow]]:
            if newest[0] != generation:  # superseded before it ran: its result would be dropped
                return [], {}
            ids = case_ids(session, text, sort, desc, today, limit=BLOCK, me=me)
            return ids, case_rows(session, ids)

        def full(session: Any) -> list[str]:
            return [] if newest[0] != generation else case_ids(session, text, sort, desc, today, me=me)

        def first_done(result: tuple[list[str], dict[str, CaseRow]]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self._set(*result)
            self.first_rows.emit(time.perf_counter() - started)

        def full_done(ids: list[str]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            shown = len(self.ids)
            if ids[:shown] == self.ids:
                if len(ids) > shown:
                    self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
                    self.ids = ids
                    self.endInsertRows()
            else:  # cannot happen unless the data changed between the two queries
                self._set(ids, self.rows)
            self.complete = True
            self.loaded.emit(len(self.ids), time.perf_counter() - started)

        self.ctx.read(first, first_done, self._failed)
        self.ctx.read(full, full_done, self._failed)

    def _failed(self, exc: BaseException, trace: str) -> None:
        if self.on_error is not None:
            self.on_error(exc, trace)
        else:
            self.ctx.error.emit(exc, trace)

    def _set(self, ids: list[str], rows: dict[str, CaseRow]) -> None:
        self.beginResetModel()
        self.ids = ids
        self.rows = rows
        self._pending = {0} if rows else set()
        self.endResetModel()

    def _fetch_block(self, block: int) -> None:
        if block in self._pending or self.ctx.workspace is None:
            return
        self._pending.add(block)
        generation = self._generation
        ids = self.ids[block * BLOCK:(block + 1) * BLOCK]

        def done(rows: dict[str, CaseRow]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self.rows.update(rows)
            first, last = block * BLOCK, min((block + 1) * BLOCK, len(self.ids)) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

        self.ctx.read(lambda s: case_rows(s, ids), done, self._failed)

    def refresh_rows(self, case_ids_: set[str]) -> None:
        """Re-read the details of these cases if shown (after an edit)."""
        positions = [i for i, cid in enumerate(self.ids) if cid in case_ids_]
        if not positions:
            return
        generation = self._generation
        ids = [self.ids[i] for i in positions]

        def done(rows: dict[str, CaseRow]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self.rows.update(rows)
            for i in positions:
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

        self.ctx.read(lambda s: case_rows(s, ids), done, self._failed)

    def row_of(self, case_id: str) -> int:
        try:
            return self.ids.index(case_id)
        except ValueError:
            return -1

    # -- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def flags(self, index: _INDEX) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.ids) or not 0 <= index.column() < len(COLUMNS):
            return None
        case_id = self.ids[index.row()]
        if role == ID_ROLE:
            return case_id
        row = self.rows.get(case_id)
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in ("unmet_needs", "sectors"):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._fetch_block(index.row() // BLOCK)
                return "…" if index.column() == 0 else ""
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == "district" and row.municipality:
            return f"{row.municipality} {row.district}"
        return None

    def display(self, row: CaseRow, column: str) -> str:
        value = row.value(column)
        if column == "stage":
            return STAGE.label(value, self.lang)
        if column == "priority":
            return PRIORITY.label(value, self.lang)
        if column == "last_activity":
            return format_datetime(value, self.lang) if isinstance(value, datetime) else ""
        if column in ("unmet_needs", "sectors"):
            return str(value)
        return value or ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (column, descending) == (self.sort_column, self.descending):
            return  # the view repeating the sort it shows (header set-up); the page loads once
        self.sort_column = column
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


class _QueryCompleter(QCompleter):
    """Completes the word under the cursor (fields and values), not the whole line."""

    def __init__(self, words: list[str], edit: QLineEdit):
        super().__init__(edit)
        self.words = QStringListModel(words, self)  # owned here: a parentless model would be collected
        self.setModel(self.words)
        self.edit = edit
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setWidget(edit)
        self.activated[str].connect(self._insert)
        edit.textEdited.connect(self._update)

    def _word_bounds(self) -> tuple[int, int]:
        text, cursor = self.edit.text(), self.edit.cursorPosition()
        start = cursor
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        return start, cursor

    def _update(self, _text: str) -> None:
        start, end = self._word_bounds()
        word = self.edit.text()[start:end].lstrip("-")
        if len(word) < 1:
            self.popup().hide()
            return
        self.setCompletionPrefix(word)
        if self.completionCount() == 0 or (self.completionCount() == 1 and self.currentCompletion() == word):
            self.popup().hide()
            return
        self.complete()

    def _insert(self, completion: str) -> None:
        start, end = self._word_bounds()
        text = self.edit.text()
        negated = text[start:end].startswith("-")
        piece = ("-" if negated else "") + completion
        suffix = "" if completion.endswith(":") else " "
        self.edit.setText(text[:start] + piece + suffix + text[end:].lstrip())
        self.edit.setCursorPosition(start + len(piece) + len(suffix))


class CasesPage(QWidget):
    case_selected = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        from recovery_desk.ui.pages.case_editor import CaseEditor

        self.ctx = ctx
        lang = ctx.lang
        self.setObjectName("cases_page")
        self.model = CaseTableModel(ctx, self)
        self.model.on_error = self._query_failed
        self.model.loaded.connect(self._loaded)
        self.last_load_seconds: float | None = None

        self.query = QLineEdit()
        self.query.setObjectName("case_query")
        self.query.setClearButtonEnabled(True)
        self.query.setPlaceholderText(tr("Filter cases: stage:planning need:housing_repair overdue 山田 … (Ctrl+F)",
                                         lang))
        self.query.setToolTip(describe_fields(lang))
        self.completer = _QueryCompleter(case_completions(lang), self.query)
        self.query.returnPressed.connect(self.apply_filter)
        self._debounce = QTimer(self, singleShot=True, interval=300, timeout=self.apply_filter)
        self.query.textChanged.connect(lambda _t: self._debounce.start())

        self.saved = QToolButton()
        self.saved.setObjectName("saved_filters")
        self.saved.setText(tr("Saved filters", lang))
        self.saved.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.saved_menu = QMenu(self.saved)
        self.saved.setMenu(self.saved_menu)
        self._build_saved_menu()

        self.new_button = QPushButton(tr("New case", lang))
        self.new_button.setObjectName("new_case")
        self.new_button.clicked.connect(self.new_case)

        self.count = QLabel()
        self.count.setObjectName("case_count")
        self.error = QLabel()
        self.error.setObjectName("query_error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()

        bar = QHBoxLayout()
        bar.addWidget(self.query, 1)
        bar.addWidget(self.saved)
        bar.addWidget(self.new_button)

        self.table = QTableView()
        self.table.setObjectName("case_table")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((100, 80, 150, 60, 90, 190, 60, 130)):
            header.resizeSection(column, width)
        saved_header = options.CASES_HEADER.get()
        if not saved_header.isEmpty():
            header.restoreState(saved_header)
            self.model.sort_column = max(0, header.sortIndicatorSection())
            self.model.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        # Sorting on only now, with the indicator the model already follows: turned on before,
        # the view would sort by its default (descending) and the model query twice for nothing.
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda index: self.editor.focus_first())

        self.editor = CaseEditor(ctx, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("cases_splitter")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table)
        left_layout.addWidget(self.count)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([640, 560])
        saved_split = options.CASES_SPLITTER.get()
        if not saved_split.isEmpty():
            self.splitter.restoreState(saved_split)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.splitter, 1)

        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.focus_filter)
        ctx.changed.connect(self._on_changed)
        ctx.workspace_changed.connect(self._workspace_changed)
        self._pending_select: str | None = None
        if ctx.workspace is not None:
            self.model.reload()

    # -- public ----------------------------------------------------------------------------
    def focus_filter(self) -> None:
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    def apply_filter(self) -> None:
        self._debounce.stop()
        text = self.query.text().strip()
        try:
            case_conditions(parse_case_query(text), me=self.ctx.me)  # builds the SQL expression only: names a bad value now
        except RecoveryDeskError as exc:
            self._show_error(exc)
            return
        self.error.hide()
        self.query.setStyleSheet("")
        if text != self.model.query_text or not self.model.ids:
            self.model.reload(text)

    def select_case(self, case_id: str) -> None:
        row = self.model.row_of(case_id)
        if row < 0:
            self._pending_select = case_id
            self.editor.load(case_id)
            return
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def save_state(self) -> None:
        options.CASES_SPLITTER.set(self.splitter.saveState())
        options.CASES_HEADER.set(self.table.horizontalHeader().saveState())

    # -- saved filters ---------------------------------------------------------------------
    def _build_saved_menu(self) -> None:
        lang = self.ctx.lang
        menu = self.saved_menu
        menu.clear()
        menu.addAction(tr("Save current filter…", lang), self.save_filter)
        saved = options.SAVED_FILTERS.get()
        if saved:
            menu.addSeparator()
            for name, text in saved:
                action = menu.addAction(name, lambda t=text: self.use_filter(t))
                action.setToolTip(text)
            menu.addSeparator()
            remove = menu.addMenu(tr("Remove saved filter", lang))
            for name, _text in saved:
                remove.addAction(name, lambda n=name: self.remove_filter(n))

    def use_filter(self, text: str) -> None:
        with QSignalBlocker(self.query):
            self.query.setText(text)
        self.apply_filter()

    def save_filter(self, name: str | None = None) -> None:
        text = self.query.text().strip()
        if not text:
            return
        if name is None:
            name, ok = QInputDialog.getText(self, tr("Save filter", self.ctx.lang), tr("Name:", self.ctx.lang),
                                            text=text)
            if not ok or not name.strip():
                return
        saved = [[n, t] for n, t in options.SAVED_FILTERS.get() if n != name.strip()]
        saved.append([name.strip(), text])
        options.SAVED_FILTERS.set(saved)
        self._build_saved_menu()

    def remove_filter(self, name: str) -> None:
        options.SAVED_FILTERS.set([[n, t] for n, t in options.SAVED_FILTERS.get() if n != name])
        self._build_saved_menu()

    # -- slots -----------------------------------------------------------------------------
    def new_case(self) -> None:
        self.editor.create_case(self._created)

    def _created(self, changes: Changes) -> None:
        if changes.primary_id:
            self._pending_select = changes.primary_id

    def _show_error(self, exc: RecoveryDeskError) -> None:
        self.error.setText(exc.message(self.ctx.lang))
        self.error.show()
        self.query.setStyleSheet("border: 2px solid #c62828;")

    def _query_failed(self, exc: BaseException, trace: str) -> None:
        if isinstance(exc, RecoveryDeskError):
            self._show_error(exc)
        else:
            self.ctx.error.emit(exc, trace)

    def _loaded(self, count: int, seconds: float) -> None:
        self.last_load_seconds = seconds
        total = len(self.model.ids)
        self.count.setText(tr("{count} cases", self.ctx.lang, count=format_number(total, self.ctx.lang)))
        target = self._pending_select or self.editor.case_id
        self._pending_select = None
        if target:
            row = self.model.row_of(target)
            if row >= 0:
                with QSignalBlocker(self.table.selectionModel()):
                    self.table.setCurrentIndex(self.model.index(row, 0))
                self.table.scrollTo(self.model.index(row, 0))
                if target != self.editor.case_id:
                    self.editor.load(target)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        case_id = current.data(ID_ROLE) if current.isValid() else None
        if case_id and case_id != self.editor.case_id:
            self.editor.load(case_id)
            self.case_selected.emit(case_id)

    def _on_changed(self, changes: Changes) -> None:
        if changes.created.get("case") or changes.deleted.get("case") or changes.touches("organisation", "area"):
            self.model.reload()
        elif changes.touches(*REFRESH_ENTITIES):
            # Edits may move a case in or out of the filter or the sort: query again.
            if self.model.query_text or self.model.sort_column != 0:
                self.model.reload()
            else:
                self.model.refresh_rows(set(changes.case_ids) | changes.ids("case"))

    def _workspace_changed(self) -> None:
        self.editor.clear()
        self.model.reload()
