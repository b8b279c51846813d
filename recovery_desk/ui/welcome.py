"""First run: create a workspace, open one, or open the demo; and who is working."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.errors import RecoveryDeskError, ValidationError
from recovery_desk.domain.vocabulary import HAZARD
from recovery_desk.i18n import tr
from recovery_desk.services.municipalities import by_code, by_name, municipalities
from recovery_desk.services.settings import load_settings, save_settings


class IdentityDialog(QDialog):
    """Asked once: the name and organisation that sign every change."""

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("identity_dialog")
        self.lang = lang
        self.setWindowTitle(tr("Who is working?", lang))
        settings = load_settings()
        self.name = QLineEdit(settings.get("user_name") or "")
        self.name.setObjectName("user_name")
        self.organisation = QLineEdit(settings.get("user_organisation") or "")
        self.organisation.setObjectName("user_organisation")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        form = QFormLayout(self)
        intro = QLabel(tr("Your name and organisation sign every change you make (the audit trail).", lang))
        intro.setWordWrap(True)
        form.addRow(intro)
        form.addRow(tr("Your name", lang), self.name)
        form.addRow(tr("Your organisation", lang), self.organisation)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("OK", lang))
        buttons.accepted.connect(self.accept)
        form.addRow(buttons)

    def accept(self) -> None:
        if not self.name.text().strip():
            self.error.setText(tr("Please enter your name.", self.lang))
            self.error.show()
            self.name.setFocus()
            return
        save_settings({"user_name": self.name.text().strip(),
                       "user_organisation": self.organisation.text().strip()})
        super().accept()


def needs_identity() -> bool:
    return not (load_settings().get("user_name") or "").strip()


class WelcomePage(QWidget):
    """Shown when no workspace is open."""

    create_requested = Signal(dict)  # incident_name, hazard, start_date, municipality, municipality_code
    open_requested = Signal()
    demo_requested = Signal()

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.lang = lang
        self.setObjectName("welcome_page")
        title = QLabel(tr("Welcome to Recovery Desk", lang))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(tr("Recovery Desk keeps the cases of a disaster recovery, who works on them and "
                          "what is left to do — offline, in one file you can back up and carry.", lang))
        intro.setWordWrap(True)

        create = QGroupBox(tr("Create a workspace for an incident", lang))
        form = QFormLayout(create)
        self.incident = QLineEdit()
        self.incident.setObjectName("incident_name")
        self.incident.setPlaceholderText(tr("e.g. 2024 Noto Peninsula earthquake", lang))
        self.hazard = QComboBox()
        self.hazard.setObjectName("hazard")
        for term in HAZARD:
            self.hazard.addItem(term.label(lang), term.code)
        self.start = QDateEdit(QDate.currentDate())
        self.start.setObjectName("start_date")
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        self.municipality = QLineEdit()
        self.municipality.setObjectName("municipality")
        self.municipality.setPlaceholderText(tr("e.g. 七尾市", lang))
        self.municipality_code = QLineEdit()
        self.municipality_code.setObjectName("municipality_code")
        self.municipality_code.setPlaceholderText(tr("6-digit local government code, e.g. 172022", lang))
        # The name fills the code and the code the name, from Japan's list shipped with the app.
        names = sorted({m.name for m in municipalities()})
        completer = QCompleter(names, self.municipality)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.municipality.setCompleter(completer)
        self.municipality.editingFinished.connect(self._name_entered)
        completer.activated.connect(self._name_entered)
        self.municipality_code.editingFinished.connect(self._code_entered)
        self.municipality_hint = QLabel()
        self.municipality_hint.setObjectName("municipality_hint")
        self.municipality_hint.setWordWrap(True)
        self.municipality_hint.hide()
        self.error = QLabel()
        self.error.setObjectName("welcome_error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.create_button = QPushButton(tr("Create workspace…", lang))
        self.create_button.setObjectName("create_workspace")
        self.create_button.clicked.connect(self._create)
        form.addRow(tr("Incident name", lang), self.incident)
        form.addRow(tr("Hazard", lang), self.hazard)
        form.addRow(tr("Start date", lang), self.start)
        form.addRow(tr("Municipality", lang), self.municipality)
        form.addRow(tr("Municipality code", lang), self.municipality_code)
        form.addRow("", self.municipality_hint)
        form.addRow(self.error)
        form.addRow(self.create_button)

        self.open_button = QPushButton(tr("Open a workspace…", lang))
        self.open_button.setObjectName("open_workspace")
        self.open_button.clicked.connect(self.open_requested)
        self.demo_button = QPushButton(tr("Open the demo (Nanao city, 2024)", lang))
        self.demo_button.setObjectName("open_demo")
        self.demo_button.clicked.connect(self.demo_requested)
        others = QHBoxLayout()
        others.addWidget(self.open_button)
        others.addWidget(self.demo_button)
        others.addStretch(1)

        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(12)
        column.addWidget(create)
        column.addLayout(others)
        column.addStretch(1)
        box = QWidget()
        box.setLayout(column)
        box.setMaximumWidth(720)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 4)
        outer.addStretch(1)
        outer.setAlignment(Qt.AlignmentFlag.AlignTop)

    def values(self) -> dict[str, Any]:
        d = self.start.date()
        return {
            "incident_name": self.incident.text().strip(),
            "hazard": self.hazard.currentData(),
            "start_date": date(d.year(), d.month(), d.day()),
            "municipality": self.municipality.text().strip(),
            "municipality_code": self.municipality_code.text().strip(),
        }

    def _create(self) -> None:
        values = self.values()
        try:
            if not values["incident_name"]:
                raise ValidationError("{field} is required", field="incident_name")
            values["municipality_code"] = self.checked_code(values["municipality_code"])
        except RecoveryDeskError as exc:
            self.show_error(exc)
            return
        self.error.hide()
        self.create_requested.emit(values)

    def _name_entered(self, *_args: object) -> None:
        """A known name fills an empty code; a name several municipalities share lists them."""
        found = by_name(self.municipality.text())
        self.municipality_hint.hide()
        if len(found) == 1 and not self.municipality_code.text().strip():
            self.municipality_code.setText(found[0].code)
        elif len(found) > 1:
            self.municipality_hint.setText(tr("Several municipalities are called {name}: {choices}. Type the code of "
                                              "yours.", self.lang, name=self.municipality.text().strip(),
                                              choices="、".join(f"{m.prefecture}{m.name} ({m.code})" for m in found)))
            self.municipality_hint.show()

    def _code_entered(self) -> None:
        """A known code fills an empty name (5 digits are completed first)."""
        try:
            code = self.checked_code(self.municipality_code.text())
        except RecoveryDeskError:
            return  # said when the workspace is created
        found = by_code(code) if code else None
        if found is not None and not self.municipality.text().strip():
            self.municipality.setText(found.name)
            self.municipality_hint.hide()

    def checked_code(self, code: str) -> str:
        """A 6-digit local-government code whose check digit is right; 5 digits get their
        check digit (and the field shows the full code). Raises ValidationError otherwise."""
        from recovery_desk.io.normalise import fold_width, lgcode6, lgcode_from5

        code = fold_width(code).strip()
        if not code:
            return ""
        try:
            full = lgcode_from5(code) if len(code) == 5 else lgcode6(code)
        except ValueError:
            raise ValidationError("{code} is not a local-government code: 6 digits whose last is the check digit "
                                  "(七尾市 is 172022)", field="municipality_code", code=code) from None
        self.municipality_code.setText(full)
        return full

    def show_error(self, exc: RecoveryDeskError) -> None:
        self.error.setText(exc.message(self.lang))
        self.error.show()
        field = getattr(exc, "field", None)
        widget = {"incident_name": self.incident, "municipality_code": self.municipality_code,
                  "municipality": self.municipality, "hazard": self.hazard}.get(field or "")
        if widget is not None:
            widget.setFocus()
