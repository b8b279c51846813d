"""Who is working? Sign in as a Person of the open workspace, for one or more of their
organisations, or add yourself to its People. Shown once a workspace is open (and from
File ▸ Switch user); the choice is saved per workspace file (services/identity.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from recovery_desk.i18n import tr
from recovery_desk.storage.models import Membership, Organisation, Person

ID_ROLE = Qt.ItemDataRole.UserRole


@dataclass
class SignInChoices:
    people: list[tuple[str, str, list[tuple[str, str]]]]  # (id, name, [(org id, org name)])
    organisations: list[tuple[str, str]]  # every live organisation (id, name)
    current_person_id: str | None = None


def load_choices(session: Any, current_person_id: str | None = None) -> SignInChoices:
    """People with their organisations, and every organisation (two queries)."""
    orgs = session.execute(select(Organisation.id, Organisation.name).where(Organisation.deleted_at.is_(None))
                           .order_by(Organisation.name)).all()
    names = dict(orgs)
    member_of: dict[str, list[tuple[str, str]]] = {}
    for person_id, org_id in session.execute(select(Membership.person_id, Membership.organisation_id).where(
            Membership.deleted_at.is_(None))):
        if org_id in names:
            member_of.setdefault(person_id, []).append((org_id, names[org_id]))
    people = session.execute(select(Person.id, Person.name).where(Person.deleted_at.is_(None))
                             .order_by(Person.name)).all()
    return SignInChoices([(pid, name, sorted(member_of.get(pid, []), key=lambda o: o[1])) for pid, name in people],
                         [tuple(o) for o in orgs], current_person_id)


def _checkable(list_widget: QListWidget, rows: list[tuple[str, str]], checked: bool) -> None:
    list_widget.clear()
    for org_id, name in rows:
        item = QListWidgetItem(name)
        item.setData(ID_ROLE, org_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        list_widget.addItem(item)


def _checked(list_widget: QListWidget) -> list[str]:
    return [list_widget.item(i).data(ID_ROLE) for i in range(list_widget.count())
            if list_widget.item(i).checkState() == Qt.CheckState.Checked]


class SignInDialog(QDialog):
    """Emits ``chosen`` with {"person_id", "organisation_ids"} or {"new_name", "organisation_ids"}."""

    chosen = Signal(dict)

    def __init__(self, choices: SignInChoices, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sign_in_dialog")
        self.lang = lang
        self.choices = choices
        self.setWindowTitle(tr("Who is working?", lang))
        self.resize(560, 520)
        intro = QLabel(tr("Sign in as yourself: your name and the organisations you act for sign every change, "
                          "claim, comment and report, and fill your My work page.", lang))
        intro.setWordWrap(True)

        self.existing = QRadioButton(tr("I am in the list of people", lang))
        self.existing.setObjectName("sign_in_existing")
        self.search = QLineEdit()
        self.search.setObjectName("sign_in_search")
        self.search.setPlaceholderText(tr("Type part of your name", lang))
        self.search.setClearButtonEnabled(True)
        self.people = QListWidget()
        self.people.setObjectName("sign_in_people")
        for person_id, name, orgs in choices.people:
            label = f"{name} — {'、'.join(o[1] for o in orgs)}" if orgs else name
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, person_id)
            self.people.addItem(item)
        self.acting = QListWidget()
        self.acting.setObjectName("sign_in_acting")
        self.acting.setMaximumHeight(110)
        people_box = QGroupBox()
        people_layout = QVBoxLayout(people_box)
        people_layout.addWidget(self.search)
        people_layout.addWidget(self.people, 1)
        people_layout.addWidget(QLabel(tr("I act for:", lang)))
        people_layout.addWidget(self.acting)

        self.new = QRadioButton(tr("I am not in the list: add me", lang))
        self.new.setObjectName("sign_in_new")
        self.new_name = QLineEdit()
        self.new_name.setObjectName("sign_in_new_name")
        self.new_name.setPlaceholderText(tr("Your name", lang))
        self.new_orgs = QListWidget()
        self.new_orgs.setObjectName("sign_in_new_orgs")
        self.new_orgs.setMaximumHeight(110)
        _checkable(self.new_orgs, choices.organisations, False)
        new_box = QGroupBox()
        new_layout = QVBoxLayout(new_box)
        new_layout.addWidget(self.new_name)
        new_layout.addWidget(QLabel(tr("My organisations:", lang)))
        new_layout.addWidget(self.new_orgs)
        self.error = QLabel()
        self.error.setObjectName("sign_in_error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Sign in", lang))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel", lang))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.existing)
        layout.addWidget(people_box, 3)
        layout.addWidget(self.new)
        layout.addWidget(new_box, 1)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout.addLayout(row)

        self.search.textChanged.connect(self._filter)
        self.people.currentItemChanged.connect(lambda *_: self._person_changed())
        self.existing.toggled.connect(lambda on: (people_box.setEnabled(on), new_box.setEnabled(not on)))
        self.new_name.textEdited.connect(lambda _t: self.new.setChecked(True))
        has_people = bool(choices.people)
        self.existing.setEnabled(has_people)
        (self.existing if has_people else self.new).setChecked(True)
        people_box.setEnabled(has_people)
        new_box.setEnabled(not has_people)
        if choices.current_person_id:
            self.select_person(choices.current_person_id)

    def select_person(self, person_id: str) -> None:
        for i in range(self.people.count()):
            if self.people.item(i).data(ID_ROLE) == person_id:
                self.existing.setChecked(True)
                self.people.setCurrentRow(i)
                return

    def _filter(self, text: str) -> None:
        key = text.strip().casefold()
        first = None
        for i in range(self.people.count()):
            item = self.people.item(i)
            hidden = bool(key) and key not in item.text().casefold()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = i
        if first is not None and (self.people.currentItem() is None or self.people.currentItem().isHidden()):
            self.people.setCurrentRow(first)

    def _person_changed(self) -> None:
        item = self.people.currentItem()
        orgs = next((o for pid, _n, o in self.choices.people if item and pid == item.data(ID_ROLE)), [])
        _checkable(self.acting, orgs, True)

    def accept(self) -> None:
        if self.existing.isChecked():
            item = self.people.currentItem()
            if item is None or item.isHidden():
                self._fail(tr("Choose yourself in the list.", self.lang))
                return
            choice: dict[str, Any] = {"person_id": item.data(ID_ROLE), "organisation_ids": _checked(self.acting)}
        else:
            name = self.new_name.text().strip()
            if not name:
                self._fail(tr("Please enter your name.", self.lang))
                self.new_name.setFocus()
                return
            choice = {"new_name": name, "organisation_ids": _checked(self.new_orgs)}
        self.chosen.emit(choice)
        super().accept()

    def _fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
