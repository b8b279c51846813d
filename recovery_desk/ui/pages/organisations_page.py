"""The Organisations page: a filterable list and the welfare-triangle view on the left,
the organisation's editor on the right.

The editor shows the three welfare-triangle axes and the sector they derive, live, as
the user changes an axis; type, legal form, contacts; capabilities (need categories with
capacity) and service areas; and, read only, the cases and tasks the organisation holds.
Every edit is a service call on the database worker, pushed on the undo stack with its
inverse (see entity_editing.py); a deleted organisation is restored by undo.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.errors import ValidationError
from recovery_desk.domain.vocabulary import (
    FORMALITY,
    LEGAL_FORMS,
    NEED_CATEGORY,
    ORG_TYPE,
    OWNERSHIP,
    PROFIT,
    ROLE,
    SECTOR,
    STAGE,
    TASK_STATUS,
    TYPICAL_SECTOR,
    Vocabulary,
    derive_sector,
)
from recovery_desk.i18n import tr
from recovery_desk.services import org_queries
from recovery_desk.services.changes import Changes
from recovery_desk.services.org_queries import (
    AreaChoice,
    CapabilityRow,
    OrgDetail,
    OrgRow,
    ServiceAreaRow,
)
from recovery_desk.services.organisations import (
    add_service_area,
    clean_org_fields,
    create_organisation,
    delete_organisation,
    remove_capability,
    remove_service_area,
    set_capability,
    update_organisation,
)
from recovery_desk.services.restore import restore
from recovery_desk.services.workspace import Workspace
from recovery_desk.ui import options
from recovery_desk.ui.colours import SECTOR_COLOURS
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.formatting import format_date, format_number
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
from recovery_desk.ui.pages.triangle_view import TriangleView

# Changes to these entities can alter what the page shows.
WATCHED = ("organisation", "capability", "service_area", "task", "task_supporter", "participation", "case",
           "membership", "person", "area")
TEXT_FIELDS = ("name", "acronym", "phone", "email", "address", "website")


def _vocab_combo(vocab: Vocabulary, lang: str) -> QComboBox:
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    for term in vocab:
        combo.addItem(term.label(lang), term.code)
    return combo


def _set_code(combo: QComboBox, code: str | None) -> None:
    i = combo.findData(code)
    combo.setCurrentIndex(max(i, 0))


def _fit_columns(view: QTableView, stretch: int) -> None:
    """Short columns fit their contents (at most 500 rows), one column takes the rest:
    no sideways scrolling in a narrow editor."""
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setMaximumSectionSize(max(120, view.fontMetrics().horizontalAdvance("NANAO-00000") + 16))
    for column in range(view.model().columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)


def _count(n: int | None, lang: str) -> str:
    return "…" if n is None else format_number(n, lang)


def _sort_count(n: int | None) -> int:
    return -1 if n is None else n


class OrganisationEditor(RecordEditor):
    """Edits one organisation (or a new one). Emits ``saved(id)`` after a create/update."""

    detail_loaded = Signal(str)
    saved = Signal(str)
    deleted = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lang = self.lang
        self.org_id: str | None = None
        self.detail: OrgDetail | None = None
        outer = self.build_heading()

        self.tabs = QTabWidget()
        outer.addWidget(self.tabs, 1)

        # -- details -----------------------------------------------------------------------
        details = QWidget()
        form = QFormLayout(details)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QWidget] = {}
        self.name = QLineEdit()
        self.acronym = QLineEdit()
        form.addRow(tr("Name", lang), self.errors.wrap("name", self.name))
        form.addRow(tr("Acronym", lang), self.errors.wrap("acronym", self.acronym))

        axes = QFrame()
        axes.setFrameShape(QFrame.Shape.StyledPanel)
        axes_form = QFormLayout(axes)
        self.ownership = _vocab_combo(OWNERSHIP, lang)
        self.profit = _vocab_combo(PROFIT, lang)
        self.formality = _vocab_combo(FORMALITY, lang)
        axes_form.addRow(tr("Ownership", lang), self.errors.wrap("ownership", self.ownership))
        axes_form.addRow(tr("Profit", lang), self.errors.wrap("profit", self.profit))
        axes_form.addRow(tr("Formality", lang), self.errors.wrap("formality", self.formality))
        sector_row = QHBoxLayout()
        self.sector_swatch = QLabel()
        self.sector_swatch.setFixedSize(14, 14)
        self.sector_label = QLabel()
        self.sector_label.setObjectName("derived_sector")
        bold = self.sector_label.font()
        bold.setBold(True)
        self.sector_label.setFont(bold)
        sector_row.addWidget(self.sector_swatch)
        sector_row.addWidget(self.sector_label, 1)
        axes_form.addRow(tr("Sector (derived)", lang), sector_row)
        self.sector_hint = QLabel()
        self.sector_hint.setWordWrap(True)
        self.sector_hint.setStyleSheet("color: palette(mid);")
        axes_form.addRow(self.sector_hint)
        form.addRow(tr("Welfare triangle", lang), axes)

        self.org_type = _vocab_combo(ORG_TYPE, lang)
        form.addRow(tr("Type", lang), self.errors.wrap("org_type", self.org_type))
        self.legal_form = QComboBox()
        self.legal_form.setEditable(True)
        self.legal_form.addItem("")
        self.legal_form.addItems(LEGAL_FORMS)
        self.legal_form.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        form.addRow(tr("Legal form", lang), self.errors.wrap("legal_form", self.legal_form))
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.address = QLineEdit()
        self.website = QLineEdit()
        form.addRow(tr("Phone", lang), self.errors.wrap("phone", self.phone))
        form.addRow(tr("Email", lang), self.errors.wrap("email", self.email))
        form.addRow(tr("Address", lang), self.errors.wrap("address", self.address))
        form.addRow(tr("Website", lang), self.errors.wrap("website", self.website))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(60)
        form.addRow(tr("Notes", lang), self.errors.wrap("notes", self.notes))
        self.tabs.addTab(details, tr("Details", lang))

        for edit in (self.name, self.acronym, self.phone, self.email, self.address, self.website):
            edit.textEdited.connect(self._edited)
            edit.returnPressed.connect(self.save)
        self.notes.textChanged.connect(self._edited)
        self.legal_form.editTextChanged.connect(self._edited)
        self.org_type.currentIndexChanged.connect(self._axis_changed)
        for combo in (self.ownership, self.profit, self.formality):
            combo.currentIndexChanged.connect(self._axis_changed)

        # -- capabilities ------------------------------------------------------------------
        caps = QWidget()
        caps_layout = QVBoxLayout(caps)
        self.capabilities_model = RowsModel([
            Column(tr("Need category", lang), lambda r: NEED_CATEGORY.label(r.need_category, lang),
                   sort=lambda r: NEED_CATEGORY.codes.index(r.need_category)
                   if r.need_category in NEED_CATEGORY else 99),
            Column(tr("Capacity (cases)", lang), lambda r: "—" if r.capacity is None else format_number(r.capacity, lang),
                   sort=lambda r: -1 if r.capacity is None else r.capacity, numeric=True),
        ], parent=self)
        self.capabilities_view = make_table(self.capabilities_model)
        self.capabilities_view.activated.connect(self._capability_chosen)
        self.capabilities_view.clicked.connect(self._capability_chosen)
        caps_layout.addWidget(self.capabilities_view)
        row = QHBoxLayout()
        self.need_combo = _vocab_combo(NEED_CATEGORY, lang)
        self.capacity = QSpinBox()
        self.capacity.setRange(0, 1_000_000)
        # 0 stores no capacity: unknown, which the gaps count as nothing (not as "no limit")
        self.capacity.setSpecialValueText(tr("capacity: not known", lang))
        self.capacity.setAccessibleName(tr("Capacity (cases)", lang))
        self.add_capability_button = QPushButton(tr("Add or update", lang))
        self.remove_capability_button = QPushButton(tr("Remove", lang))
        self.add_capability_button.clicked.connect(self.add_capability)
        self.remove_capability_button.clicked.connect(self.remove_selected_capability)
        row.addWidget(self.need_combo, 2)
        row.addWidget(self.capacity, 1)
        caps_layout.addLayout(row)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.add_capability_button)
        row.addWidget(self.remove_capability_button)
        caps_layout.addLayout(row)
        self.capability_error = QLabel()
        self.capability_errors = FieldErrors(lang, self.capability_error)
        caps_layout.addWidget(self.capability_error)
        self.tabs.addTab(caps, tr("Capabilities", lang))

        # -- service areas -----------------------------------------------------------------
        areas = QWidget()
        areas_layout = QVBoxLayout(areas)
        self.areas_model = RowsModel([
            Column(tr("Area", lang), lambda r: r.label),
            Column(tr("Municipality code", lang), lambda r: r.municipality_code),
        ], parent=self)
        self.areas_view = make_table(self.areas_model)
        areas_layout.addWidget(self.areas_view)
        row = QHBoxLayout()
        self.area_combo = QComboBox()
        self.area_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.area_combo.setMinimumContentsLength(12)
        self.area_combo.setEditable(True)
        self.area_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.area_combo.setAccessibleName(tr("Area", lang))
        self.add_area_button = QPushButton(tr("Add", lang))
        self.remove_area_button = QPushButton(tr("Remove", lang))
        self.add_area_button.clicked.connect(self.add_area)
        self.remove_area_button.clicked.connect(self.remove_selected_area)
        row.addWidget(self.area_combo, 1)
        row.addWidget(self.add_area_button)
        row.addWidget(self.remove_area_button)
        areas_layout.addLayout(row)
        self.area_error = QLabel()
        self.area_errors = FieldErrors(lang, self.area_error)
        areas_layout.addWidget(self.area_error)
        self.tabs.addTab(areas, tr("Service areas", lang))

        # -- people (read only; edited on the People page) --------------------------------
        members = QWidget()
        members_layout = QVBoxLayout(members)
        self.members_model = RowsModel([
            Column(tr("Full name", lang), lambda r: r.name),
            Column(tr("Job title", lang), lambda r: r.title),
            Column(tr("Phone", lang), lambda r: r.phone),
            Column(tr("Email", lang), lambda r: r.email),
        ], id_of=lambda r: r.person_id, parent=self)
        self.members_view = make_table(self.members_model)
        _fit_columns(self.members_view, stretch=0)
        members_layout.addWidget(self.members_view, 1)
        hint = QLabel(tr("People and their memberships are edited on the People page.", lang))
        hint.setWordWrap(True)
        members_layout.addWidget(hint)
        self.tabs.addTab(members, tr("People", lang))

        # -- cases and tasks (read only) ---------------------------------------------------
        held = QWidget()
        held_layout = QVBoxLayout(held)
        self.cases_label = QLabel()
        held_layout.addWidget(self.cases_label)
        self.cases_model = RowsModel([
            Column(tr("Case", lang), lambda r: r.reference),
            Column(tr("District", lang), lambda r: r.district),
            Column(tr("Stage", lang), lambda r: STAGE.label(r.stage, lang),
                   sort=lambda r: STAGE.codes.index(r.stage) if r.stage in STAGE else 99),
            Column(tr("Role", lang), lambda r: ROLE.label(r.role, lang)),
        ], id_of=lambda r: r.case_id, parent=self)
        self.cases_view = make_table(self.cases_model)
        _fit_columns(self.cases_view, stretch=2)
        held_layout.addWidget(self.cases_view, 1)
        self.tasks_label = QLabel()
        held_layout.addWidget(self.tasks_label)
        self.tasks_model = RowsModel([
            Column(tr("Task", lang), lambda r: r.title),
            Column(tr("Case", lang), lambda r: r.reference),
            Column(tr("Status", lang), lambda r: TASK_STATUS.label(r.status, lang),
                   sort=lambda r: TASK_STATUS.codes.index(r.status) if r.status in TASK_STATUS else 99),
            Column(tr("Due", lang), lambda r: format_date(r.due_date, lang),
                   sort=lambda r: r.due_date.isoformat() if r.due_date else "9999"),
            Column(tr("Role", lang), lambda r: tr("Lead", lang) if r.role == "lead" else tr("Supporter", lang)),
        ], id_of=lambda r: r.task_id, parent=self)
        self.tasks_view = make_table(self.tasks_model)
        _fit_columns(self.tasks_view, stretch=0)
        held_layout.addWidget(self.tasks_view, 1)
        self.held_tab = held
        self.tabs.addTab(held, tr("Cases and tasks", lang))

        add_editor_buttons(self, outer, lang, tr("Delete this organisation (Undo brings it back)", lang))

        self.start_new()

    # -- state -----------------------------------------------------------------------------
    def current_values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "acronym": self.acronym.text(),
            "ownership": self.ownership.currentData(),
            "profit": self.profit.currentData(),
            "formality": self.formality.currentData(),
            "org_type": self.org_type.currentData(),
            "legal_form": self.legal_form.currentText(),
            "phone": self.phone.text(),
            "email": self.email.text(),
            "address": self.address.text(),
            "website": self.website.text(),
            "notes": self.notes.toPlainText(),
        }

    @property
    def record_id(self) -> str | None:
        return self.org_id

    @property
    def new_record_name(self) -> str:
        return tr("the new organisation", self.lang)

    def fetch_detail(self, session: Any, organisation_id: str) -> OrgDetail:
        return org_queries.organisation_detail(session, organisation_id)

    def derived_sector(self) -> str:
        return derive_sector(self.ownership.currentData(), self.profit.currentData(), self.formality.currentData())

    def _fill(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for key in TEXT_FIELDS:
                getattr(self, key).setText(values.get(key) or "")
            self.notes.setPlainText(values.get("notes") or "")
            self.legal_form.setEditText(values.get("legal_form") or "")
            _set_code(self.ownership, values.get("ownership"))
            _set_code(self.profit, values.get("profit"))
            _set_code(self.formality, values.get("formality"))
            _set_code(self.org_type, values.get("org_type"))
        finally:
            self._loading = False
        self.loaded = self.current_values()
        self._show_sector()
        self._update_buttons()

    def start_new(self) -> None:
        """An empty form: Save creates a new organisation."""
        self.org_id = None
        self.detail = None
        self.errors.clear()
        self._fill({"ownership": "private", "profit": "nonprofit", "formality": "formal", "org_type": "npo"})
        self.heading.setText(tr("New organisation", self.lang))
        for model in (self.capabilities_model, self.areas_model, self.members_model, self.cases_model,
                      self.tasks_model):
            model.set_rows([])
        self.cases_label.setText("")
        self.tasks_label.setText("")
        self.tabs.setCurrentIndex(0)
        for i in range(1, self.tabs.count()):
            self.tabs.setTabEnabled(i, False)
        self._update_buttons()

    def _loaded(self, detail: OrgDetail) -> None:
        self.org_id = detail.id
        self.detail = detail
        self.errors.clear()
        self._fill(detail.values)
        self.heading.setText(detail.values["name"])
        self.capabilities_model.set_rows(detail.capabilities)
        self.areas_model.set_rows(detail.service_areas)
        self.members_model.set_rows(detail.members)
        self.cases_model.set_rows(detail.cases)
        self.tasks_model.set_rows(detail.tasks)
        self.cases_label.setText(self._count_text(tr("Cases held", self.lang), len(detail.cases), detail.cases_total))
        self.tasks_label.setText(self._count_text(tr("Tasks held (lead or supporter)", self.lang),
                                                  len(detail.tasks), detail.tasks_total))
        for i in range(1, self.tabs.count()):
            self.tabs.setTabEnabled(i, True)
        self._update_buttons()
        self.detail_loaded.emit(detail.id)

    def _count_text(self, what: str, shown: int, total: int) -> str:
        if shown < total:
            return tr("{what}: {total} (the first {shown} are shown)", self.lang, what=what, total=format_number(total, self.lang),
                      shown=format_number(shown, self.lang))
        return tr("{what}: {total}", self.lang, what=what, total=format_number(total, self.lang))

    def set_areas(self, areas: list[AreaChoice]) -> None:
        current = self.area_combo.currentData()
        self.area_combo.clear()
        for area in areas:
            self.area_combo.addItem(f"{area.label} ({area.municipality_code})" if area.municipality_code
                                    else area.label, area.id)
        if current:
            _set_code(self.area_combo, current)

    # -- live feedback ---------------------------------------------------------------------
    def _axis_changed(self) -> None:
        self._show_sector()
        self._edited()

    def _show_sector(self) -> None:
        sector = self.derived_sector()
        self.sector_label.setText(SECTOR.label(sector, self.lang))
        colour = SECTOR_COLOURS.get(sector, SECTOR_COLOURS["hybrid"])
        self.sector_swatch.setStyleSheet(f"background: {colour.name()}; border-radius: 7px;")
        hints = []
        if sector == "hybrid":
            hints.append(tr("Any other combination of the axes is a hybrid (for example a public-private company, "
                            "which Japanese calls 第三セクター).", self.lang))
        typical = TYPICAL_SECTOR.get(self.org_type.currentData() or "")
        if typical is not None and typical != sector:
            hints.append(tr("A {type} usually sits in the {typical} sector; these axes make it {sector}: check the "
                            "type or the axes.", self.lang, type=ORG_TYPE.label(self.org_type.currentData(), self.lang),
                            typical=SECTOR.label(typical, self.lang), sector=SECTOR.label(sector, self.lang)))
        self.sector_hint.setText("\n".join(hints))
        self.sector_hint.setVisible(bool(hints))

    def _update_buttons(self) -> None:
        super()._update_buttons()
        for button in (self.add_capability_button, self.remove_capability_button, self.add_area_button,
                       self.remove_area_button):
            button.setEnabled(self.org_id is not None)

    # -- edits -----------------------------------------------------------------------------
    def save(self) -> None:
        self.errors.clear()
        lang = self.lang
        if self.org_id is None:
            values = self.current_values()
            try:
                clean_org_fields(values, creating=True)
            except ValidationError as exc:
                self.errors.show(exc)
                return
            name = values["name"].strip()

            def create(ws: Workspace) -> Step:
                changes = create_organisation(ws, **values)
                oid = changes.primary_id
                return Step(changes, undo=lambda w: delete_organisation(w, oid),
                            redo=lambda w: restore(w, "organisation", oid))

            self.writes.perform(tr("Add organisation {name}", lang, name=name), create,
                    on_done=self._saved, on_error=self._failed)
            return

        changed = self.changed_values()
        if not changed:
            return
        try:
            clean_org_fields(changed, creating=False)
        except ValidationError as exc:
            self.errors.show(exc)
            return
        oid = self.org_id
        name = (changed.get("name") or self.loaded.get("name") or "").strip()

        def update(ws: Workspace) -> Step:
            with ws.session() as session:
                old = org_queries.organisation_values(session, oid, changed)
            changes = update_organisation(ws, oid, **changed)
            return Step(changes, undo=lambda w: update_organisation(w, oid, **old),
                        redo=lambda w: update_organisation(w, oid, **changed))

        self.writes.perform(tr("Edit organisation {name}", lang, name=name), update,
                on_done=self._saved, on_error=self._failed)

    def _saved(self, changes: Changes) -> None:
        if changes.primary_id:
            self.org_id = changes.primary_id
            self.loaded = self.current_values()
            self._update_buttons()
            self.saved.emit(changes.primary_id)

    def delete(self) -> None:
        if self.org_id is None:
            return
        oid, name = self.org_id, self.loaded.get("name", "")

        def job(ws: Workspace) -> Step:
            changes = delete_organisation(ws, oid)
            return Step(changes, undo=lambda w: restore(w, "organisation", oid),
                        redo=lambda w: delete_organisation(w, oid))

        def done(_changes: Changes) -> None:
            self.start_new()
            self.show_notice(tr("{name} was deleted. Undo (Ctrl+Z) brings it back.", self.lang, name=name))
            self.deleted.emit(oid)

        self.writes.perform(tr("Delete organisation {name}", self.lang, name=name), job, done, self._failed)

    # capabilities
    def _capability_chosen(self, index: QModelIndex) -> None:
        if index.isValid():
            cap: CapabilityRow = self.capabilities_model.rows[index.row()]
            _set_code(self.need_combo, cap.need_category)
            self.capacity.setValue(cap.capacity or 0)

    def add_capability(self) -> None:
        if self.org_id is None:
            return
        self.capability_errors.clear()
        oid, category = self.org_id, self.need_combo.currentData()
        capacity = self.capacity.value() or None
        label = NEED_CATEGORY.label(category, self.lang)

        def job(ws: Workspace) -> Step:
            with ws.session() as session:
                before = org_queries.capability_of(session, oid, category)
            changes = set_capability(ws, oid, category, capacity)
            if before is None:
                cap_id = changes.primary_id
                return Step(changes, undo=lambda w: remove_capability(w, cap_id),
                            redo=lambda w: restore(w, "capability", cap_id))
            old = before.capacity
            return Step(changes, undo=lambda w: set_capability(w, oid, category, old),
                        redo=lambda w: set_capability(w, oid, category, capacity))

        self.writes.perform(tr("Set capability {category}", self.lang, category=label), job,
                on_error=lambda e, t: self.capability_errors.show(e) or self.ctx.error.emit(e, t))

    def remove_selected_capability(self) -> None:
        index = self.capabilities_view.currentIndex()
        if self.org_id is None or not index.isValid():
            return
        cap: CapabilityRow = self.capabilities_model.rows[index.row()]
        label = NEED_CATEGORY.label(cap.need_category, self.lang)
        self.writes.perform(tr("Remove capability {category}", self.lang, category=label),
                lambda ws: Step(remove_capability(ws, cap.id), undo=lambda w: restore(w, "capability", cap.id),
                                redo=lambda w: remove_capability(w, cap.id)))

    # service areas
    def add_area(self) -> None:
        if self.org_id is None:
            return
        self.area_errors.clear()
        index = self.area_combo.findText(self.area_combo.currentText())
        area_id = self.area_combo.itemData(index) if index >= 0 else None
        if not area_id:
            self.area_errors.show(ValidationError("choose an area from the list", field="area_id"))
            return
        oid, label = self.org_id, self.area_combo.itemText(index)

        def job(ws: Workspace) -> Step:
            changes = add_service_area(ws, oid, area_id)
            sa_id = changes.primary_id
            return Step(changes, undo=lambda w: remove_service_area(w, sa_id),
                        redo=lambda w: restore(w, "service_area", sa_id))

        self.writes.perform(tr("Add service area {area}", self.lang, area=label), job,
                on_error=lambda e, t: self.area_errors.show(e) or self.ctx.error.emit(e, t))

    def remove_selected_area(self) -> None:
        index = self.areas_view.currentIndex()
        if self.org_id is None or not index.isValid():
            return
        sa: ServiceAreaRow = self.areas_model.rows[index.row()]
        self.writes.perform(tr("Remove service area {area}", self.lang, area=sa.label),
                lambda ws: Step(remove_service_area(ws, sa.id), undo=lambda w: restore(w, "service_area", sa.id),
                                redo=lambda w: remove_service_area(w, sa.id)))


class OrganisationsPage(RecordListPage):
    """List + welfare triangle on the left, the editor on the right."""

    first_rows_shown = Signal()  # names on screen, counts still coming
    rows_loaded = Signal()  # names and counts

    watched = WATCHED

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lang = self.lang

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(tr("Filter by name, acronym, sector or type…", lang))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(tr("Filter organisations", lang))
        self.count_label = QLabel()
        self.new_button = QPushButton(tr("New organisation", lang))
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.new_button)
        layout.addLayout(top)

        self.model = RowsModel([
            Column(tr("Name", lang), lambda r: r.name),
            Column(tr("Acronym", lang), lambda r: r.acronym),
            Column(tr("Sector", lang), lambda r: SECTOR.label(r.sector, lang),
                   sort=lambda r: SECTOR.codes.index(r.sector) if r.sector in SECTOR else 99),
            Column(tr("Type", lang), lambda r: ORG_TYPE.label(r.org_type, lang)),
            Column(tr("Open tasks", lang), lambda r: _count(r.open_tasks, lang), sort=lambda r: _sort_count(r.open_tasks),
                   numeric=True, header_tip=tr("Open tasks this organisation leads (counted as on the dashboard "
                                               "and in the reports)", lang)),
            Column(tr("Cases involved", lang), lambda r: _count(r.cases, lang), sort=lambda r: _sort_count(r.cases),
                   numeric=True, header_tip=tr("Cases this organisation takes part in, in any role", lang)),
        ], parent=self)
        self.proxy = filter_proxy(self.model, self)
        self.view = make_table(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 105), (2, 110), (3, 120)):
            self.view.setColumnWidth(column, width)
        fit_header(self.view, 4, 70)
        fit_header(self.view, 5, 70)

        self.triangle = TriangleView(lang)
        self.left_tabs = QTabWidget()
        self.left_tabs.addTab(self.view, tr("List", lang))
        self.left_tabs.addTab(self.triangle, tr("Welfare triangle", lang))

        self.editor = OrganisationEditor(ctx)
        self.splitter = list_beside_editor(self.left_tabs, self.editor, 400)
        layout.addWidget(self.splitter, 1)
        options.remember_layout("organisations", self.splitter, self.view.horizontalHeader())

        self.filter_edit.textChanged.connect(self._filter)
        self.new_button.clicked.connect(self.new_organisation)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.triangle.organisation_clicked.connect(self.show_organisation)
        self.editor.saved.connect(self._saved)
        self.editor.deleted.connect(lambda _id: self._set_current(None))
        ctx.changed.connect(self._on_changed)
        ctx.workspace_changed.connect(self._on_workspace_changed)

    # -- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Reload the list (names first, then the counts) and the open organisation."""
        if self.ctx.workspace is None:
            return
        self._stale = False
        self._reload_pending = False
        self.ctx.read(org_queries.list_organisations_fast, self._rows_arrived)
        self.ctx.read(org_queries.organisation_counts, self._counts_arrived)
        self.ctx.read(org_queries.list_areas, self.editor.set_areas)
        if self._current_id and not self.editor.dirty:
            self.editor.load(self._current_id)

    def _rows_arrived(self, rows: list[OrgRow]) -> None:
        if self.model.rows and [r.id for r in rows] == [r.id for r in self.model.rows]:
            # Same organisations: keep the counts on screen until the new ones come.
            rows = [old if old.open_tasks is not None and (old.name, old.acronym, old.sector, old.org_type)
                    == (new.name, new.acronym, new.sector, new.org_type) else new
                    for old, new in zip(self.model.rows, rows, strict=True)]
            self.model.update_rows(rows)
        else:
            self.model.set_rows(rows)
        self.triangle.set_rows(self.model.rows)
        self._update_count()
        self._select_wanted()
        self.first_rows_shown.emit()

    def _counts_arrived(self, counts: dict[str, tuple[int, int, int]]) -> None:
        rows = org_queries.with_counts(self.model.rows, counts)
        self.model.update_rows(rows)
        self.triangle.set_rows(rows)
        self.rows_loaded.emit()

    def _on_workspace_changed(self) -> None:
        self.triangle.set_rows([])
        super()._on_workspace_changed()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        n, k = format_number(total, self.lang), format_number(shown, self.lang)
        self.count_label.setText(tr("{n} organisations", self.lang, n=n) if shown == total
                                 else tr("{shown} of {n} organisations", self.lang, shown=k, n=n))

    # -- selection -------------------------------------------------------------------------
    def _set_current(self, organisation_id: str | None) -> None:
        super()._set_current(organisation_id)
        self.triangle.set_selected(organisation_id)

    show_organisation = RecordListPage.show_record  # from the list, the triangle or elsewhere
    new_organisation = RecordListPage.new_record
