"""The case editor: household, location, stage, needs, organisations, consent,
conferences with decisions, and the case's timeline from the audit trail.

Every edit runs a service on the database worker and, once it succeeded, lands on the
undo stack with its inverse (entity_editing.perform). A refused input is shown at its
field and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.domain.vocabulary import (
    CLOSURE_REASON,
    CONSENT_SCOPE,
    DAMAGE_LEVEL,
    NEED_CATEGORY,
    NEED_STATE,
    PRIORITY,
    ROLE,
    SECTOR,
    STAGE,
    SUPPORT_CLASS,
    VULNERABILITY,
    Vocabulary,
)
from recovery_desk.i18n import tr
from recovery_desk.services import case_detail, cases, conferences
from recovery_desk.services import consent as consent_rules
from recovery_desk.services.case_detail import CaseDetail, Choices
from recovery_desk.services.changes import Changes
from recovery_desk.services.workspace import Workspace
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.formatting import format_date, format_datetime
from recovery_desk.ui.headers import fit_columns
from recovery_desk.ui.pages.case_tasks import CaseTasksTab, first_open_need, lead_of
from recovery_desk.ui.pages.entity_editing import FieldErrors, Step, WriteGate
from recovery_desk.ui.pages.suggestions import SuggestionsPanel, suggestions_for

FIELD_VOCABULARIES: dict[str, Vocabulary] = {
    "stage": STAGE, "priority": PRIORITY, "damage_level": DAMAGE_LEVEL, "support_class": SUPPORT_CLASS,
    "closure_reason": CLOSURE_REASON, "state": NEED_STATE, "category": NEED_CATEGORY, "role": ROLE,
    "scope": CONSENT_SCOPE,
}
HOUSEHOLD_FIELDS = ("contact_name", "contact_phone", "household_size", "vulnerable_members", "area_id",
                    "address", "damage_level", "support_class", "priority", "notes", "vulnerable_categories")
# Shown to a person of another organisation only as the household's consent allows (services/consent.py).
PERSONAL_FIELDS = ("contact_name", "contact_phone", "vulnerable_members", "address", "notes")


def vocab_combo(vocab: Vocabulary, lang: str, blank: bool = False, name: str = "") -> QComboBox:
    combo = QComboBox()
    if name:
        combo.setObjectName(name)
    if blank:
        combo.addItem("—", None)
    for term in vocab:
        combo.addItem(term.label(lang), term.code)
    return combo


def set_combo(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(index if index >= 0 else 0)


class ClosureDialog(QDialog):
    """Closing a case asks why (the closure reason is required)."""

    def __init__(self, lang: str, reference: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("closure_dialog")
        self.setWindowTitle(tr("Close case {reference}", lang, reference=reference))
        self.reason = vocab_combo(CLOSURE_REASON, lang, name="closure_reason")
        form = QFormLayout(self)
        form.addRow(QLabel(tr("Why is this case closed?", lang)))
        form.addRow(tr("Closure reason", lang), self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Close case", lang))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel", lang))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> str:
        return self.reason.currentData()


class CaseEditor(QWidget):
    """Edits one case; ``load(case_id)`` reads it on the worker."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.writes = WriteGate(ctx, self)  # one change at a time: a double Save saves once
        lang = self.lang = ctx.lang
        self.setObjectName("case_editor")
        self.case_id: str | None = None
        self.detail: CaseDetail | None = None
        self.choices: Choices | None = None
        self.closure_dialog_factory: Callable[[], ClosureDialog] = \
            lambda: ClosureDialog(lang, self.detail.case.reference if self.detail else "", self)

        self.title = QLabel(tr("Select a case in the list, or create one.", lang))
        self.title.setObjectName("case_title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)

        # stage row
        self.stage = vocab_combo(STAGE, lang, name="stage")
        self.stage_button = QPushButton(tr("Move to stage", lang))
        self.stage_button.setObjectName("move_stage")
        self.stage_button.clicked.connect(self.change_stage)
        stage_row = QHBoxLayout()
        stage_row.addWidget(QLabel(tr("Stage", lang)))
        stage_row.addWidget(self.stage, 1)
        stage_row.addWidget(self.stage_button)

        self.fallback = QLabel()
        self.errors = FieldErrors(lang, self.fallback)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("case_tabs")
        self.tabs.addTab(self._household_tab(), tr("Household", lang))
        self.tabs.addTab(self._needs_tab(), tr("Needs", lang))
        self.tabs.addTab(self._orgs_tab(), tr("Organisations", lang))
        self.tasks_tab = CaseTasksTab(ctx)
        self.tabs.addTab(self.tasks_tab, tr("Tasks", lang))
        self.tabs.addTab(self._consent_tab(), tr("Consent", lang))
        self.tabs.addTab(self._conferences_tab(), tr("Conferences", lang))
        self.tabs.addTab(self._timeline_tab(), tr("Timeline", lang))

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(stage_row)
        layout.addWidget(self.errors.wrap("stage", QWidget()))
        layout.addWidget(self.fallback)
        layout.addWidget(self.tabs, 1)
        set_combo(self.priority, "normal")
        self._set_enabled(False)
        ctx.changed.connect(self._on_changed)
        ctx.workspace_changed.connect(self.clear)

    # -- building ------------------------------------------------------------------------------
    def _line(self, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        return edit

    def _household_tab(self) -> QWidget:
        lang = self.lang
        w = QWidget()
        outer = QVBoxLayout(w)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        self.contact_name = self._line("contact_name")
        self.contact_phone = self._line("contact_phone")
        self.household_size = self._line("household_size")
        self.household_size.setPlaceholderText(tr("number of people", lang))
        self.vulnerable = QPlainTextEdit()
        self.vulnerable.setObjectName("vulnerable_members")
        self.vulnerable.setFixedHeight(54)
        self.vulnerable_codes: dict[str, QCheckBox] = {}
        codes_box = QWidget()
        codes_grid = QGridLayout(codes_box)
        codes_grid.setContentsMargins(0, 0, 0, 0)
        for i, term in enumerate(VULNERABILITY):
            box = QCheckBox(term.label(lang))
            box.setObjectName(f"vulnerable_{term.code}")
            self.vulnerable_codes[term.code] = box
            codes_grid.addWidget(box, i // 2, i % 2)
        self.pii_note = QLabel()
        self.pii_note.setObjectName("pii_note")
        self.pii_note.setWordWrap(True)
        self.pii_note.setStyleSheet("color: #6d4c41;")
        self.pii_note.hide()
        self._pii_hidden = False
        self.area = QComboBox()
        self.area.setObjectName("area_id")
        self.area.setEditable(True)
        self.area.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.area.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.area.completer().setCompletionMode(self.area.completer().CompletionMode.PopupCompletion)
        self.address = self._line("address")
        self.damage = vocab_combo(DAMAGE_LEVEL, lang, blank=True, name="damage_level")
        self.support = vocab_combo(SUPPORT_CLASS, lang, blank=True, name="support_class")
        self.priority = vocab_combo(PRIORITY, lang, name="priority")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setFixedHeight(70)
        e = self.errors
        form.addRow(self.pii_note)
        form.addRow(tr("Contact name", lang), e.wrap("contact_name", self.contact_name))
        form.addRow(tr("Phone", lang), e.wrap("contact_phone", self.contact_phone))
        form.addRow(tr("Household size", lang), e.wrap("household_size", self.household_size))
        form.addRow(tr("Vulnerable members", lang), e.wrap("vulnerable_members", self.vulnerable))
        form.addRow(tr("Needing special care", lang), e.wrap("vulnerable_categories", codes_box))
        form.addRow(tr("Area (municipality code)", lang), e.wrap("area_id", self.area))
        form.addRow(tr("Address", lang), e.wrap("address", self.address))
        form.addRow(tr("Damage level", lang), e.wrap("damage_level", self.damage))
        form.addRow(tr("Support class", lang), e.wrap("support_class", self.support))
        form.addRow(tr("Priority", lang), e.wrap("priority", self.priority))
        form.addRow(tr("Notes", lang), e.wrap("notes", self.notes))
        self.save_button = QPushButton(tr("Save", lang))
        self.save_button.setObjectName("save_case")
        save_shortcut = QShortcut(QKeySequence("Ctrl+S"), w, activated=self.save)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(tr("Revert", lang))
        self.revert_button.clicked.connect(lambda: self.detail and self._fill(self.detail))
        self.erase_button = QPushButton(tr("Erase personal data…", lang))
        self.erase_button.setObjectName("erase_personal_data")
        self.erase_button.setToolTip(tr("The household asked to be forgotten (coordinators only)", lang))
        self.erase_button.clicked.connect(self.ask_erase)
        self.erase_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.erase_button)
        row.addStretch(1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        form.addRow(row)
        for edit in (self.contact_name, self.contact_phone, self.household_size, self.address):
            edit.textChanged.connect(self._update_dirty)
        for text_edit in (self.vulnerable, self.notes):
            text_edit.textChanged.connect(self._update_dirty)
        for combo in (self.area, self.damage, self.support, self.priority):
            combo.currentIndexChanged.connect(self._update_dirty)
        for box in self.vulnerable_codes.values():
            box.toggled.connect(self._update_dirty)
        self._update_dirty()
        return w

    def _update_dirty(self, *_args: Any) -> None:
        """Save and Revert only when a household field differs from what is saved."""
        dirty = bool(self.detail is not None and self._changed_fields())
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    def _tree(self, name: str, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setObjectName(name)
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.header().setStretchLastSection(True)
        fit_columns(tree)  # the titles alone while empty; again after each fill
        return tree

    def _needs_tab(self) -> QWidget:
        lang = self.lang
        w = QWidget()
        layout = QVBoxLayout(w)
        self.needs = self._tree("needs", [tr("Need", lang), tr("State", lang), tr("Note", lang)])
        self.needs.currentItemChanged.connect(self._need_picked)
        self.need_category = vocab_combo(NEED_CATEGORY, lang, name="need_category")
        self.need_state = vocab_combo(NEED_STATE, lang, name="need_state")
        self.need_note = self._line("need_note")
        self.need_note.setPlaceholderText(tr("note", lang))
        set_button = QPushButton(tr("Add or update need", lang))
        set_button.setObjectName("set_need")
        set_button.clicked.connect(self.set_need)
        remove = QPushButton(tr("Remove need", lang))
        remove.setObjectName("remove_need")
        remove.clicked.connect(self.remove_need)
        row = QHBoxLayout()
        row.addWidget(self.need_category)
        row.addWidget(self.need_state)
        row.addWidget(self.need_note, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(remove)
        buttons.addWidget(set_button)
        layout.addWidget(self.needs, 1)
        layout.addLayout(row)
        layout.addLayout(buttons)
        self.need_suggestions = SuggestionsPanel(self.ctx, w, "need_suggestions")
        layout.addWidget(self.need_suggestions, 1)
        return w

    def _orgs_tab(self) -> QWidget:
        lang = self.lang
        w = QWidget()
        layout = QVBoxLayout(w)
        self.orgs = self._tree("participations", [tr("Organisation", lang), tr("Sector", lang), tr("Role", lang)])
        self.org_pick = QComboBox()
        self.org_pick.setObjectName("organisation_pick")
        self.org_pick.setEditable(True)
        self.org_pick.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.org_pick.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.org_pick.completer().setCompletionMode(self.org_pick.completer().CompletionMode.PopupCompletion)
        self.org_role = vocab_combo(ROLE, lang, name="role")
        add = QPushButton(tr("Add organisation", lang))
        add.setObjectName("add_participation")
        add.clicked.connect(self.add_participation)
        set_role = QPushButton(tr("Set role", lang))
        set_role.clicked.connect(self.set_role)
        remove = QPushButton(tr("Remove", lang))
        remove.setObjectName("remove_participation")
        remove.clicked.connect(self.remove_participation)
        row = QHBoxLayout()
        row.addWidget(self.org_pick, 1)
        row.addWidget(self.org_role)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(remove)
        buttons.addWidget(set_role)
        buttons.addWidget(add)
        layout.addWidget(self.orgs, 1)
        layout.addLayout(row)
        layout.addLayout(buttons)
        self.org_suggestions = SuggestionsPanel(self.ctx, w, "org_suggestions")
        layout.addWidget(self.org_suggestions, 1)
        return w

    def _consent_tab(self) -> QWidget:
        lang = self.lang
        w = QWidget()
        outer = QVBoxLayout(w)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        self.consent_given = QCheckBox(tr("The household agrees to share its data", lang))
        self.consent_given.setObjectName("consent_given")
        self.consent_scope = vocab_combo(CONSENT_SCOPE, lang, name="consent_scope")
        self.consent_on = self._line("given_on")
        self.consent_on.setPlaceholderText("YYYY-MM-DD")
        self.consent_until = self._line("expires_on")
        self.consent_until.setPlaceholderText("YYYY-MM-DD")
        self.consent_by = QLabel()
        e = self.errors
        form.addRow(self.consent_given)
        form.addRow(tr("Scope", lang), e.wrap("scope", self.consent_scope))
        form.addRow(tr("Given on", lang), e.wrap("given_on", self.consent_on))
        form.addRow(tr("Expires on", lang), e.wrap("expires_on", self.consent_until))
        form.addRow(tr("Recorded by", lang), self.consent_by)
        self.consent_meaning = QLabel()
        self.consent_meaning.setObjectName("consent_meaning")
        self.consent_meaning.setWordWrap(True)
        self.consent_meaning.setStyleSheet("QLabel { background: #eef3f8; padding: 6px; border-radius: 3px; }")
        form.addRow(tr("What this allows", lang), self.consent_meaning)
        save = QPushButton(tr("Save consent", lang))
        save.setObjectName("save_consent")
        save.clicked.connect(self.save_consent)
        form.addRow(save)
        # What the form says, as it is being filled: a scope without the household's agreement
        # means nothing (the scope and dates wait for the tick), and the meaning follows.
        self.consent_given.toggled.connect(self._consent_edited)
        self.consent_scope.currentIndexChanged.connect(self._consent_edited)
        self.consent_until.textChanged.connect(self._consent_edited)
        return w

    def _consent_edited(self, *_args: object) -> None:
        given = self.consent_given.isChecked()
        for field in (self.consent_scope, self.consent_on, self.consent_until):
            field.setEnabled(given)
        try:
            until = date.fromisoformat(self.consent_until.text().strip()) if self.consent_until.text().strip() else None
        except ValueError:
            until = None  # not a date yet: Save says so
        shown = SimpleNamespace(given=given, scope=self.consent_scope.currentData(), expires_on=until)
        self.consent_meaning.setText(consent_rules.describe(shown, self.lang))

    def _conferences_tab(self) -> QWidget:
        lang = self.lang
        w = QWidget()
        layout = QVBoxLayout(w)
        self.conferences = QTreeWidget()
        self.conferences.setObjectName("conferences")
        self.conferences.setHeaderLabels([tr("Conference / decision", lang), tr("Task", lang)])
        self.conferences.header().setStretchLastSection(False)
        self.conferences.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.conferences.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.conferences, 1)
        e = self.errors
        form = QFormLayout()
        self.conf_date = self._line("held_on")
        self.conf_date.setPlaceholderText("YYYY-MM-DD")
        self.conf_title = self._line("title")
        add_conf = QPushButton(tr("Add conference", lang))
        add_conf.setObjectName("add_conference")
        add_conf.clicked.connect(self.add_conference)
        form.addRow(tr("Held on", lang), e.wrap("held_on", self.conf_date))
        form.addRow(tr("Title", lang), e.wrap("title", self.conf_title))
        form.addRow(add_conf)
        self.decision_text = self._line("decision_text")
        self.decision_task = QCheckBox(tr("Create a task from this decision", lang))
        self.decision_task.setObjectName("decision_task")
        self.task_org = QComboBox()
        self.task_org.setObjectName("task_org")
        self.task_due = self._line("due_date")
        self.task_due.setPlaceholderText("YYYY-MM-DD")
        add_decision = QPushButton(tr("Add decision to the selected conference", lang))
        add_decision.setObjectName("add_decision")
        add_decision.clicked.connect(self.add_decision)
        form.addRow(tr("Decision", lang), e.wrap("text", self.decision_text))
        form.addRow(self.decision_task)
        form.addRow(tr("Lead organisation", lang), e.wrap("lead_org_id", self.task_org))
        form.addRow(tr("Due date", lang), e.wrap("due_date", self.task_due))
        form.addRow(add_decision)
        layout.addLayout(form)
        return w

    def _timeline_tab(self) -> QWidget:
        lang = self.lang
        self.timeline = self._tree("timeline", [tr("When", lang), tr("Who", lang), tr("What", lang),
                                                tr("Change", lang)])
        header = self.timeline.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.setColumnWidth(1, 120)
        return self.timeline

    # -- loading -------------------------------------------------------------------------------
    def clear(self) -> None:
        self.case_id = None
        self.detail = None
        self.choices = None
        self.title.setText(tr("Select a case in the list, or create one.", self.lang))
        self.subtitle.clear()
        set_combo(self.priority, "normal")  # an empty editor never shows "urgent"
        self.tasks_tab.show_case(None, "", None, None)
        self._set_enabled(False)
        for panel in (self.need_suggestions, self.org_suggestions):
            panel.show_for(None)

    def _set_enabled(self, enabled: bool) -> None:
        self.tabs.setEnabled(enabled)
        self.stage.setEnabled(enabled)
        self.stage_button.setEnabled(enabled)

    def focus_first(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.contact_name.setFocus()

    def load(self, case_id: str) -> None:
        self.case_id = case_id
        need_choices = self.choices is None

        def query(session: Any) -> tuple[CaseDetail, Choices | None]:
            return case_detail.load_case(session, case_id), (case_detail.load_choices(session) if need_choices
                                                             else None)

        def done(result: tuple[CaseDetail, Choices | None]) -> None:
            if not shiboken6.isValid(self):  # the window closed while the query ran
                return
            detail, choices = result
            if choices is not None:
                self._set_choices(choices)
            if detail.case.id == self.case_id:
                self._fill(detail)

        self.ctx.read(query, done)
        suggestions_for(self.ctx, case_id, self.need_suggestions, self.org_suggestions)

    def _set_choices(self, choices: Choices) -> None:
        self.choices = choices
        self.area.clear()
        self.area.addItem("—", None)
        for area_id, label in choices.areas:
            self.area.addItem(label, area_id)
        for combo in (self.org_pick, self.task_org):
            combo.clear()
        self.task_org.addItem("—", None)
        for org_id, name, sector in choices.organisations:
            self.org_pick.addItem(f"{name} — {SECTOR.label(sector, self.lang)}", org_id)
            self.task_org.addItem(name, org_id)

    def _fill(self, detail: CaseDetail) -> None:
        lang = self.lang
        self.detail = detail
        self.errors.clear()
        self._set_enabled(True)
        c = detail.case
        from recovery_desk.ui.pages.conflicts_page import mark_conflicts

        mark_conflicts(self.ctx, self.errors.fields, "case", c.id)  # fields another laptop changed too
        self.title.setText(tr("Case {reference}", lang, reference=c.reference))
        sub = [STAGE.label(c.stage, lang)]
        if c.stage == "closed" and c.closure_reason:
            sub.append(tr("closed {day}: {reason}", lang, day=format_date(c.closed_on, lang),
                          reason=CLOSURE_REASON.label(c.closure_reason, lang)))
        sub.append(tr("opened {day}", lang, day=format_date(c.opened_on, lang)))
        if detail.area is not None:
            sub.append(detail.area.display_name())
        self.subtitle.setText(" · ".join(sub))
        set_combo(self.stage, c.stage)
        participating = {org.id for _p, org in detail.participations}
        visible = consent_rules.may_see_personal_data(detail.consent, self.ctx.me, participating)
        self._pii_hidden = not visible
        self.pii_note.setVisible(not visible)
        self.pii_note.setText(tr("The household's consent does not let its personal data be shown to your "
                                 "organisation: name, phone, address and notes are hidden.", lang))
        for widget in (self.contact_name, self.contact_phone, self.address, self.vulnerable, self.notes):
            widget.setEnabled(visible)
        self.contact_name.setText(c.contact_name if visible else "")
        self.contact_phone.setText(c.contact_phone if visible else "")
        self.household_size.setText("" if c.household_size is None else str(c.household_size))
        self.vulnerable.setPlainText(c.vulnerable_members if visible else "")
        codes = set((c.vulnerable_categories or "").split())
        for code, box in self.vulnerable_codes.items():
            box.blockSignals(True)
            box.setChecked(code in codes)
            box.blockSignals(False)
        set_combo(self.area, c.area_id)
        self.address.setText(c.address if visible else "")
        set_combo(self.damage, c.damage_level)
        set_combo(self.support, c.support_class)
        set_combo(self.priority, c.priority)
        self.notes.setPlainText(c.notes if visible else "")
        me = self.ctx.me
        self.erase_button.setVisible(me is not None and me.coordinator)
        self.tasks_tab.show_case(c.id, c.reference, first_open_need(detail.needs), lead_of(detail.participations))
        self._update_dirty()

        self.needs.clear()
        for need in detail.needs:
            item = QTreeWidgetItem([NEED_CATEGORY.label(need.category, lang), NEED_STATE.label(need.state, lang),
                                    need.note])
            item.setData(0, Qt.ItemDataRole.UserRole, need.id)
            self.needs.addTopLevelItem(item)

        self.orgs.clear()
        for part, org in detail.participations:
            item = QTreeWidgetItem([org.name, SECTOR.label(org.sector, lang), ROLE.label(part.role, lang)])
            item.setData(0, Qt.ItemDataRole.UserRole, part.id)
            self.orgs.addTopLevelItem(item)
        fit_columns(self.needs)
        fit_columns(self.orgs)

        consent = detail.consent
        self.consent_given.setChecked(bool(consent and consent.given))
        set_combo(self.consent_scope, consent.scope if consent else "coordination")
        self.consent_on.setText(consent.given_on.isoformat() if consent and consent.given_on else "")
        self.consent_until.setText(consent.expires_on.isoformat() if consent and consent.expires_on else "")
        self.consent_by.setText(consent.recorded_by if consent else "")
        self.consent_meaning.setText(consent_rules.describe(consent, lang))
        self._consent_edited()

        selected = self._selected_conference()
        self.conferences.clear()
        for conf, decisions in detail.conferences:
            title = f"{format_date(conf.held_on, lang)}  {conf.title}".strip()
            top = QTreeWidgetItem([title, ""])
            top.setData(0, Qt.ItemDataRole.UserRole, conf.id)
            for decision, task in decisions:
                child = QTreeWidgetItem([decision.text, task.title if task else ""])
                child.setToolTip(0, decision.text)
                child.setData(0, Qt.ItemDataRole.UserRole, conf.id)
                top.addChild(child)
            self.conferences.addTopLevelItem(top)
            top.setExpanded(True)
            if conf.id == selected:
                self.conferences.setCurrentItem(top)
        if self.conferences.currentItem() is None and self.conferences.topLevelItemCount():
            self.conferences.setCurrentItem(self.conferences.topLevelItem(self.conferences.topLevelItemCount() - 1))

        self.timeline.clear()
        for act in detail.timeline:
            what = tr("{action} {entity}", lang, action=self._action_label(act.action),
                      entity=self._entity_label(act.entity))
            change = ""
            if act.field:
                change = (f"{self._field_label(act.field)}: {self._value_label(act.field, act.old_value)} → "
                          f"{self._value_label(act.field, act.new_value)}")
            item = QTreeWidgetItem([format_datetime(act.at, lang), act.actor, what, change])
            item.setToolTip(1, act.actor)
            item.setToolTip(3, change)
            self.timeline.addTopLevelItem(item)

    def _action_label(self, action: str) -> str:
        return {"create": tr("created", self.lang), "update": tr("changed", self.lang),
                "delete": tr("deleted", self.lang)}.get(action, action)

    def _entity_label(self, entity: str) -> str:
        names = {"case": tr("case", self.lang), "need": tr("need", self.lang),
                 "participation": tr("organisation on the case", self.lang), "consent": tr("consent", self.lang),
                 "task": tr("task", self.lang), "conference": tr("conference", self.lang),
                 "decision": tr("decision", self.lang), "conference_attendee": tr("attendee", self.lang),
                 "checklist_item": tr("checklist item", self.lang), "comment": tr("comment", self.lang),
                 "task_supporter": tr("supporting organisation", self.lang),
                 "task_dependency": tr("task dependency", self.lang)}
        return names.get(entity, entity)

    def _field_label(self, field: str) -> str:
        if self.lang == "ja":
            from recovery_desk.i18n.ja import FIELD_NAMES

            return FIELD_NAMES.get(field, field)
        return field.replace("_", " ")

    def _value_label(self, field: str, value: str | None) -> str:
        vocab = FIELD_VOCABULARIES.get(field)
        text = self._short(value)
        if vocab is not None and value not in (None, "null"):
            return vocab.label(text, self.lang)
        return text

    @staticmethod
    def _short(value: str | None) -> str:
        if value is None or value == "null":
            return "—"
        text = value.strip('"')
        return text if len(text) <= 40 else text[:39] + "…"

    def _selected_conference(self) -> str | None:
        item = self.conferences.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches("organisation", "area"):
            self.choices = None
        if self.case_id and (self.case_id in changes.case_ids or self.case_id in changes.ids("case")
                             or changes.touches("organisation", "area")):
            if self.case_id in changes.deleted.get("case", set()):
                self.clear()
            else:
                self.load(self.case_id)

    # -- edits ---------------------------------------------------------------------------------
    def _failed(self, exc: BaseException, trace: str) -> None:
        if not self.errors.show(exc):
            self.ctx.error.emit(exc, trace)

    def _do(self, text: str, job: Callable[[Workspace], Step], on_done: Callable[[Changes], None] | None = None
            ) -> None:
        self.errors.clear()
        self.writes.perform(text, job, on_done, self._failed)

    def form_values(self) -> dict[str, Any]:
        return {
            "contact_name": self.contact_name.text(),
            "contact_phone": self.contact_phone.text(),
            "household_size": self.household_size.text().strip() or None,
            "vulnerable_members": self.vulnerable.toPlainText(),
            "area_id": self.area.currentData() if self.area.currentIndex() >= 0 else None,
            "address": self.address.text(),
            "damage_level": self.damage.currentData(),
            "support_class": self.support.currentData(),
            "priority": self.priority.currentData(),
            "notes": self.notes.toPlainText(),
            "vulnerable_categories": " ".join(c for c, box in self.vulnerable_codes.items() if box.isChecked()),
        }

    def _changed_fields(self) -> dict[str, Any]:
        """The household fields whose value differs from the saved case (hidden ones never)."""
        if self.detail is None:
            return {}
        case = self.detail.case
        values = self.form_values()
        if self._pii_hidden:
            for name in PERSONAL_FIELDS:
                values.pop(name, None)
        return {k: v for k, v in values.items() if str(getattr(case, k) or "") != str(v or "")}

    def save(self) -> None:
        """Save the household/location fields as one undoable change (only what differs)."""
        if self.detail is None:
            return
        case = self.detail.case
        changed = self._changed_fields()
        if not changed:
            return
        case_id = case.id
        # What this editor showed: a field someone else saved meanwhile is not overwritten.
        based_on = {k: getattr(case, k) for k in changed}

        def job(ws: Workspace) -> Step:
            with ws.session() as s:
                old = case_detail.case_values(s, case_id, list(changed))
            changes = cases.update_case(ws, case_id, based_on=based_on, **changed)
            return Step(changes, undo=lambda w: cases.update_case(w, case_id, **old),
                        redo=lambda w: cases.update_case(w, case_id, **changed))

        self._do(tr("Edit case {reference}", self.lang, reference=case.reference), job)

    def change_stage(self) -> None:
        if self.detail is None:
            return
        stage = self.stage.currentData()
        case = self.detail.case
        if stage == case.stage:
            return
        reason = None
        if stage == "closed":
            dialog = self.closure_dialog_factory()
            if dialog.exec() != QDialog.DialogCode.Accepted:
                set_combo(self.stage, case.stage)
                return
            reason = dialog.value()
        self.set_stage(stage, reason)

    def set_stage(self, stage: str, reason: str | None = None) -> None:
        assert self.detail is not None
        case_id = self.detail.case.id

        def job(ws: Workspace) -> Step:
            with ws.session() as s:
                old_stage, old_reason, old_closed = case_detail.stage_state(s, case_id)
            changes = cases.set_stage(ws, case_id, stage, reason)
            return Step(changes,
                        undo=lambda w: cases.set_stage(w, case_id, old_stage, old_reason, old_closed),
                        redo=lambda w: cases.set_stage(w, case_id, stage, reason))

        self._do(tr("Move case {reference} to {stage}", self.lang, reference=self.detail.case.reference,
                    stage=STAGE.label(stage, self.lang)), job)

    def create_case(self, on_done: Callable[[Changes], None] | None = None) -> None:
        def job(ws: Workspace) -> Step:
            changes = cases.create_case(ws)
            new_id = changes.primary_id
            assert new_id is not None
            return Step(changes, undo=lambda w: cases.delete_case(w, new_id),
                        redo=lambda w: _restore_case(w, new_id))

        def done(changes: Changes) -> None:
            if changes.primary_id:
                self.load(changes.primary_id)
                self.focus_first()
            if on_done is not None:
                on_done(changes)

        self._do(tr("New case", self.lang), job, done)

    def _need_picked(self, item: QTreeWidgetItem | None, _previous: Any) -> None:
        if item is None or self.detail is None:
            return
        need_id = item.data(0, Qt.ItemDataRole.UserRole)
        need = next((n for n in self.detail.needs if n.id == need_id), None)
        if need is not None:
            set_combo(self.need_category, need.category)
            set_combo(self.need_state, need.state)
            self.need_note.setText(need.note)
            self.need_suggestions.show_for(self.case_id, need.category)

    def set_need(self) -> None:
        if self.detail is None:
            return
        case_id = self.detail.case.id
        category, state, note = self.need_category.currentData(), self.need_state.currentData(), self.need_note.text()
        before = next(((n.state, n.note) for n in self.detail.needs if n.category == category), None)

        def job(ws: Workspace) -> Step:
            changes = cases.set_need(ws, case_id, category, state, note)
            need_id = changes.primary_id
            if before is None:
                undo = lambda w: cases.remove_need(w, need_id)  # noqa: E731
            else:
                undo = lambda w: cases.set_need(w, case_id, category, *before)  # noqa: E731
            return Step(changes, undo=undo, redo=lambda w: cases.set_need(w, case_id, category, state, note))

        self._do(tr("Set need {need}", self.lang, need=NEED_CATEGORY.label(category, self.lang)), job)

    def remove_need(self) -> None:
        item = self.needs.currentItem()
        if item is None or self.detail is None:
            return
        need_id = item.data(0, Qt.ItemDataRole.UserRole)
        need = next(n for n in self.detail.needs if n.id == need_id)
        case_id, category, state, note = need.case_id, need.category, need.state, need.note

        def job(ws: Workspace) -> Step:
            changes = cases.remove_need(ws, need_id)
            return Step(changes, undo=lambda w: cases.set_need(w, case_id, category, state, note),
                        redo=lambda w: _remove_live_need(w, case_id, category))

        self._do(tr("Remove need {need}", self.lang, need=NEED_CATEGORY.label(category, self.lang)), job)

    def add_participation(self) -> None:
        if self.detail is None or self.org_pick.currentIndex() < 0:
            return
        case_id, org_id, role = self.detail.case.id, self.org_pick.currentData(), self.org_role.currentData()
        if not org_id:
            return

        def job(ws: Workspace) -> Step:
            changes = cases.add_participation(ws, case_id, org_id, role)
            if changes.created.get("participation"):
                part_id = changes.primary_id
                return Step(changes, undo=lambda w: cases.remove_participation(w, part_id),
                            redo=lambda w: cases.add_participation(w, case_id, org_id, role))
            return Step(changes, undo=lambda w: Changes(), redo=lambda w: Changes())

        self._do(tr("Add organisation to case", self.lang), job)

    def _selected_participation(self) -> tuple[str, Any] | None:
        item = self.orgs.currentItem()
        if item is None or self.detail is None:
            return None
        part_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next(((p.id, p) for p, _o in self.detail.participations if p.id == part_id), None)

    def set_role(self) -> None:
        picked = self._selected_participation()
        if picked is None:
            return
        part_id, part = picked
        old, new = part.role, self.org_role.currentData()

        def job(ws: Workspace) -> Step:
            changes = cases.set_participation_role(ws, part_id, new)
            return Step(changes, undo=lambda w: cases.set_participation_role(w, part_id, old),
                        redo=lambda w: cases.set_participation_role(w, part_id, new))

        self._do(tr("Change role", self.lang), job)

    def remove_participation(self) -> None:
        picked = self._selected_participation()
        if picked is None:
            return
        part_id, part = picked
        case_id, org_id, role = part.case_id, part.organisation_id, part.role

        def job(ws: Workspace) -> Step:
            changes = cases.remove_participation(ws, part_id)
            return Step(changes, undo=lambda w: cases.add_participation(w, case_id, org_id, role),
                        redo=lambda w: _remove_live_participation(w, case_id, org_id))

        self._do(tr("Remove organisation from case", self.lang), job)

    # -- erasure -------------------------------------------------------------------------------
    def ask_erase(self) -> None:
        """Coordinators only: name what will go, then erase (services/erasure.py)."""
        from PySide6.QtWidgets import QMessageBox

        from recovery_desk.services.erasure import plan_erasure

        if self.detail is None:
            return
        reference = self.detail.case.reference

        def confirm(plan: Any) -> None:
            box = QMessageBox(QMessageBox.Icon.Warning, tr("Erase personal data", self.lang),
                              tr("Erase for good the personal data of {reference}: {fields}? The same values go "
                                 "from comments, notes and the audit trail; the case stays, anonymous. Backups "
                                 "made before keep them. This cannot be undone.", self.lang,
                                 reference=reference, fields=plan.describe(self.lang)),
                              QMessageBox.StandardButton.Cancel, self)
            erase = box.addButton(tr("Erase", self.lang), QMessageBox.ButtonRole.DestructiveRole)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.setObjectName("erase_confirmation")
            box.buttonClicked.connect(lambda button: self.erase() if button is erase else None)
            self.erase_box = box
            box.open()

        self.ctx.run(lambda ws, _p: plan_erasure(ws, reference), confirm, self._failed)

    def erase(self) -> None:
        from recovery_desk.services.erasure import erase_case
        from recovery_desk.services.identity import require_coordinator

        if self.detail is None:
            return
        reference, case_id = self.detail.case.reference, self.detail.case.id

        def job(ws: Workspace, _progress: Any) -> Changes:
            require_coordinator(ws)
            erase_case(ws, reference)
            changes = Changes(operation="erase_case")
            changes.updated["case"].add(case_id)
            changes.case_ids.add(case_id)
            return changes

        def done(changes: Changes) -> None:
            self.ctx.undo_stack.clear()  # older steps may name values that are gone
            self.ctx.changed.emit(changes)

        self.ctx.run(job, done, self._failed)

    def save_consent(self) -> None:
        if self.detail is None:
            return
        case_id = self.detail.case.id
        new = dict(given=self.consent_given.isChecked(), scope=self.consent_scope.currentData(),
                   given_on=self.consent_on.text().strip() or None,
                   expires_on=self.consent_until.text().strip() or None)
        c = self.detail.consent
        old = (dict(given=c.given, scope=c.scope, given_on=c.given_on, expires_on=c.expires_on) if c is not None
               else dict(given=False, scope="none"))

        def job(ws: Workspace) -> Step:
            changes = cases.set_consent(ws, case_id, **new)
            return Step(changes, undo=lambda w: cases.set_consent(w, case_id, **old),
                        redo=lambda w: cases.set_consent(w, case_id, **new))

        self._do(tr("Record consent", self.lang), job)

    def add_conference(self) -> None:
        if self.detail is None:
            return
        case_id = self.detail.case.id
        held = self.conf_date.text().strip() or date.today().isoformat()
        title = self.conf_title.text()
        org_ids = [p.organisation_id for p, _o in self.detail.participations]

        def job(ws: Workspace) -> Step:
            changes = conferences.create_conference(ws, case_id, held_on=held, title=title,
                                                    organisation_ids=org_ids)
            created = {k: set(v) for k, v in changes.created.items()}
            return Step(changes, undo=lambda w: case_detail.discard_created(w, created, "undo_create_conference"),
                        redo=lambda w: _restore_rows(w, created))

        def done(_changes: Changes) -> None:
            self.conf_title.clear()

        self._do(tr("Add conference", self.lang), job, done)

    def add_decision(self) -> None:
        conf_id = self._selected_conference()
        if self.detail is None:
            return
        if conf_id is None:
            self.errors.show(RecoveryDeskError("add a conference first, then select it"))
            return
        text = self.decision_text.text()
        task = None
        if self.decision_task.isChecked():
            task = {"title": text.strip()[:300], "lead_org_id": self.task_org.currentData(),
                    "due_date": self.task_due.text().strip() or None}

        def job(ws: Workspace) -> Step:
            changes = conferences.add_decision(ws, conf_id, text, task=task)
            created = {k: set(v) for k, v in changes.created.items()}
            return Step(changes, undo=lambda w: case_detail.discard_created(w, created, "undo_add_decision"),
                        redo=lambda w: _restore_rows(w, created))

        def done(_changes: Changes) -> None:
            self.decision_text.clear()
            self.task_due.clear()

        self._do(tr("Add decision", self.lang), job, done)


def _restore_case(ws: Workspace, case_id: str) -> Changes:
    return case_detail.restore_created(ws, {"case": {case_id}})


_restore_rows = case_detail.restore_created
_remove_live_need = case_detail.remove_live_need
_remove_live_participation = case_detail.remove_live_participation
