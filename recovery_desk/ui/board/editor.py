"""The card editor (all task fields, checklist, comments, blocked-by links, claim and
hand-over, history from the audit trail) and the new-card dialog.

Everything is read with ``ctx.read(load_card)`` and written with ``ctx.change(service)``;
after each write the dialog reloads the card, and ``ctx.changed`` tells the board.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.domain.vocabulary import NEED_CATEGORY, PRIORITY, SECTOR, TASK_STATUS
from recovery_desk.i18n import tr
from recovery_desk.services import board, tasks
from recovery_desk.services.board_query import CardDetail, load_card
from recovery_desk.services.changes import Changes
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Organisation
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.pages.entity_editing import WriteGate
from recovery_desk.ui.undo import perform_undoable

TABS = ("details", "checklist", "comments", "blocked", "handover", "history")


def local_time(value: datetime | None) -> str:
    """Audit times are naive UTC; show them in the workspace's zone, said as such."""
    from recovery_desk.i18n import current_language
    from recovery_desk.ui.formatting import format_datetime

    return format_datetime(value, current_language())


def handover_kind_label(kind: str, lang: str) -> str:
    return {
        "claim": tr("Claimed", lang), "release": tr("Released", lang), "request": tr("Hand-over asked", lang),
        "accept": tr("Hand-over accepted", lang), "decline": tr("Hand-over declined", lang),
    }.get(kind, kind)


def handover_state_label(state: str, lang: str) -> str:
    return {
        "open": tr("waiting for an answer", lang), "accepted": tr("accepted", lang),
        "declined": tr("declined", lang), "withdrawn": tr("lapsed", lang), "done": "",
    }.get(state, state)


def _decode(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def field_label(field_name: str, lang: str) -> str:
    return {
        "title": tr("Title", lang), "description": tr("Description", lang), "need_category": tr("Need", lang),
        "priority": tr("Priority", lang), "lead_org_id": tr("Lead organisation", lang),
        "assignee_id": tr("Assignee", lang), "due_date": tr("Due date", lang), "status": tr("Column", lang),
        "position": tr("Position on the board", lang), "claimed_at": tr("Claimed", lang),
        "completed_at": tr("Completed", lang), "archived_at": tr("Archived", lang),
        "done": tr("Checked", lang), "text": tr("Checklist item", lang), "state": tr("State", lang),
    }.get(field_name, field_name)


def change_label(entity: str, action: str, field_name: str | None, lang: str) -> str:
    """What an audit row of a card (or one of its parts) says, in words."""
    if entity == "task" and action == "update" and field_name:
        return field_label(field_name, lang)
    labels = {
        ("task", "create"): tr("Card created", lang),
        ("task", "delete"): tr("Card deleted", lang),
        ("checklist_item", "create"): tr("Checklist item added", lang),
        ("checklist_item", "update"): tr("Checklist item changed", lang),
        ("checklist_item", "delete"): tr("Checklist item removed", lang),
        ("comment", "create"): tr("Comment added", lang),
        ("comment", "update"): tr("Comment changed", lang),
        ("comment", "delete"): tr("Comment removed", lang),
        ("task_dependency", "create"): tr("Blocked-by link added", lang),
        ("task_dependency", "delete"): tr("Blocked-by link removed", lang),
        ("task_supporter", "create"): tr("Supporting organisation added", lang),
        ("task_supporter", "delete"): tr("Supporting organisation removed", lang),
        ("task_handover", "create"): tr("Claim or hand-over step", lang),
        ("task_handover", "update"): tr("Hand-over request answered", lang),
    }
    text = labels.get((entity, action), f"{entity} {action}")
    if action == "update" and field_name and entity != "task":
        text += f" ({field_label(field_name, lang)})"
    return text


def value_text(entity: str, field_name: str | None, value: Any, names: dict[str, str], lang: str) -> str:
    """An audit value as a person reads it: labels for codes, names for ids, dates as dates."""
    if value is None or field_name == "position":
        return ""
    if isinstance(value, dict):  # the snapshot of a created row
        if entity == "task_handover":
            return handover_kind_label(str(value.get("kind", "")), lang)
        if entity == "task_supporter":
            return names.get(str(value.get("organisation_id")), "")
        if entity == "task_dependency":
            return names.get(str(value.get("blocked_by_id")), "")
        return str(value.get("title") or value.get("text") or value.get("body") or "")
    if field_name == "status":
        return TASK_STATUS.label(str(value), lang)
    if field_name == "priority":
        return PRIORITY.label(str(value), lang)
    if field_name == "need_category":
        return NEED_CATEGORY.label(str(value), lang)
    if field_name == "state":
        return handover_state_label(str(value), lang) or str(value)
    if field_name in ("lead_org_id", "assignee_id"):
        return names.get(str(value), str(value))
    if field_name in ("claimed_at", "completed_at", "archived_at") and isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return tr("yes", lang) if value else tr("no", lang)
    return str(value)


class CardEditor(QDialog):
    saved = Signal()  # a change of this card was saved
    failed = Signal(str)  # a change was refused; the reason
    reloaded = Signal()

    def __init__(self, ctx: AppContext, task_id: str, parent: QWidget | None = None, tab: str = "details"):
        super().__init__(parent)
        self.ctx = ctx
        self.writes = WriteGate(ctx, self)  # one change at a time: a double Save saves once
        self.task_id = task_id
        self.detail: CardDetail | None = None
        lang = ctx.lang
        self.setWindowTitle(tr("Card", lang))
        self.resize(720, 620)
        self.tabs = QTabWidget(self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b71c1c;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close", lang))
        buttons.rejected.connect(self.reject)
        # Save sits at the bottom, beside Close (it saves the Details fields).
        self.save_button = buttons.addButton(tr("Save", lang), QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.clicked.connect(self.save)
        self.header = QLabel(self)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._build_details()
        self._build_checklist()
        self._build_comments()
        self._build_blocked()
        self._build_handover()
        self._build_history()
        self.tabs.setCurrentIndex(TABS.index(tab) if tab in TABS else 0)
        self.setEnabled(False)
        self.reload()

    # -- building ------------------------------------------------------------------------------
    def _build_details(self) -> None:
        lang = self.ctx.lang
        page = QWidget()
        form = QFormLayout(page)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.title = QLineEdit()
        self.description = QPlainTextEdit()
        self.description.setMaximumHeight(110)
        self.need = QComboBox()
        self.need.addItem(tr("(none)", lang), None)
        for term in NEED_CATEGORY:
            self.need.addItem(term.label(lang), term.code)
        self.priority = QComboBox()
        for term in PRIORITY:
            self.priority.addItem(term.label(lang), term.code)
        self.status_label = QLabel()
        self.status_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.lead = QComboBox()
        self.assignee = QComboBox()
        self.has_due = QCheckBox(tr("Due date", lang))
        self.due = QDateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.has_due.toggled.connect(self.due.setEnabled)
        due_row = QHBoxLayout()
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due, 1)
        self.supporters = QListWidget()
        self.supporters.setMinimumHeight(60)
        self.supporter_choice = QComboBox()
        add = QPushButton(tr("Add", lang))
        add.clicked.connect(self._add_supporter)
        remove = QPushButton(tr("Remove", lang))
        remove.clicked.connect(self._remove_supporter)
        sup_row = QHBoxLayout()
        sup_row.addWidget(self.supporter_choice, 1)
        sup_row.addWidget(add)
        sup_row.addWidget(remove)
        form.addRow(tr("Title", lang), self.title)
        form.addRow(tr("Description", lang), self.description)
        form.addRow(tr("Column", lang), self.status_label)
        form.addRow(tr("Need", lang), self.need)
        form.addRow(tr("Priority", lang), self.priority)
        form.addRow(tr("Lead organisation", lang), self.lead)
        form.addRow(tr("Assignee", lang), self.assignee)
        form.addRow("", due_row)
        form.addRow(tr("Supporting organisations", lang), self.supporters)
        form.addRow("", sup_row)
        self.tabs.addTab(page, tr("Details", lang))

    def _build_checklist(self) -> None:
        lang = self.ctx.lang
        page = QWidget()
        layout = QVBoxLayout(page)
        self.checklist = QListWidget()
        self.checklist.itemChanged.connect(self._checklist_toggled)
        self.new_item = QLineEdit()
        self.new_item.setPlaceholderText(tr("New checklist item", lang))
        self.new_item.returnPressed.connect(self._add_item)
        add = QPushButton(tr("Add", lang))
        add.clicked.connect(self._add_item)
        remove = QPushButton(tr("Remove", lang))
        remove.clicked.connect(self._remove_item)
        row = QHBoxLayout()
        row.addWidget(self.new_item, 1)
        row.addWidget(add)
        row.addWidget(remove)
        layout.addWidget(self.checklist, 1)
        layout.addLayout(row)
        self.tabs.addTab(page, tr("Checklist", lang))

    def _build_comments(self) -> None:
        lang = self.ctx.lang
        page = QWidget()
        layout = QVBoxLayout(page)
        self.comments = QListWidget()
        self.comments.setWordWrap(True)
        self.new_comment = QPlainTextEdit()
        self.new_comment.setMaximumHeight(80)
        self.new_comment.setPlaceholderText(tr("Write a comment", lang))
        add = QPushButton(tr("Add comment", lang))
        add.clicked.connect(self._add_comment)
        layout.addWidget(self.comments, 1)
        layout.addWidget(self.new_comment)
        layout.addWidget(add, 0, Qt.AlignmentFlag.AlignRight)
        self.tabs.addTab(page, tr("Comments", lang))

    def _build_blocked(self) -> None:
        lang = self.ctx.lang
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(tr("This card cannot be done while these tasks are open:", lang)))
        self.blockers = QListWidget()
        self.blocker_choice = QComboBox()
        add = QPushButton(tr("Add", lang))
        add.clicked.connect(self._add_blocker)
        remove = QPushButton(tr("Remove", lang))
        remove.clicked.connect(self._remove_blocker)
        row = QHBoxLayout()
        row.addWidget(self.blocker_choice, 1)
        row.addWidget(add)
        row.addWidget(remove)
        layout.addWidget(self.blockers, 1)
        layout.addLayout(row)
        self.tabs.addTab(page, tr("Blocked by", lang))

    def _build_handover(self) -> None:
        lang = self.ctx.lang
        page = QWidget()
        layout = QVBoxLayout(page)
        self.holder_label = QLabel()
        self.holder_label.setWordWrap(True)
        layout.addWidget(self.holder_label)
        form = QFormLayout()
        self.org_choice = QComboBox()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("Reason (required to release or decline)", lang))
        form.addRow(tr("Organisation", lang), self.org_choice)
        form.addRow(tr("Reason", lang), self.reason)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.claim_button = QPushButton(tr("Claim for this organisation", lang))
        self.claim_button.clicked.connect(self.claim)
        self.request_button = QPushButton(tr("Ask the holder to hand it over", lang))
        self.request_button.clicked.connect(self.request_handover)
        self.release_button = QPushButton(tr("Release", lang))
        self.release_button.clicked.connect(self.release)
        for b in (self.claim_button, self.request_button, self.release_button):
            row.addWidget(b)
        layout.addLayout(row)
        layout.addWidget(QLabel(tr("Open hand-over requests", lang)))
        self.requests = QListWidget()
        self.requests.setMaximumHeight(90)
        layout.addWidget(self.requests)
        answer = QHBoxLayout()
        self.accept_button = QPushButton(tr("Accept", lang))
        self.accept_button.clicked.connect(self.accept_request)
        self.decline_button = QPushButton(tr("Decline", lang))
        self.decline_button.clicked.connect(self.decline_request)
        answer.addStretch(1)
        answer.addWidget(self.accept_button)
        answer.addWidget(self.decline_button)
        layout.addLayout(answer)
        layout.addWidget(QLabel(tr("Every step", lang)))
        self.handovers = QListWidget()
        layout.addWidget(self.handovers, 1)
        self.tabs.addTab(page, tr("Claim and hand-over", lang))

    def _build_history(self) -> None:
        lang = self.ctx.lang
        self.history = QTreeWidget()
        self.history.setRootIsDecorated(False)
        self.history.setHeaderLabels([tr("When", lang), tr("Who", lang), tr("What", lang), tr("Before", lang),
                                      tr("After", lang)])
        self.tabs.addTab(self.history, tr("History", lang))

    # -- loading -------------------------------------------------------------------------------
    def reload(self) -> None:
        task_id = self.task_id
        self.ctx.read(lambda s: load_card(s, task_id), self._show, self._fail)

    def _show(self, detail: CardDetail) -> None:
        lang = self.ctx.lang
        self.detail = detail
        t = detail.task
        self.setEnabled(True)
        self.header.setText(f"{detail.case_ref} · {t['title']}")
        self.setWindowTitle(tr("Card: {title}", lang, title=t["title"]))
        self.title.setText(t["title"])
        self.description.setPlainText(t["description"] or "")
        self.need.setCurrentIndex(max(self.need.findData(t["need_category"]), 0))
        self.priority.setCurrentIndex(max(self.priority.findData(t["priority"]), 0))
        self.status_label.setText(TASK_STATUS.label(t["status"], lang))
        orgs = detail.organisations
        for combo, none_label in ((self.lead, tr("(none)", lang)), (self.supporter_choice, None),
                                  (self.org_choice, None)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            if none_label is not None:
                combo.addItem(none_label, None)
            for oid, name, sector in orgs:
                combo.addItem(f"{name} ({SECTOR.label(sector, lang)})", oid)
            if current is not None:
                combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)
        self.lead.setCurrentIndex(max(self.lead.findData(t["lead_org_id"]), 0))
        self.assignee.clear()
        self.assignee.addItem(tr("(none)", lang), None)
        for pid, name in detail.people:
            self.assignee.addItem(name, pid)
        self.assignee.setCurrentIndex(max(self.assignee.findData(t["assignee_id"]), 0))
        self.has_due.setChecked(t["due_date"] is not None)
        self.due.setEnabled(t["due_date"] is not None)
        due = t["due_date"] or date.today()
        self.due.setDate(QDate(due.year, due.month, due.day))
        self.supporters.clear()
        for sid, _oid, name in detail.supporters:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, sid)
            self.supporters.addItem(item)
        self.checklist.blockSignals(True)
        self.checklist.clear()
        for iid, text, done in detail.checklist:
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, iid)
            self.checklist.addItem(item)
        self.checklist.blockSignals(False)
        self.comments.clear()
        for _cid, when, author, body in detail.comments:
            self.comments.addItem(f"{local_time(when)}  {author}\n{body}")
        self.blockers.clear()
        for dep_id, _tid, title, status in detail.blocked_by:
            item = QListWidgetItem(f"{title} — {TASK_STATUS.label(status, lang)}")
            item.setData(Qt.ItemDataRole.UserRole, dep_id)
            self.blockers.addItem(item)
        self.blocker_choice.clear()
        linked = {b[1] for b in detail.blocked_by}
        for tid, title, status in detail.case_tasks:
            if tid not in linked:
                self.blocker_choice.addItem(f"{title} — {TASK_STATUS.label(status, lang)}", tid)
        names = {o[0]: o[1] for o in orgs}
        holder = t["lead_org_id"] if t["claimed_at"] is not None else None
        claimant = next((h["by"] for h in reversed(detail.handovers) if h["kind"] in ("claim", "accept")), "")
        if holder:
            text = tr("Held by {org} since {when}", lang, org=names.get(holder, ""), when=local_time(t["claimed_at"]))
            if claimant:
                text += " · " + tr("claimed by {person}", lang, person=claimant)
            self.holder_label.setText(text)
        elif t["lead_org_id"]:
            self.holder_label.setText(tr("{org} leads this task but has not claimed it: it can claim it, "
                                         "or another organisation can.", lang, org=names.get(t["lead_org_id"], "")))
        else:
            self.holder_label.setText(tr("No organisation holds this task: an organisation can claim it.", lang))
        self.claim_button.setEnabled(holder is None)
        self.release_button.setEnabled(holder is not None)
        self.request_button.setEnabled(holder is not None)
        self.requests.clear()
        for h in detail.open_requests:
            item = QListWidgetItem(tr("{to} asks {from_} to hand it over: {reason}", lang, to=h["to_org"],
                                      from_=h["from_org"], reason=h["reason"] or "—"))
            item.setData(Qt.ItemDataRole.UserRole, h["id"])
            self.requests.addItem(item)
        if detail.open_requests:
            self.requests.setCurrentRow(0)
        self.accept_button.setEnabled(bool(detail.open_requests))
        self.decline_button.setEnabled(bool(detail.open_requests))
        self.handovers.clear()
        for h in detail.handovers:
            parts = [local_time(h["at"]), handover_kind_label(h["kind"], lang)]
            if h["by"]:
                parts.append(tr("by {person}", lang, person=h["by"]))
            orgs_text = " → ".join(o for o in (h["from_org"], h["to_org"]) if o)
            if orgs_text:
                parts.append(orgs_text)
            state = handover_state_label(h["state"], lang)
            if state:
                parts.append(f"({state})")
            if h["reason"]:
                parts.append(tr("reason: {reason}", lang, reason=h["reason"]))
            self.handovers.addItem("  ".join(parts))
        self.history.clear()
        names = {o[0]: o[1] for o in orgs} | {p[0]: p[1] for p in detail.people}
        names |= {t[0]: t[1] for t in detail.case_tasks} | {b[1]: b[2] for b in detail.blocked_by}
        for at, actor, entity, action, field_name, old, new in detail.history:
            self.history.addTopLevelItem(QTreeWidgetItem([
                local_time(at), actor, change_label(entity, action, field_name, lang),
                value_text(entity, field_name, _decode(old), names, lang),
                value_text(entity, field_name, _decode(new), names, lang)]))
        for column in range(3):
            self.history.resizeColumnToContents(column)
        self.reloaded.emit()

    # -- writing -------------------------------------------------------------------------------
    def _change(self, op: Callable[[Workspace], Changes], after: Callable[[], None] | None = None,
                text: str = "", once: bool = False) -> None:
        """Run a change of this card: one undo step (Ctrl+Z), then show the card again.
        ``once``: ignored while an earlier ``once`` change is still running (a double Save)."""
        self.error.hide()

        def done(_changes: Changes) -> None:
            if after is not None:
                after()
            self.saved.emit()
            self.reload()

        def undone(_changes: Changes) -> None:
            if shiboken6.isValid(self):
                self.reload()

        title = self.detail.task["title"] if self.detail else ""
        text = text or tr("Edit card {title}", self.ctx.lang, title=title)

        def start(on_done: Callable[[Changes], None], on_error: Callable[[BaseException, str], None]) -> None:
            perform_undoable(self.ctx, text, op, on_done, on_error, undone)

        if once:
            self.writes.submit(start, done, self._fail)
        else:
            start(done, self._fail)

    def _fail(self, exc: BaseException, trace: str) -> None:
        if isinstance(exc, RecoveryDeskError):
            text = exc.message(self.ctx.lang)
            self.error.setText(text)
            self.error.show()
            self.failed.emit(text)
        else:
            self.ctx.error.emit(exc, trace)

    def field_values(self) -> dict[str, Any]:
        due = self.due.date()
        return {
            "title": self.title.text(),
            "description": self.description.toPlainText(),
            "need_category": self.need.currentData(),
            "priority": self.priority.currentData(),
            "lead_org_id": self.lead.currentData(),
            "assignee_id": self.assignee.currentData(),
            "due_date": date(due.year(), due.month(), due.day()) if self.has_due.isChecked() else None,
        }

    def save(self) -> None:
        if self.detail is None:
            return
        task_id, current = self.task_id, self.detail.task
        changed = {k: v for k, v in self.field_values().items() if current.get(k) != v}
        if changed:
            based_on = {k: current.get(k) for k in changed}  # what this editor showed
            self._change(lambda ws: tasks.update_task(ws, task_id, based_on=based_on, **changed),
                         text=tr("Edit card {title}", self.ctx.lang, title=self.detail.task["title"]), once=True)

    def _selected(self, widget: QListWidget) -> str | None:
        item = widget.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _add_supporter(self) -> None:
        org_id, task_id = self.supporter_choice.currentData(), self.task_id
        if org_id:
            self._change(lambda ws: tasks.add_supporter(ws, task_id, org_id))

    def _remove_supporter(self) -> None:
        sid = self._selected(self.supporters)
        if sid:
            self._change(lambda ws: tasks.remove_supporter(ws, sid))

    def _add_item(self) -> None:
        text, task_id = self.new_item.text(), self.task_id
        self._change(lambda ws: tasks.add_checklist_item(ws, task_id, text), self.new_item.clear)

    def _remove_item(self) -> None:
        iid = self._selected(self.checklist)
        if iid:
            self._change(lambda ws: tasks.remove_checklist_item(ws, iid))

    def _checklist_toggled(self, item: QListWidgetItem) -> None:
        iid = item.data(Qt.ItemDataRole.UserRole)
        done = item.checkState() == Qt.CheckState.Checked
        self._change(lambda ws: tasks.set_checklist_item(ws, iid, done=done))

    def _add_comment(self) -> None:
        body, task_id = self.new_comment.toPlainText(), self.task_id
        self._change(lambda ws: tasks.add_comment(ws, task_id, body), self.new_comment.clear)

    def _add_blocker(self) -> None:
        blocker, task_id = self.blocker_choice.currentData(), self.task_id
        if blocker:
            self._change(lambda ws: tasks.add_dependency(ws, task_id, blocker))

    def _remove_blocker(self) -> None:
        dep = self._selected(self.blockers)
        if dep:
            self._change(lambda ws: tasks.remove_dependency(ws, dep))

    def claim(self) -> None:
        org, task_id = self.org_choice.currentData(), self.task_id
        if org:
            self._change(lambda ws: board.claim_task(ws, task_id, org))

    def release(self) -> None:
        reason, task_id = self.reason.text(), self.task_id
        self._change(lambda ws: board.release_task(ws, task_id, reason), self.reason.clear)

    def request_handover(self) -> None:
        org, reason, task_id = self.org_choice.currentData(), self.reason.text(), self.task_id
        if org:
            self._change(lambda ws: board.request_handover(ws, task_id, org, reason), self.reason.clear)

    def accept_request(self) -> None:
        rid, reason = self._selected(self.requests), self.reason.text()
        if rid:
            self._change(lambda ws: board.accept_handover(ws, rid, reason), self.reason.clear)

    def decline_request(self) -> None:
        rid, reason = self._selected(self.requests), self.reason.text()
        if rid:
            self._change(lambda ws: board.decline_handover(ws, rid, reason), self.reason.clear)


class NewCardDialog(QDialog):
    created = Signal(str)  # the new task's id
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, case_ref: str = "",
                 case_id: str | None = None, status: str = "received", need: str | None = None,
                 lead_org_id: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.writes = WriteGate(ctx, self, ("ok_button",))  # a double OK creates one card
        self.case_id = case_id
        lang = ctx.lang
        self.setWindowTitle(tr("New card", lang))
        form = QFormLayout(self)
        self.case_ref = QLineEdit(case_ref)
        self.case_ref.setPlaceholderText(tr("Case reference, e.g. NANAO-0042", lang))
        self.case_ref.setEnabled(case_id is None)
        self.title = QLineEdit()
        self.status = QComboBox()
        for term in TASK_STATUS:
            if term.code != "done":
                self.status.addItem(term.label(lang), term.code)
        self.status.setCurrentIndex(max(self.status.findData(status), 0))
        self.need = QComboBox()
        self.need.addItem(tr("(none)", lang), None)
        for term in NEED_CATEGORY:
            self.need.addItem(term.label(lang), term.code)
        self.need.setCurrentIndex(max(self.need.findData(need), 0))
        self.lead = QComboBox()
        self.lead.addItem(tr("(none)", lang), None)
        self.lead_org_id = lead_org_id
        self.error = QLabel()
        self.error.setStyleSheet("color: #b71c1c;")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        if case_id is None:
            form.addRow(tr("Case", lang), self.case_ref)
        form.addRow(tr("Title", lang), self.title)
        form.addRow(tr("Column", lang), self.status)
        form.addRow(tr("Need", lang), self.need)
        form.addRow(tr("Lead organisation", lang), self.lead)
        form.addRow(self.error)
        form.addRow(buttons)
        ctx.read(lambda s: s.execute(select(Organisation.id, Organisation.name).where(
            Organisation.deleted_at.is_(None)).order_by(Organisation.name)).all(), self._set_organisations)

    def _set_organisations(self, rows: list[Any]) -> None:
        if not shiboken6.isValid(self):
            return
        for org_id, name in rows:
            self.lead.addItem(name, org_id)
        self.lead.setCurrentIndex(max(self.lead.findData(self.lead_org_id), 0))

    def create(self) -> None:
        from recovery_desk.services.cases import find_case

        ref, case_id = self.case_ref.text(), self.case_id
        title, status, need = self.title.text(), self.status.currentData(), self.need.currentData()
        lead = self.lead.currentData()

        def job(ws: Workspace) -> Changes:
            target = case_id or find_case(ws, ref).id
            return tasks.create_task(ws, target, title=title, status=status, need_category=need, lead_org_id=lead)

        def done(changes: Changes) -> None:
            if changes.primary_id:
                self.created.emit(changes.primary_id)
            self.accept()

        def failed(exc: BaseException, trace: str) -> None:
            if isinstance(exc, RecoveryDeskError):
                self.error.setText(exc.message(self.ctx.lang))
                self.error.show()
                self.failed.emit(self.error.text())
            else:
                self.ctx.error.emit(exc, trace)

        text = tr("New card", self.ctx.lang) + f" {title}"
        self.writes.submit(lambda on_done, on_error: perform_undoable(self.ctx, text, job, on_done, on_error),
                           done, failed)
