"""My work: the signed-in person's tasks and their organisations' (overdue first, then due
this week, then stale claims), hand-overs waiting for their answer, and open cases where
their organisation is the only sector. Each row opens the card or the case. The start page
of someone who is not a coordinator; the "today" summary after signing in comes from here.
"""

from __future__ import annotations

import time
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.vocabulary import SECTOR, STAGE, TASK_STATUS
from recovery_desk.i18n import tr
from recovery_desk.services import tasks
from recovery_desk.services.my_work import (
    DUE_SOON,
    OVERDUE,
    STALE,
    MyWork,
    first_screen,
    load_my_work,
)
from recovery_desk.ui import options
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.formatting import format_date, format_datetime
from recovery_desk.ui.pages.entity_editing import (
    ID_ROLE,
    SORT_ROLE,
    Column,
    RefreshingPage,
    RowsModel,
    make_table,
)
from recovery_desk.ui.undo import perform_undoable

WATCHED = ("task", "task_handover", "participation", "case", "organisation", "person", "membership")


def group_label(group: str, lang: str) -> str:
    return {OVERDUE: tr("Overdue", lang), DUE_SOON: tr("Due this week", lang), STALE: tr("Stale claim", lang)
            }.get(group, "")


class _TaskModel(RowsModel):
    """Tasks, overdue ones in red. The cells' texts are made once per fill and the roles the
    model does not give (no column is numeric, none has a tooltip) are answered first: a paint
    asks ~1,100 times for 25 visible rows, and the page's first paint waits on them (issue 15:
    under 200 ms on the 60,000-case demo)."""

    _DISPLAY = Qt.ItemDataRole.DisplayRole
    _FOREGROUND = Qt.ItemDataRole.ForegroundRole
    _GIVEN = frozenset({int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ForegroundRole), ID_ROLE, SORT_ROLE})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.texts: list[list[str]] = []
        self.overdue_brush = QBrush(QColor("#b71c1c"))

    def _make_texts(self) -> None:
        columns = self.columns
        self.texts = [[("" if (v := c.display(row)) is None else v if isinstance(v, str) else str(v)) for c in columns]
                      for row in self.rows]

    def set_rows(self, rows: Any) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._make_texts()
        self.endResetModel()

    def update_rows(self, rows: Any) -> None:
        super().update_rows(rows)
        self._make_texts()

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in self._GIVEN or not index.isValid():
            return None
        row = index.row()
        if role == self._DISPLAY:
            return self.texts[row][index.column()] if row < len(self.texts) else None
        if role == self._FOREGROUND:
            return self.overdue_brush if row < len(self.rows) and self.rows[row].group == OVERDUE else None
        return super().data(index, role)


class MyWorkPage(RefreshingPage):
    loaded = Signal(float)  # seconds from asking to the first screen's rows painted
    completed = Signal()  # the whole list and the hand-overs / cases are shown

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.watched = WATCHED
        self.ctx = ctx
        self.work: MyWork | None = None
        self._generation = 0
        self.today = None  # the day "overdue" is judged against (None: today); demos pin it
        lang = ctx.lang
        self.setObjectName("my_work_page")
        self.who = QLabel()
        self.who.setObjectName("my_work_who")
        font = self.who.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.who.setFont(font)
        self.summary = QLabel()
        self.summary.setObjectName("my_work_summary")
        self.sign_in_button = QPushButton(tr("Switch user…", lang))
        self.sign_in_button.clicked.connect(self._ask_sign_in)
        self.move_button = QPushButton(tr("Move to", lang))
        self.move_button.setObjectName("my_work_move")
        menu = QMenu(self.move_button)
        for term in TASK_STATUS:
            menu.addAction(term.label(lang), lambda s=term.code: self.move_selected(s))
        self.move_button.setMenu(menu)
        self.open_button = QPushButton(tr("Open", lang))
        self.open_button.clicked.connect(self.open_current)

        self.task_model = _TaskModel([
            Column(tr("When", lang), lambda t: group_label(t.group, lang)),
            Column(tr("Due", lang), lambda t: format_date(t.due_date, lang), lambda t: t.due_date.isoformat()
                   if t.due_date else "9999"),
            Column(tr("Task", lang), lambda t: t.title),
            Column(tr("Case", lang), lambda t: t.case_ref),
            Column(tr("Status", lang), lambda t: TASK_STATUS.label(t.status, lang)),
            Column(tr("Lead organisation", lang), lambda t: t.lead),
            Column(tr("Assignee", lang), lambda t: t.assignee),
        ], parent=self)
        self.tasks_view = make_table(self.task_model)
        self.tasks_view.setObjectName("my_work_tasks")
        self.tasks_view.doubleClicked.connect(lambda _i: self.open_current())
        for column, width in ((0, 120), (1, 100), (2, 300), (3, 110), (4, 90), (5, 200)):
            self.tasks_view.setColumnWidth(column, width)

        self.handover_model = RowsModel([
            Column(tr("Task", lang), lambda h: h.task_title),
            Column(tr("Case", lang), lambda h: h.case_ref),
            Column(tr("Asked by", lang), lambda h: h.to_org),
            Column(tr("Reason", lang), lambda h: h.reason),
            Column(tr("When", lang), lambda h: format_datetime(h.at, lang)),
        ], id_of=lambda h: h.task_id, parent=self)
        self.handovers_view = make_table(self.handover_model)
        self.handovers_view.setObjectName("my_work_handovers")
        self.handovers_view.doubleClicked.connect(lambda i: self.open_task(i.data(ID_ROLE), "handover"))
        self.handovers_view.setColumnWidth(0, 300)

        self.case_model = RowsModel([
            Column(tr("Case", lang), lambda c: c.reference),
            Column(tr("Stage", lang), lambda c: STAGE.label(c.stage, lang)),
            Column(tr("Only sector", lang), lambda c: SECTOR.label(c.sector, lang)),
        ], parent=self)
        self.cases_view = make_table(self.case_model)
        self.cases_view.setObjectName("my_work_cases")
        self.cases_view.doubleClicked.connect(lambda i: self.open_case(i.data(ID_ROLE)))
        self.cases_view.setColumnWidth(0, 130)
        self.cases_view.setColumnWidth(1, 200)

        self.lower = QTabWidget()
        self.lower.addTab(self.handovers_view, tr("Hand-overs waiting for my answer", lang))
        self.lower.addTab(self.cases_view, tr("Cases where my organisation is the only sector", lang))
        self.show_today = QCheckBox(tr("Show a summary of today when I sign in", lang))
        self.show_today.setChecked(options.SHOW_TODAY.get())
        self.show_today.toggled.connect(options.SHOW_TODAY.set)

        top = QHBoxLayout()
        top.addWidget(self.who, 1)
        top.addWidget(self.sign_in_button)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.move_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tasks_view)
        splitter.addWidget(self.lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.show_today)
        ctx.changed.connect(self._on_changed)
        ctx.workspace_changed.connect(self._identity_changed)
        ctx.identity_changed.connect(self._identity_changed)

    # -- loading -------------------------------------------------------------------------------
    def _identity_changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        self._stale = False
        self._reload_pending = False
        if self.ctx.workspace is None:
            return
        me, today, started = self.ctx.me, self.today, time.perf_counter()
        self._generation += 1
        generation = self._generation

        def first(work: MyWork) -> None:
            if generation != self._generation or not shiboken6.isValid(self):
                return
            self.show_work(work)
            # Painted now, before the rest is asked for: the long query's Python work on the
            # database thread would otherwise share the interpreter with this paint (the GIL)
            # and hold the first rows back (first paint 630 ms instead of the query's 190 ms
            # on the 60,000-case demo under load).
            if self.isVisible():
                self.tasks_view.viewport().repaint()
            self.loaded.emit(time.perf_counter() - started)
            self.ctx.read(lambda s: load_my_work(s, me, today), full)

        def full(work: MyWork) -> None:
            if generation == self._generation and shiboken6.isValid(self):
                self.show_work(work)
                self.completed.emit()

        self.ctx.read(lambda s: first_screen(s, me, today), first)

    def show_work(self, work: MyWork) -> None:
        lang = self.ctx.lang
        self.work = work
        me = work.identity
        if me is None:
            self.who.setText(tr("Nobody is signed in", lang))
            self.summary.setText(tr("Sign in as a person of this workspace to see your tasks here.", lang))
            self.sign_in_button.setText(tr("Sign in…", lang))
        else:
            orgs = "、".join(me.organisation_names) or tr("no organisation", lang)
            self.who.setText(tr("{name} — for {orgs}", lang, name=me.name, orgs=orgs))
            self.summary.setText(today_text(work, lang) if work.complete else tr("Loading…", lang))
            self.sign_in_button.setText(tr("Switch user…", lang))
        selected = self.current_task_id()
        self.task_model.set_rows(work.tasks)
        if selected:
            self.select_task(selected)
        self.handover_model.set_rows(work.handovers)
        self.case_model.set_rows(work.lone_cases)
        self.lower.setTabText(0, tr("Hand-overs waiting for my answer ({count})", lang, count=len(work.handovers)))
        self.lower.setTabText(1, tr("Cases where my organisation is the only sector ({count})", lang,
                                    count=len(work.lone_cases)))

    # -- acting --------------------------------------------------------------------------------
    def current_task_id(self) -> str | None:
        index = self.tasks_view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def select_task(self, task_id: str) -> None:
        row = self.task_model.row_of(task_id)
        if row >= 0:
            self.tasks_view.selectRow(row)

    def open_current(self) -> None:
        task_id = self.current_task_id()
        if task_id:
            self.open_task(task_id)

    def open_task(self, task_id: str | None, tab: str = "details") -> Any:
        from recovery_desk.ui.board.editor import CardEditor

        if not task_id:
            return None
        editor = CardEditor(self.ctx, task_id, self, tab=tab)
        self._editor = editor
        editor.open()
        return editor

    def open_case(self, case_id: str | None) -> None:
        window = self.window()
        if case_id and hasattr(window, "show_page"):
            window.show_page("cases").select_case(case_id)

    def move_selected(self, status: str) -> None:
        task_id = self.current_task_id()
        if not task_id:
            return
        lang = self.ctx.lang
        row = self.task_model.rows[self.task_model.row_of(task_id)]
        text = tr("Move {title} to {status}", lang, title=row.title, status=TASK_STATUS.label(status, lang))
        perform_undoable(self.ctx, text, lambda ws: tasks.move_task(ws, task_id, status), None, self._failed)

    def _failed(self, exc: BaseException, trace: str) -> None:
        from recovery_desk.domain.errors import RecoveryDeskError

        if isinstance(exc, RecoveryDeskError):
            QMessageBox.warning(self, tr("My work", self.ctx.lang), exc.message(self.ctx.lang))
        else:
            self.ctx.error.emit(exc, trace)

    def _ask_sign_in(self) -> None:
        window = self.window()
        if hasattr(window, "ask_sign_in"):
            window.ask_sign_in()


def today_text(work: MyWork, lang: str) -> str:
    return tr("Today: {overdue} overdue, {soon} due this week, {stale} stale claims, "
              "{handovers} hand-overs to answer", lang, overdue=work.count(OVERDUE), soon=work.count(DUE_SOON),
              stale=work.count(STALE), handovers=len(work.handovers))


def show_today_summary(ctx: AppContext, parent: QWidget) -> None:
    """The short summary after signing in (turned off with its checkbox or on My work)."""
    me = ctx.me
    if me is None:
        return

    def show(work: MyWork) -> None:
        lang = ctx.lang
        box = QMessageBox(QMessageBox.Icon.Information, tr("Today", lang), today_text(work, lang),
                          QMessageBox.StandardButton.Ok, parent)
        box.setObjectName("today_summary")
        again = QCheckBox(tr("Show this when I sign in", lang))
        again.setChecked(True)
        again.toggled.connect(options.SHOW_TODAY.set)
        box.setCheckBox(again)
        box.show_again = again  # PySide6 does not take ownership: keep it alive with the box
        parent._today_box = box  # type: ignore[attr-defined]
        box.open()

    ctx.read(lambda s: load_my_work(s, me), show)
