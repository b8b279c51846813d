"""Pieces shared by the Organisations and People pages: undoable service calls, errors
shown at the field, and a small read-only table model over a list of rows.

Undo: a change runs first (on the database worker, through ``ctx.change``); only when it
succeeded is a :class:`ServiceCommand` pushed on ``ctx.undo_stack`` carrying the inverse
service call, so a refused input never lands on the undo stack and nothing is saved
until it is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeySequence, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.errors import RecoveryDeskError, ValidationError
from recovery_desk.i18n import tr
from recovery_desk.services.changes import Changes
from recovery_desk.services.workspace import Workspace
from recovery_desk.ui.context import AppContext

ServiceCall = Callable[[Workspace], Changes]
ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_INDEX = QModelIndex | QPersistentModelIndex


class RefreshingPage(QWidget):
    """Base of a page that reloads after changes to what it shows: at once when visible,
    otherwise the next time it is shown (a hidden page does no database work). The page
    sets ``watched`` (entity names), connects ``ctx.changed`` to ``_on_changed``, and its
    ``reload()`` clears ``_stale`` and ``_reload_pending``."""

    watched: tuple[str, ...] = ()

    def __init__(self, parent: QWidget | None = None):
        # Set per instance: Shiboken refuses later assignments that shadow class attributes.
        super().__init__(parent)
        self._stale = True
        self._reload_pending = False

    def reload(self) -> None:
        raise NotImplementedError

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _on_changed(self, changes: Changes) -> None:
        if not changes.touches(*self.watched):
            return
        if not self.isVisible():
            self._stale = True
        elif not self._reload_pending:
            self._reload_pending = True
            QTimer.singleShot(0, self, self.reload)  # cancelled if the page is deleted first


def add_editor_buttons(editor: Any, layout: Any, lang: str, delete_tip: str) -> None:
    """Save (Ctrl+S) / Revert … Delete under an entity editor, wired to its save, revert and
    delete methods; the buttons become ``editor.save_button`` etc. The editor's writes go
    through ``editor.writes`` (a :class:`WriteGate`: one at a time)."""
    editor.writes = WriteGate(editor.ctx, editor)
    editor.save_button = QPushButton(tr("Save", lang))
    editor.save_button.setShortcut(QKeySequence.StandardKey.Save)
    editor.save_button.setToolTip(tr("Save (Ctrl+S)", lang))
    editor.revert_button = QPushButton(tr("Revert", lang))
    editor.delete_button = QPushButton(tr("Delete", lang))
    editor.delete_button.setToolTip(delete_tip)
    editor.save_button.clicked.connect(editor.save)
    editor.revert_button.clicked.connect(editor.revert)
    editor.delete_button.clicked.connect(editor.delete)
    buttons = QHBoxLayout()
    buttons.addWidget(editor.save_button)
    buttons.addWidget(editor.revert_button)
    buttons.addStretch(1)
    buttons.addWidget(editor.delete_button)
    layout.addLayout(buttons)


def select_quietly(view: Any, proxy: Any, model: Any, entity_id: str) -> None:
    """Select and show an entity's row in a list (model -> proxy -> view) without emitting the
    selection signals: the editor is already showing it."""
    row = model.row_of(entity_id)
    if row < 0:
        return
    index = proxy.mapFromSource(model.index(row, 0))
    if not index.isValid():
        return
    selection = view.selectionModel()
    selection.blockSignals(True)
    selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                              | QItemSelectionModel.SelectionFlag.Rows)
    selection.blockSignals(False)
    view.viewport().update()
    view.scrollTo(index)


@dataclass
class Step:
    """What a job did and how to undo / redo it (both are service calls)."""

    changes: Changes
    undo: ServiceCall
    redo: ServiceCall


class ServiceCommand(QUndoCommand):
    """An undo-stack entry whose undo and redo are service calls on the database worker.

    The change itself already ran when the command is pushed, so the first ``redo()``
    (which QUndoStack.push calls) does nothing.
    """

    def __init__(self, ctx: AppContext, text: str, step: Step):
        super().__init__(text)
        self.ctx = ctx
        self.step = step
        self._done = True

    def redo(self) -> None:
        if self._done:
            return
        self._done = True
        self.ctx.change(self.step.redo)

    def undo(self) -> None:
        self._done = False
        self.ctx.change(self.step.undo)


def perform(ctx: AppContext, text: str, job: Callable[[Workspace], Step],
            on_done: Callable[[Changes], None] | None = None,
            on_error: Callable[[BaseException, str], None] | None = None,
            gate: WriteGate | None = None) -> bool:
    """Run ``job`` on the worker; if it changed something, push its undo command. With a
    ``gate``, nothing happens (False) while the gate's previous write is still running."""
    holder: dict[str, Step] = {}

    def run(ws: Workspace) -> Changes:
        step = job(ws)
        holder["step"] = step
        return step.changes

    def done(changes: Changes) -> None:
        step = holder.get("step")
        if step is not None and changes:
            ctx.undo_stack.push(ServiceCommand(ctx, text, step))
        if on_done is not None:
            on_done(changes)

    if gate is not None:
        return gate.change(run, done, on_error)
    ctx.change(run, done, on_error)
    return True


class WriteGate:
    """One write at a time from an editor. The editor's id (a new organisation's, say) is
    only known once the worker has created the row, so a second Save in the meantime (a
    double click, Enter in a field then a click, Ctrl+S) would create it again: while a
    write is on the worker, further writes are ignored and the editor's buttons are
    disabled; they come back as they were before its result or error is handled."""

    def __init__(self, ctx: AppContext, owner: QWidget, buttons: Sequence[str] = ("save_button", "delete_button")):
        self.ctx = ctx
        self.owner = owner
        self.buttons = buttons
        self.busy = False
        self._was_enabled: list[tuple[QWidget, bool]] = []

    def perform(self, text: str, job: Callable[[Workspace], Step],
                on_done: Callable[[Changes], None] | None = None,
                on_error: Callable[[BaseException, str], None] | None = None) -> bool:
        """:func:`perform` (undoable) through this gate."""
        return perform(self.ctx, text, job, on_done, on_error, gate=self)

    def change(self, op: ServiceCall, on_done: Callable[[Changes], None] | None = None,
               on_error: Callable[[BaseException, str], None] | None = None) -> bool:
        """``ctx.change`` through this gate; False (and nothing sent) while one is running."""
        return self.submit(lambda done, failed: self.ctx.change(op, done, failed), on_done, on_error)

    def submit(self, start: Callable[[Callable[[Changes], None], Callable[[BaseException, str], None]], Any],
               on_done: Callable[[Changes], None] | None = None,
               on_error: Callable[[BaseException, str], None] | None = None) -> bool:
        """Any write that reports back through two callbacks: ``start(done, failed)`` submits
        it; False (and nothing started) while an earlier one is running."""
        if self.busy:
            return False
        self.busy = True
        present = [getattr(self.owner, name, None) for name in self.buttons]
        self._was_enabled = [(button, button.isEnabled()) for button in present if button is not None]
        for button, _enabled in self._was_enabled:
            button.setEnabled(False)

        def done(changes: Changes) -> None:
            self._release()
            if on_done is not None:
                on_done(changes)

        def failed(exc: BaseException, trace: str) -> None:
            self._release()
            (on_error or self.ctx.error.emit)(exc, trace)

        start(done, failed)
        return True

    def _release(self) -> None:
        self.busy = False
        for button, enabled in self._was_enabled:
            if shiboken6.isValid(button):
                button.setEnabled(enabled)
        self._was_enabled = []


class FieldErrors:
    """Shows a ValidationError under the field it names (red frame, message, focus)."""

    STYLE = "border: 2px solid #c62828;"

    def __init__(self, lang: str, fallback: QLabel):
        self.lang = lang
        self.fallback = fallback
        self.fields: dict[str, tuple[QWidget, QLabel]] = {}
        fallback.setStyleSheet("color: #c62828;")
        fallback.setWordWrap(True)
        fallback.hide()

    def wrap(self, field: str, widget: QWidget) -> QWidget:
        """A container with the widget and its (hidden) error line, for a form row."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        label = QLabel()
        label.setObjectName(f"error_{field}")
        label.setStyleSheet("color: #c62828;")
        label.setWordWrap(True)
        label.hide()
        layout.addWidget(label)
        self.fields[field] = (widget, label)
        return box

    def show(self, exc: BaseException) -> bool:
        """Show a known error; returns False for an unexpected one (the caller reports it)."""
        if not isinstance(exc, RecoveryDeskError):
            return False
        self.clear()
        message = exc.message(self.lang)
        field = exc.field if isinstance(exc, ValidationError) else None
        if field in self.fields:
            widget, label = self.fields[field]
            widget.setStyleSheet(self.STYLE)
            widget.setToolTip(message)
            label.setText(message)
            label.show()
            widget.setFocus()
        else:
            self.fallback.setText(message)
            self.fallback.show()
        return True

    def message_for(self, field: str) -> str:
        entry = self.fields.get(field)
        return entry[1].text() if entry and not entry[1].isHidden() else ""

    def clear(self) -> None:
        for widget, label in self.fields.values():
            if widget.styleSheet() == self.STYLE:
                widget.setStyleSheet("")
                widget.setToolTip("")
            label.clear()
            label.hide()
        self.fallback.clear()
        self.fallback.hide()


@dataclass(frozen=True)
class Column:
    header: str
    display: Callable[[Any], Any]
    sort: Callable[[Any], Any] | None = None
    numeric: bool = False
    tooltip: Callable[[Any], str] | None = None
    header_tip: str = ""


class RowsModel(QAbstractTableModel):
    """A read-only table over a list of row objects; ``id_of(row)`` gives ID_ROLE."""

    def __init__(self, columns: Sequence[Column], id_of: Callable[[Any], Any] = lambda r: getattr(r, "id", None),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self.id_of = id_of
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def update_rows(self, rows: Sequence[Any]) -> None:
        """New values for the same rows in the same order: repaint, keep selection and scroll."""
        rows = list(rows)
        if [self.id_of(r) for r in rows] != [self.id_of(r) for r in self.rows]:
            self.set_rows(rows)
            return
        self.rows = rows
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.columns) - 1))

    def row_of(self, entity_id: Any) -> int:
        for i, row in enumerate(self.rows):
            if self.id_of(row) == entity_id:
                return i
        return -1

    def rowCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < len(self.columns):
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = column.display(row)
            return value if isinstance(value, str) else ("" if value is None else str(value))
        if role == ID_ROLE:
            return self.id_of(row)
        if role == SORT_ROLE:
            key = column.sort(row) if column.sort else column.display(row)
            return "" if key is None else key
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip(row)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole and self.columns[section].header_tip:
            return self.columns[section].header_tip
        return None


def filter_proxy(model: QAbstractTableModel, parent: QWidget,
                 proxy: QSortFilterProxyModel | None = None) -> QSortFilterProxyModel:
    """Case-insensitive text filter over every column; sorts numbers as numbers."""
    proxy = proxy if proxy is not None else QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortLocaleAware(True)
    return proxy


def make_table(model: Any) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


def fit_header(view: QTableView, column: int, minimum: int = 0) -> None:
    """Wide enough for the column's header text (and the sort arrow), at least ``minimum``."""
    header = view.horizontalHeader()
    text = str(view.model().headerData(column, Qt.Orientation.Horizontal) or "")
    view.setColumnWidth(column, max(minimum, header.fontMetrics().horizontalAdvance(text) + 30))


def list_beside_editor(left: QWidget, editor: QWidget, editor_min_width: int) -> QSplitter:
    """The list pages' layout: the list (or its tabs) on the left, the entity's editor in a
    vertically scrolling area on the right; the caller remembers the splitter's sizes."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(editor)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(editor_min_width)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(left)
    splitter.addWidget(scroll)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([760, 480])
    return splitter
