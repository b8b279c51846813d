"""The case editor's Tasks tab: the case's tasks with status, lead, assignee and due date;
double-click opens the card; "New task" is prefilled with the case, a need of the case and
the case's lead organisation."""

from __future__ import annotations

from datetime import date
from typing import Any

import shiboken6
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from recovery_desk.domain.vocabulary import TASK_STATUS
from recovery_desk.i18n import tr
from recovery_desk.services.changes import Changes
from recovery_desk.services.my_work import WorkTask, task_rows
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.formatting import format_date
from recovery_desk.ui.headers import PADDING, title_width
from recovery_desk.ui.pages.entity_editing import ID_ROLE, Column, RowsModel, make_table


def case_tasks(session: Any, case_id: str, me: Any = None) -> list[WorkTask]:
    """Every live, unarchived task of the case (closed ones too), overdue first."""
    from recovery_desk.storage.models import Task

    return task_rows(session, [Task.case_id == case_id], me=me, today=date.today())


class CaseTasksTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lang = ctx.lang
        self.case_id: str | None = None
        self.case_ref = ""
        self.need: str | None = None
        self.lead_org_id: str | None = None
        self.setObjectName("case_tasks")
        self.model = RowsModel([
            Column(tr("Task", lang), lambda t: t.title),
            Column(tr("Status", lang), lambda t: TASK_STATUS.label(t.status, lang)),
            Column(tr("Lead organisation", lang), lambda t: t.lead),
            Column(tr("Assignee", lang), lambda t: t.assignee),
            Column(tr("Due", lang), lambda t: format_date(t.due_date, lang),
                   lambda t: t.due_date.isoformat() if t.due_date else "9999"),
        ], parent=self)
        self.view = make_table(self.model)
        self.view.setObjectName("case_tasks_table")
        self.view.doubleClicked.connect(lambda i: self.open_task(i.data(ID_ROLE)))
        # The task's title takes what is left (elided), so every column, Due included, is in
        # view in the case editor's width: a Due column beyond the edge was cut.
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        due = max(title_width(self.view, 4), self.view.fontMetrics().horizontalAdvance("2024-06-30") + PADDING * 2)
        for column, width in ((1, 80), (2, 150), (3, 90), (4, due)):
            self.view.setColumnWidth(column, max(width, title_width(self.view, column)))
        self.count = QLabel()
        self.new_button = QPushButton(tr("New task", lang))
        self.new_button.setObjectName("new_case_task")
        self.new_button.clicked.connect(self.new_task)
        self.board_button = QPushButton(tr("Show on the board", lang))
        self.board_button.clicked.connect(self.show_on_board)
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(self.board_button)
        row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self._dialogs: list[QWidget] = []
        ctx.changed.connect(self._on_changed)

    def show_case(self, case_id: str | None, reference: str, need: str | None, lead_org_id: str | None) -> None:
        """Show the tasks of a case; ``need`` and ``lead_org_id`` prefill New task."""
        self.case_id, self.case_ref, self.need, self.lead_org_id = case_id, reference, need, lead_org_id
        self.reload()

    def reload(self) -> None:
        case_id = self.case_id
        if case_id is None or self.ctx.workspace is None:
            self.model.set_rows([])
            return
        me = self.ctx.me

        def done(rows: list[WorkTask]) -> None:
            if shiboken6.isValid(self) and case_id == self.case_id:
                self.model.update_rows(rows)
                self.count.setText(tr("{count} tasks", self.ctx.lang, count=len(rows)))

        self.ctx.read(lambda s: case_tasks(s, case_id, me), done)

    def _on_changed(self, changes: Changes) -> None:
        if self.case_id and changes.touches("task", "task_handover") and (
                self.case_id in changes.case_ids or not changes.case_ids):
            self.reload()

    def open_task(self, task_id: str | None) -> Any:
        from recovery_desk.ui.board.editor import CardEditor

        if not task_id:
            return None
        editor = CardEditor(self.ctx, task_id, self)
        self._dialogs.append(editor)
        editor.finished.connect(lambda _r: self._dialogs.remove(editor) if editor in self._dialogs else None)
        editor.open()
        return editor

    def new_task(self) -> Any:
        from recovery_desk.ui.board.editor import NewCardDialog

        if self.case_id is None:
            return None
        dialog = NewCardDialog(self.ctx, self, case_ref=self.case_ref, case_id=self.case_id, need=self.need,
                               lead_org_id=self.lead_org_id)
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self._dialogs.remove(dialog) if dialog in self._dialogs else None)
        dialog.open()
        return dialog

    def show_on_board(self) -> None:
        window = self.window()
        if self.case_id and hasattr(window, "show_page"):
            window.show_page("board").set_scope(query="", case_id=self.case_id)


def lead_of(participations: list[tuple[Any, Any]]) -> str | None:
    """The case's lead organisation (its first ``lead`` participation), for New task."""
    return next((org.id for part, org in participations if part.role == "lead"), None)


def first_open_need(needs: list[Any]) -> str | None:
    return next((n.category for n in needs if n.state in ("unmet", "in_progress")), None)
