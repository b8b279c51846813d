"""Close the incident (coordinators): record its end and offer to anonymise it, that is to
erase the personal data of every case; the confirmation names what goes and how many
households. The work runs on the database worker with a cancellable progress dialog."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.i18n import tr
from recovery_desk.ui.progress import run_job


class CloseIncidentDialog(QDialog):
    closed = Signal(object)  # the Changes of closing (and anonymising)

    def __init__(self, ctx: Any, plan: Any, parent: Any = None):
        super().__init__(parent)
        self.ctx, self.lang, self.plan = ctx, ctx.lang, plan
        lang = self.lang
        self.setObjectName("close_incident")
        self.setWindowTitle(tr("Close the incident", lang))
        self.end = QLineEdit(date.today().isoformat())
        self.end.setObjectName("incident_end")
        self.anonymise = QCheckBox(tr("Anonymise it: erase the personal data of every case", lang))
        self.anonymise.setObjectName("anonymise")
        self.what = QLabel(tr("This erases for good the personal data of {count} households: {fields}; and the same "
                              "values in comments, notes and the audit trail. Backups made before keep them. It "
                              "cannot be undone.", lang, count=f"{plan.households:,}", fields=plan.describe(lang)))
        self.what.setWordWrap(True)
        self.what.setObjectName("anonymise_what")
        self.anonymise.toggled.connect(self._toggled)
        self.error = QLabel()
        self.error.setObjectName("close_error")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(tr("Close the incident", lang), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.run)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(tr("Ended on", lang), self.end)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.anonymise)
        layout.addWidget(self.what)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._toggled(False)

    def _toggled(self, on: bool) -> None:
        self.what.setEnabled(on)
        self.ok.setText(tr("Close and erase personal data", self.lang) if on else tr("Close the incident", self.lang))

    def run(self) -> None:
        from recovery_desk.services.anonymise import anonymise_incident
        from recovery_desk.services.incident import close_incident

        end, anonymise = self.end.text().strip(), self.anonymise.isChecked()
        self.ok.setEnabled(False)

        def job(ws: Any, progress: Any) -> Any:
            changes = close_incident(ws, end)
            if anonymise:
                erased = anonymise_incident(ws, progress)
                changes.updated["case"].update(erased.case_ids)
                changes.case_ids.update(erased.case_ids)
            return changes

        def done(changes: Any) -> None:
            self.ctx.changed.emit(changes)
            self.closed.emit(changes)
            self.accept()

        def failed(exc: BaseException, trace: str) -> None:
            self.ok.setEnabled(True)
            if isinstance(exc, RecoveryDeskError):
                self.error.setText(exc.message(self.lang))
            else:
                self.ctx.error.emit(exc, trace)

        run_job(self, self.ctx, job, done, title=tr("Closing the incident", self.lang), on_error=failed)
