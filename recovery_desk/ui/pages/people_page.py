"""The People page: contacts and volunteers, and the organisations they belong to.

People who cross organisational borders are what the seed paper calls relational
capital: the list shows how many organisations each person belongs to, and can be
narrowed to those who belong to several. The editor holds name, kana, phone, e-mail,
skills (separated by commas or 、), notes and the memberships (organisation and title;
add, remove, retitle). Every edit is an undoable service call (entity_editing.py).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.errors import ValidationError
from recovery_desk.i18n import tr
from recovery_desk.services import people_queries
from recovery_desk.services.changes import Changes
from recovery_desk.services.people import (
    add_membership,
    clean_person_fields,
    create_person,
    delete_person,
    remove_membership,
    update_person,
)
from recovery_desk.services.people_queries import MembershipRow, OrgChoice, PersonDetail, PersonRow
from recovery_desk.services.restore import restore
from recovery_desk.services.validation import check_text
from recovery_desk.services.workspace import Workspace
from recovery_desk.ui import options
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.formatting import format_number
from recovery_desk.ui.pages.entity_editing import (
    Column,
    FieldErrors,
    RowsModel,
    Step,
    add_editor_buttons,
    filter_proxy,
    fit_header,
    list_beside_editor,
    make_table,
)
from recovery_desk.ui.pages.record_editing import RecordEditor, RecordListPage

WATCHED = ("person", "membership", "organisation")
TEXT_FIELDS = ("name", "kana", "phone", "email")


def skills_text(skills: list[str] | tuple[str, ...], lang: str) -> str:
    return ("、" if lang == "ja" else ", ").join(skills)


def parse_skills(text: str) -> list[str]:
    return [s for s in (p.strip() for p in text.replace("、", ",").replace("，", ",").split(",")) if s]


class MembershipModel(RowsModel):
    """Memberships of the person being edited; the title column is editable."""

    TITLE = 1

    def __init__(self, lang: str, on_title: Any, parent: QWidget | None = None):
        super().__init__([
            Column(tr("Organisation", lang), lambda r: r.organisation),
            Column(tr("Job title", lang), lambda r: r.title),
        ], id_of=lambda r: r.id or r.organisation_id, parent=parent)
        self.on_title = on_title

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.TITLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid() and index.column() == self.TITLE \
                and 0 <= index.row() < len(self.rows):
            return self.rows[index.row()].title
        return super().data(index, role)

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != self.TITLE:
            return False
        old: MembershipRow = self.rows[index.row()]
        title = str(value).strip()
        if title == old.title:
            return False
        self.rows[index.row()] = MembershipRow(old.id, old.organisation_id, old.organisation, title)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.on_title(old, title)
        return True


class PeopleProxy(QSortFilterProxyModel):
    """Text filter, and optionally only people in at least ``min_orgs`` organisations."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.min_orgs = 0

    def set_min_orgs(self, n: int) -> None:
        self.beginFilterChange()
        self.min_orgs = n
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if self.min_orgs and isinstance(model, RowsModel):
            if model.rows[source_row].organisation_count < self.min_orgs:
                return False
        return super().filterAcceptsRow(source_row, source_parent)


class PersonEditor(RecordEditor):
    detail_loaded = Signal(str)
    saved = Signal(str)
    deleted = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lang = self.lang
        self.person_id: str | None = None
        self.detail: PersonDetail | None = None
        self.pending: list[MembershipRow] = []  # memberships of a person not saved yet
        outer = self.build_heading()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name = QLineEdit()
        self.kana = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.skills = QLineEdit()
        self.skills.setPlaceholderText(tr("separate with commas or 、", lang))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(60)
        self.notes.setMaximumHeight(120)
        form.addRow(tr("Full name", lang), self.errors.wrap("name", self.name))
        form.addRow(tr("Kana", lang), self.errors.wrap("kana", self.kana))
        form.addRow(tr("Phone", lang), self.errors.wrap("phone", self.phone))
        form.addRow(tr("Email", lang), self.errors.wrap("email", self.email))
        form.addRow(tr("Skills", lang), self.errors.wrap("skills", self.skills))
        form.addRow(tr("Notes", lang), self.errors.wrap("notes", self.notes))
        outer.addLayout(form)
        for edit in (self.name, self.kana, self.phone, self.email, self.skills):
            edit.textEdited.connect(self._edited)
            edit.returnPressed.connect(self.save)
        self.notes.textChanged.connect(self._edited)

        # -- memberships -------------------------------------------------------------------
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        members = QVBoxLayout(box)
        self.memberships_label = QLabel(tr("Member of", lang))
        bold = self.memberships_label.font()
        bold.setBold(True)
        self.memberships_label.setFont(bold)
        members.addWidget(self.memberships_label)
        self.memberships_model = MembershipModel(lang, self._title_edited, self)
        self.memberships_view = make_table(self.memberships_model)
        self.memberships_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                              | QAbstractItemView.EditTrigger.EditKeyPressed
                                              | QAbstractItemView.EditTrigger.SelectedClicked)
        self.memberships_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.memberships_view.setColumnWidth(1, 140)
        self.memberships_view.setMinimumHeight(110)
        members.addWidget(self.memberships_view, 1)
        row = QHBoxLayout()
        self.org_combo = QComboBox()
        self.org_combo.setEditable(True)
        self.org_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.org_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.org_combo.setMinimumContentsLength(12)
        self.org_combo.setAccessibleName(tr("Organisation", lang))
        completer = QCompleter(self.org_combo.model(), self.org_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.org_combo.setCompleter(completer)
        self.org_combo.lineEdit().setPlaceholderText(tr("Organisation", lang))
        self.title = QLineEdit()
        self.title.setPlaceholderText(tr("Job title (optional)", lang))
        self.title.setAccessibleName(tr("Job title", lang))
        row.addWidget(self.org_combo, 3)
        row.addWidget(self.title, 2)
        members.addLayout(row)
        row = QHBoxLayout()
        row.addStretch(1)
        self.add_membership_button = QPushButton(tr("Add membership", lang))
        self.remove_membership_button = QPushButton(tr("Remove membership", lang))
        row.addWidget(self.add_membership_button)
        row.addWidget(self.remove_membership_button)
        members.addLayout(row)
        self.membership_error = QLabel()
        self.membership_errors = FieldErrors(lang, self.membership_error)
        self.membership_errors.fields["organisation_id"] = (self.org_combo, self.membership_error)
        self.membership_errors.fields["title"] = (self.title, self.membership_error)
        members.addWidget(self.membership_error)
        self.add_membership_button.clicked.connect(self.add_membership)
        self.title.returnPressed.connect(self.add_membership)
        self.remove_membership_button.clicked.connect(self.remove_selected_membership)
        outer.addWidget(box, 1)

        add_editor_buttons(self, outer, lang, tr("Delete this person (Undo brings them back)", lang))
        self.start_new()

    # -- state -----------------------------------------------------------------------------
    def current_values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(), "kana": self.kana.text(), "phone": self.phone.text(),
            "email": self.email.text(), "skills": parse_skills(self.skills.text()),
            "notes": self.notes.toPlainText(),
        }

    @property
    def record_id(self) -> str | None:
        return self.person_id

    @property
    def new_record_name(self) -> str:
        return tr("the new person", self.lang)

    def fetch_detail(self, session: Any, person_id: str) -> PersonDetail:
        return people_queries.person_detail(session, person_id)

    @property
    def dirty(self) -> bool:
        return bool(self.changed_values()) or (self.person_id is None and bool(self.pending))

    def _fill(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for key in TEXT_FIELDS:
                getattr(self, key).setText(values.get(key) or "")
            self.skills.setText(skills_text(values.get("skills") or [], self.lang))
            self.notes.setPlainText(values.get("notes") or "")
        finally:
            self._loading = False
        self.loaded = self.current_values()
        self._update_buttons()

    def start_new(self) -> None:
        self.person_id = None
        self.detail = None
        self.pending = []
        self.errors.clear()
        self.membership_errors.clear()
        self._fill({})
        self.memberships_model.set_rows([])
        self.heading.setText(tr("New person", self.lang))
        self._update_buttons()

    def _loaded(self, detail: PersonDetail) -> None:
        self.person_id = detail.id
        self.detail = detail
        self.pending = []
        self.errors.clear()
        self.membership_errors.clear()
        self._fill(detail.values)
        self.heading.setText(detail.values["name"])
        self.memberships_model.set_rows(detail.memberships)
        self._update_buttons()
        self.detail_loaded.emit(detail.id)

    def set_organisations(self, choices: list[OrgChoice]) -> None:
        text = self.org_combo.currentText()
        self.org_combo.clear()
        for choice in choices:
            self.org_combo.addItem(f"{choice.name} ({choice.acronym})" if choice.acronym else choice.name, choice.id)
        self.org_combo.setEditText(text)

    # -- edits -----------------------------------------------------------------------------
    def revert(self) -> None:
        super().revert()
        if self.detail is not None:
            self.memberships_model.set_rows(self.detail.memberships)

    def save(self) -> None:
        self.errors.clear()
        lang = self.lang
        if self.person_id is None:
            values = self.current_values()
            try:
                clean_person_fields(values)
            except ValidationError as exc:
                self.errors.show(exc)
                return
            memberships = list(self.pending)
            name = values["name"].strip()

            def create(ws: Workspace) -> Step:
                changes = create_person(ws, organisation_ids=[m.organisation_id for m in memberships], **values)
                pid = changes.primary_id
                for m in memberships:
                    if m.title:
                        changes.merge(add_membership(ws, pid, m.organisation_id, m.title))
                return Step(changes, undo=lambda w: delete_person(w, pid), redo=lambda w: restore(w, "person", pid))

            self.writes.perform(tr("Add person {name}", lang, name=name), create, self._saved, self._failed)
            return

        changed = self.changed_values()
        if not changed:
            return
        try:
            clean_person_fields(changed)
        except ValidationError as exc:
            self.errors.show(exc)
            return
        pid = self.person_id
        name = (changed.get("name") or self.loaded.get("name") or "").strip()

        def update(ws: Workspace) -> Step:
            with ws.session() as session:
                old = people_queries.person_values(session, pid, changed)
            changes = update_person(ws, pid, **changed)
            return Step(changes, undo=lambda w: update_person(w, pid, **old),
                        redo=lambda w: update_person(w, pid, **changed))

        self.writes.perform(tr("Edit person {name}", lang, name=name), update, self._saved, self._failed)

    def _saved(self, changes: Changes) -> None:
        if changes.primary_id:
            self.person_id = changes.primary_id
            self.pending = []
            self.loaded = self.current_values()
            self._update_buttons()
            self.saved.emit(changes.primary_id)

    def delete(self) -> None:
        if self.person_id is None:
            return
        pid, name = self.person_id, self.loaded.get("name", "")

        def job(ws: Workspace) -> Step:
            return Step(delete_person(ws, pid), undo=lambda w: restore(w, "person", pid),
                        redo=lambda w: delete_person(w, pid))

        def done(_changes: Changes) -> None:
            self.start_new()
            self.show_notice(tr("{name} was deleted. Undo (Ctrl+Z) brings them back.", self.lang, name=name))
            self.deleted.emit(pid)

        self.writes.perform(tr("Delete person {name}", self.lang, name=name), job, done, self._failed)

    # memberships
    def _chosen_organisation(self) -> tuple[str, str] | None:
        index = self.org_combo.findText(self.org_combo.currentText())
        if index < 0:
            return None
        return self.org_combo.itemData(index), self.org_combo.itemText(index)

    def add_membership(self) -> None:
        self.membership_errors.clear()
        chosen = self._chosen_organisation()
        if chosen is None:
            self.membership_errors.show(ValidationError("choose an organisation from the list",
                                                        field="organisation_id"))
            return
        org_id, org_label = chosen
        try:
            title = check_text(self.title.text(), "title", 100)
        except ValidationError as exc:
            self.membership_errors.show(exc)
            return
        if self.person_id is None:
            # Not saved yet: the memberships are created with the person.
            self.pending = [m for m in self.pending if m.organisation_id != org_id]
            self.pending.append(MembershipRow(None, org_id, org_label, title))
            self.memberships_model.set_rows(self.pending)
            self._after_membership_added()
            return
        self._set_membership(self.person_id, org_id, org_label, title)
        self._after_membership_added()

    def _after_membership_added(self) -> None:
        self.org_combo.setEditText("")
        self.title.clear()
        self.org_combo.setFocus()
        self._update_buttons()

    def _set_membership(self, pid: str, org_id: str, org_label: str, title: str) -> None:
        def job(ws: Workspace) -> Step:
            with ws.session() as session:
                before = people_queries.membership_of(session, pid, org_id)
            changes = add_membership(ws, pid, org_id, title)
            if before is None:
                mid = changes.primary_id
                return Step(changes, undo=lambda w: remove_membership(w, mid),
                            redo=lambda w: restore(w, "membership", mid))
            old_title = before.title
            return Step(changes, undo=lambda w: add_membership(w, pid, org_id, old_title),
                        redo=lambda w: add_membership(w, pid, org_id, title))

        person = self.loaded.get("name", "")
        self.writes.perform(tr("Membership of {person} in {organisation}", self.lang, person=person,
                             organisation=org_label), job,
                on_error=lambda e, t: self.membership_errors.show(e) or self.ctx.error.emit(e, t))

    def _title_edited(self, membership: MembershipRow, title: str) -> None:
        if self.person_id is None:
            self.pending = [MembershipRow(None, m.organisation_id, m.organisation, title)
                            if m.organisation_id == membership.organisation_id else m for m in self.pending]
            return
        self._set_membership(self.person_id, membership.organisation_id, membership.organisation, title)

    def remove_selected_membership(self) -> None:
        index = self.memberships_view.currentIndex()
        if not index.isValid():
            return
        membership: MembershipRow = self.memberships_model.rows[index.row()]
        if self.person_id is None or membership.id is None:
            self.pending = [m for m in self.pending if m.organisation_id != membership.organisation_id]
            self.memberships_model.set_rows(self.pending)
            self._update_buttons()
            return
        mid = membership.id
        self.writes.perform(tr("Remove membership of {person} in {organisation}", self.lang,
                             person=self.loaded.get("name", ""), organisation=membership.organisation),
                lambda ws: Step(remove_membership(ws, mid), undo=lambda w: restore(w, "membership", mid),
                                redo=lambda w: remove_membership(w, mid)))


class PeoplePage(RecordListPage):
    rows_loaded = Signal()

    watched = WATCHED

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lang = self.lang

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(tr("Filter by name, kana, organisation or skill…", lang))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(tr("Filter people", lang))
        self.bridges = QCheckBox(tr("Only people in several organisations", lang))
        self.bridges.setToolTip(tr("People who cross organisational borders: the relational capital "
                                   "that lets sectors work together", lang))
        self.count_label = QLabel()
        self.new_button = QPushButton(tr("New person", lang))
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.bridges)
        top.addWidget(self.count_label)
        top.addWidget(self.new_button)
        layout.addLayout(top)

        self.model = RowsModel([
            # Sorted by reading (kana) where there is one: 五十音順, as Japanese lists are.
            Column(tr("Full name", lang), lambda r: r.name, sort=lambda r: r.kana or r.name),
            Column(tr("Kana", lang), lambda r: r.kana),
            Column(tr("Memberships", lang), lambda r: str(r.organisation_count),
                   sort=lambda r: r.organisation_count, numeric=True,
                   header_tip=tr("How many organisations this person belongs to", lang),
                   tooltip=lambda r: "\n".join(r.organisations)),
            Column(tr("Member of", lang), lambda r: " / ".join(r.organisations)),
            Column(tr("Skills", lang), lambda r: skills_text(r.skills, lang)),
            Column(tr("Phone", lang), lambda r: r.phone),
        ], parent=self)
        self.proxy = filter_proxy(self.model, self, PeopleProxy(self))
        self.view = make_table(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 110), (1, 90), (2, 64), (4, 150), (5, 105)):
            self.view.setColumnWidth(column, width)
        fit_header(self.view, 2, 64)

        self.editor = PersonEditor(ctx)
        self.splitter = list_beside_editor(self.view, self.editor, 380)
        layout.addWidget(self.splitter, 1)
        options.remember_layout("people", self.splitter, self.view.horizontalHeader())

        self.filter_edit.textChanged.connect(self._filter)
        self.bridges.toggled.connect(self._bridges_toggled)
        self.new_button.clicked.connect(self.new_person)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.editor.saved.connect(self._saved)
        self.editor.deleted.connect(lambda _id: self._set_current(None))
        ctx.changed.connect(self._on_changed)
        ctx.workspace_changed.connect(self._on_workspace_changed)

    def reload(self) -> None:
        if self.ctx.workspace is None:
            return
        self._stale = False
        self._reload_pending = False
        self.ctx.read(people_queries.list_people, self._rows_arrived)
        self.ctx.read(people_queries.organisation_choices, self.editor.set_organisations)
        if self._current_id and not self.editor.dirty:
            self.editor.load(self._current_id)

    def _rows_arrived(self, rows: list[PersonRow]) -> None:
        self.model.set_rows(rows)
        self._update_count()
        self._select_wanted()
        self.rows_loaded.emit()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        n, k = format_number(total, self.lang), format_number(shown, self.lang)
        self.count_label.setText(tr("{n} people", self.lang, n=n) if shown == total
                                 else tr("{shown} of {n} people", self.lang, shown=k, n=n))

    def _bridges_toggled(self, on: bool) -> None:
        self.proxy.set_min_orgs(2 if on else 0)
        self._update_count()

    show_person = RecordListPage.show_record
    new_person = RecordListPage.new_record
