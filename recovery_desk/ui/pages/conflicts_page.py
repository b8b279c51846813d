"""The Conflicts page: what two laptops changed differently, side by side, for a person to settle.

Each open conflict shows the field, the value shown now (who entered it, when, on which
laptop) and the other laptop's value. Settling it — keep one, or type another value — is an
ordinary change (it reaches the other laptops with the next bundle). Undo reopens the
conflict (its values and authors as they were; the reopening reaches the other laptops too). Below: board problems a merge left (cycles,
a done task whose blocker is open again) and cases that look like the same household
registered twice, with a Merge button.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.i18n import tr
from recovery_desk.services.sync.conflicts import VOCABULARIES, row_noun
from recovery_desk.services.sync.duplicates import describe_pair
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.pages.entity_editing import Step, perform

COLUMNS = ("Case", "Field", "Shown here", "Other laptop")


# The field of an added row whose value "theirs" is (the row's label), when it is a code.
LABEL_FIELDS = {"need": "category", "consent": "scope"}


def _value_text(value: Any, lang: str, entity: str = "", field: str = "") -> str:
    """A value as a person reads it: codes of a vocabulary as their label in the language."""
    if value is None:
        return tr("(empty)", lang)
    if isinstance(value, bool):
        return tr("yes", lang) if value else tr("no", lang)
    vocab = VOCABULARIES.get((entity, field))
    if vocab is not None and isinstance(value, str) and value in vocab:
        return vocab.label(value, lang)
    return str(value)


def _field_text(field: str, lang: str) -> str:
    if lang == "ja":
        from recovery_desk.i18n.ja import FIELD_NAMES

        return FIELD_NAMES.get(field, field)
    return field.replace("_", " ")


class ConflictsModel(QAbstractTableModel):
    def __init__(self, lang: str, parent: Any = None):
        super().__init__(parent)
        self.lang = lang
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(COLUMNS[section], self.lang)
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        c = self.rows[index.row()]
        lang = self.lang
        column = index.column()
        if column == 0:
            return c["reference"] or f"{c['entity']} {c['row_id'][:8]}"
        if column == 1:
            if c["kind"] == "added_to_deleted":
                return tr("{what} added to the deleted {owner}", lang, what=row_noun(c["entity"], lang),
                          owner=row_noun(c["owner_entity"], lang))
            return _field_text(c["field"], lang)
        if column == 2:
            shown = tr("(deleted)", lang) if c["deleted"] else _value_text(c["ours"], lang, c["entity"], c["field"])
            return tr("{value} — {who}, {when}", lang, value=shown, who=c["ours_by"] or "-", when=c["ours_at"] or "")
        field = LABEL_FIELDS.get(c["entity"], "") if c["kind"] == "added_to_deleted" else c["field"]
        return tr("{value} — {who}, {when}", lang, value=_value_text(c["theirs"], lang, c["entity"], field),
                  who=c["theirs_by"] or "-", when=c["theirs_at"] or "")


class ConflictsPage(QWidget):
    count_changed = Signal(int)
    refreshed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lang = self.lang = ctx.lang
        self.setObjectName("conflicts_page")
        # Injected by tests: ask for a typed value without a native dialog.
        self.ask_value = self._ask_value
        self.title = QLabel()
        self.title.setObjectName("conflicts_title")
        self.model = ConflictsModel(lang, self)
        self.table = QTableView()
        self.table.setObjectName("conflicts_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.keep_ours = QPushButton(tr("Keep the value shown here", lang), objectName="keep_ours")
        self.keep_theirs = QPushButton(tr("Keep the other laptop's value", lang), objectName="keep_theirs")
        self.type_value = QPushButton(tr("Enter another value…", lang), objectName="type_value")
        self.keep_ours.clicked.connect(lambda: self.resolve_selected(keep="ours"))
        self.keep_theirs.clicked.connect(lambda: self.resolve_selected(keep="theirs"))
        self.type_value.clicked.connect(self._typed)
        buttons = QHBoxLayout()
        for button in (self.keep_ours, self.keep_theirs, self.type_value):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.flags = QLabel(wordWrap=True, objectName="board_flags")
        self.duplicates = QListWidget(objectName="duplicates")
        self.merge_button = QPushButton(tr("Merge the two cases", lang), objectName="merge_cases")
        self.merge_button.clicked.connect(self.merge_selected)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 3)
        layout.addLayout(buttons)
        layout.addWidget(self.flags)
        layout.addWidget(QLabel(tr("Likely the same household registered twice", lang)))
        layout.addWidget(self.duplicates, 1)
        layout.addWidget(self.merge_button)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        ctx.changed.connect(lambda _changes: self.refresh())
        ctx.workspace_changed.connect(self.refresh)
        self._enable()
        self.refresh()

    # -- reading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.ctx.workspace is None:
            return

        def job(ws: Any, _progress: Any) -> tuple[list, list, list]:
            from recovery_desk.services.sync.conflicts import board_flags, list_conflicts
            from recovery_desk.services.sync.duplicates import likely_duplicates

            with ws.engine.connect() as conn:
                flags = board_flags(conn)
            return list_conflicts(ws), flags, likely_duplicates(ws)

        self.ctx.run(job, self._show)

    def _show(self, result: tuple[list, list, list]) -> None:
        conflicts, flags, pairs = result
        lang = self.lang
        self.model.set_rows(conflicts)
        self.title.setText(tr("{count} open conflict(s)", lang, count=len(conflicts)) if conflicts
                           else tr("No open conflicts: every laptop that has the same changes shows the same values.",
                                   lang))
        self.flags.setText("\n".join(
            tr("Blocked-by cycle between {count} tasks", lang, count=len(f["tasks"])) if f["kind"] == "cycle"
            else tr("A task is done while the task blocking it is open again", lang) for f in flags))
        self.duplicates.clear()
        for pair in pairs:
            item = QListWidgetItem(describe_pair(pair, lang))
            item.setData(Qt.ItemDataRole.UserRole, pair["references"])
            self.duplicates.addItem(item)
        self._enable()
        self.count_changed.emit(len(conflicts))
        self.refreshed.emit()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _enable(self) -> None:
        chosen = self.selected()
        for button in (self.keep_ours, self.keep_theirs):
            button.setEnabled(chosen is not None)
        self.type_value.setEnabled(chosen is not None and chosen["kind"] == "field")
        self.merge_button.setEnabled(self.duplicates.count() > 0)

    # -- settling ------------------------------------------------------------------------------
    def _ask_value(self, conflict: dict[str, Any]) -> str | None:
        text, ok = QInputDialog.getText(self, tr("Enter another value…", self.lang), conflict["field"],
                                        text=_value_text(conflict["ours"], self.lang))
        return text if ok else None

    def _typed(self) -> None:
        conflict = self.selected()
        if conflict is not None:
            value = self.ask_value(conflict)
            if value is not None:
                self.resolve_selected(value=value)

    def resolve_selected(self, keep: str | None = None, value: str | None = None) -> None:
        conflict = self.selected()
        if conflict is None:
            return
        from recovery_desk.services.sync.conflicts import reopen, resolve_undoably

        conflict_id = conflict["id"]
        latest: list[Any] = []  # the resolution the next undo reopens (a redo resolves anew)

        def settle(ws: Any) -> Any:
            changes, resolution = resolve_undoably(ws, conflict_id, keep=keep, value=value)
            latest[:] = [resolution]
            return changes

        def job(ws: Any) -> Step:
            return Step(settle(ws), undo=lambda w: reopen(w, latest[0]), redo=settle)

        perform(self.ctx, tr("Settle conflict on {field}", self.lang, field=conflict["field"]), job)

    def merge_selected(self) -> None:
        item = self.duplicates.currentItem() or self.duplicates.item(0)
        if item is None:
            return
        first, second = item.data(Qt.ItemDataRole.UserRole)
        from recovery_desk.services.cases import find_case
        from recovery_desk.services.sync.duplicates import merge_cases

        self.ctx.change(lambda ws: merge_cases(ws, find_case(ws, first).id, find_case(ws, second).id))


CONFLICT_STYLE = "border: 2px solid #ef6c00;"


def mark_conflicts(ctx: AppContext, fields: dict[str, tuple[QWidget, QLabel]], entity: str, row_id: str) -> None:
    """Mark the editor's widgets of fields in conflict (orange frame, a tooltip naming the
    Conflicts page); unmark the others."""
    from recovery_desk.services.sync.conflicts import fields_in_conflict

    def show(conflicted: dict[str, str]) -> None:
        import shiboken6

        for name, (widget, _label) in fields.items():
            if not shiboken6.isValid(widget):
                continue
            if name in conflicted:
                widget.setStyleSheet(CONFLICT_STYLE)
                widget.setToolTip(tr("In conflict with another laptop's value: see the Conflicts page", ctx.lang))
                widget.setProperty("in_conflict", True)
            elif widget.property("in_conflict"):
                widget.setStyleSheet("")
                widget.setToolTip("")
                widget.setProperty("in_conflict", False)

    ctx.run(lambda ws, _progress: fields_in_conflict(ws, entity, row_id), show)
