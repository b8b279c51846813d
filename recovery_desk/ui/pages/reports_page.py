"""The Reports page: build the incident or case PDF in the background, then open or print it.

The PDF is built on the database worker (``ctx.run``) with a progress bar and a Cancel
button; the widgets are only touched from the callbacks, on the UI thread. Qt here has no
PDF renderer (QtPdf is not in PySide6-Essentials), so "Print…" lets the user pick a printer
with the system dialog and then hands the PDF file itself to the system's print service
(``lp`` on Linux and macOS, the shell's "print" verb on Windows).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QProcess, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.i18n import tr
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.worker import Cancelled

INCIDENT, CASE, VISITS = "incident", "case", "visits"


def print_command(printer_name: str, path: Path) -> list[str] | None:
    """The command that sends ``path`` to ``printer_name``; None on Windows (shell verb)."""
    if sys.platform.startswith("win"):
        return None
    return ["lp", "-d", printer_name, str(path)] if printer_name else ["lp", str(path)]


class ReportsPage(QWidget):
    """Choose a report, build it in the background, open or print the result."""

    report_ready = Signal(str)  # path of the PDF written
    report_failed = Signal(str)  # message shown to the user (also on cancel)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._ticket: Any = None
        self._last_pdf: Path | None = None
        self._print_process: QProcess | None = None
        lang = ctx.lang

        title = QLabel(tr("Reports", lang))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        title.setFont(font)
        intro = QLabel(tr("PDF status reports that can be printed as they are: the incident progress report for "
                          "the headquarters and the council meeting, or the status report of one case for its "
                          "file and its case conference.", lang))
        intro.setWordWrap(True)

        self.kind = QComboBox()
        self.kind.addItem(tr("Incident progress report", lang), INCIDENT)
        self.kind.addItem(tr("Case status report", lang), CASE)
        self.kind.addItem(tr("Visit sheet (a district or a query)", lang), VISITS)
        self.query = QLineEdit()
        self.query.setObjectName("visit_query")
        self.query.setPlaceholderText(tr("cases query, e.g. area:御祓 stage:identified", lang))
        self.reference = QLineEdit()
        self.reference.setPlaceholderText(tr("the case reference, e.g. NANAO-0001", lang))
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.end.setDate(QDate.currentDate())
        self.start.setDate(QDate.currentDate().addMonths(-1))
        self.stalled = QSpinBox()
        self.stalled.setRange(1, 365)
        self.stalled.setValue(14)
        self.stalled.setSuffix(tr(" days", lang))
        self.language = QComboBox()
        self.language.addItem("English", "en")
        self.language.addItem("日本語", "ja")
        self.language.setCurrentIndex(1 if lang == "ja" else 0)
        self.include_pii = QCheckBox(tr("Include personal data (names, phone numbers, addresses, notes)", lang))
        self.pii_help = QLabel(tr("Only for cases whose consent allows personal data in reports; all other cases "
                                  "stay redacted. Without this option the report says on its cover that it is "
                                  "redacted.", lang))
        self.pii_help.setWordWrap(True)
        self.out = QLineEdit()
        choose = QPushButton(tr("Choose…", lang))
        choose.clicked.connect(self._choose_file)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(choose)

        form = QFormLayout()
        form.addRow(tr("Report", lang), self.kind)
        form.addRow(tr("Case reference", lang), self.reference)
        form.addRow(tr("Cases", lang), self.query)
        form.addRow(tr("Period from", lang), self.start)
        form.addRow(tr("Period to", lang), self.end)
        form.addRow(tr("Stalled after", lang), self.stalled)
        form.addRow(tr("Language", lang), self.language)
        pii_box = QWidget()
        pii_layout = QVBoxLayout(pii_box)
        pii_layout.setContentsMargins(0, 0, 0, 0)
        pii_layout.addWidget(self.include_pii)
        pii_layout.addWidget(self.pii_help)
        form.addRow("", pii_box)
        form.addRow(tr("Save as", lang), out_row)
        self._form = form

        self.generate = QPushButton(tr("Generate PDF", lang))
        self.generate.setDefault(True)
        self.generate.clicked.connect(self.start_report)
        self.cancel = QPushButton(tr("Cancel", lang))
        self.cancel.setEnabled(False)
        self.cancel.clicked.connect(self.cancel_report)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(tr("Open", lang))
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_pdf)
        self.print_button = QPushButton(tr("Print…", lang))
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_pdf)
        print_help = QLabel(tr("Print… asks which printer to use, then sends the PDF file to the system's print "
                               "service as it is, so it prints exactly as it looks in a PDF viewer.", lang))
        print_help.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.generate)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.progress, 1)
        results = QHBoxLayout()
        results.addWidget(self.open_button)
        results.addWidget(self.print_button)
        results.addStretch(1)
        self.disclosures_button = QPushButton(tr("Who printed personal data…", lang))
        self.disclosures_button.setObjectName("disclosure_log")
        self.disclosures_button.setToolTip(tr("The log of reports, exports and visit sheets that included personal "
                                              "data (coordinators)", lang))
        self.disclosures_button.clicked.connect(self.show_disclosures)
        results.addWidget(self.disclosures_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addLayout(results)
        layout.addWidget(print_help)
        layout.addStretch(1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.reference.editingFinished.connect(self._suggest_file)
        ctx.workspace_changed.connect(self._workspace_changed)
        self._kind_changed()
        self._workspace_changed()

    # -- form ----------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        incident = kind == INCIDENT
        for widget in (self.start, self.end, self.stalled):
            widget.setEnabled(incident)
            self._form.labelForField(widget).setEnabled(incident)
        for widget, on in ((self.reference, kind == CASE), (self.query, kind == VISITS),
                           (self.include_pii, kind != VISITS), (self.pii_help, kind != VISITS)):
            widget.setEnabled(on)
            label = self._form.labelForField(widget)
            if label is not None:
                label.setEnabled(on)
        self._suggest_file()

    def _suggest_file(self) -> None:
        current = self.out.text().strip()
        folder = Path(current).parent if current else _documents_dir()
        if self.kind.currentData() == INCIDENT:
            name = f"incident-report-{date.today():%Y%m%d}.pdf"
        elif self.kind.currentData() == VISITS:
            name = f"visit-sheet-{date.today():%Y%m%d}.pdf"
        else:
            name = f"case-report-{self.reference.text().strip() or 'case'}-{date.today():%Y%m%d}.pdf"
        if not current or Path(current).name.startswith(("incident-report-", "case-report-", "visit-sheet-")):
            self.out.setText(str(folder / name))

    def _workspace_changed(self) -> None:
        has_workspace = self.ctx.workspace is not None
        self.generate.setEnabled(has_workspace and self._ticket is None)
        if not has_workspace:
            self.status.setText(tr("Open a workspace to make reports.", self.ctx.lang))
            return
        self.status.setText("")

        def incident_start(session: Any) -> date | None:
            from recovery_desk.services.report_data import incident_info

            incident = incident_info(session)
            return incident.start_date if incident else None

        self.ctx.read(incident_start, self._set_start)

    def _set_start(self, start: date | None) -> None:
        if start is not None:
            self.start.setDate(QDate(start.year, start.month, start.day))

    def _choose_file(self) -> None:
        from recovery_desk.ui.file_dialogs import ask_save_file

        path = ask_save_file(self, tr("Save the report as", self.ctx.lang), self.out.text(), "PDF (*.pdf)")
        if path:
            self.out.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    # -- building ------------------------------------------------------------------------
    def start_report(self) -> None:
        if self._ticket is not None or self.ctx.workspace is None:
            return
        if self.kind.currentData() == CASE and not self.reference.text().strip():
            self._fail(tr("Enter the reference of the case.", self.ctx.lang))
            return
        out = Path(self.out.text().strip()).expanduser()
        if not self.out.text().strip():
            self._fail(tr("Choose where to save the report.", self.ctx.lang))
            return
        kind, lang, pii = self.kind.currentData(), self.language.currentData(), self.include_pii.isChecked()
        reference = self.reference.text().strip()
        query = self.query.text().strip()
        start, end = self.start.date().toPython(), self.end.date().toPython()
        stalled = self.stalled.value()

        def job(ws: Any, progress: Any) -> str:
            if kind == VISITS:
                from recovery_desk.reports.visit_sheet import build_visit_sheet

                build_visit_sheet(ws, out, query=query, lang=lang, progress=progress.report)
                return str(out)
            if kind == INCIDENT:
                from recovery_desk.reports.incident import build_incident_report

                return str(build_incident_report(ws, out, start=start, end=end, lang=lang, include_pii=pii,
                                                 stalled_days=stalled, progress=progress.report))
            from recovery_desk.reports.case import build_case_report

            return str(build_case_report(ws, reference, out, lang=lang, include_pii=pii, progress=progress.report))

        self._last_pdf = None
        self.open_button.setEnabled(False)
        self.print_button.setEnabled(False)
        self.generate.setEnabled(False)
        self.cancel.setEnabled(True)
        self.progress.setRange(0, 0)  # busy until the first report
        self.status.setText(tr("Preparing the report…", self.ctx.lang))
        self._ticket = self.ctx.run(job, self._done, self._error, self._progress)

    def show_disclosures(self) -> None:
        """The disclosure log, for a coordinator (or whoever holds the file, nobody signed in)."""
        me = self.ctx.me
        if self.ctx.workspace is None:
            return
        if me is not None and not me.coordinator:
            self.status.setText(tr("Only a coordinator may read who printed personal data.", self.ctx.lang))
            return
        from recovery_desk.services.disclosure import list_disclosures

        self.ctx.read(lambda s: list_disclosures(s), self._show_disclosures)

    def _show_disclosures(self, result: Any) -> None:
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTreeWidget, QTreeWidgetItem

        from recovery_desk.services.disclosure import kind_label
        from recovery_desk.ui.formatting import format_datetime

        lang = self.ctx.lang
        total, rows = result
        dialog = QDialog(self)
        dialog.setObjectName("disclosure_dialog")
        dialog.setWindowTitle(tr("Who printed personal data", lang))
        dialog.resize(820, 420)
        tree = QTreeWidget()
        tree.setObjectName("disclosures")
        tree.setRootIsDecorated(False)
        tree.setHeaderLabels([tr("When", lang), tr("Who", lang), tr("What", lang), tr("Households", lang),
                              tr("File", lang)])
        for r in rows:
            tree.addTopLevelItem(QTreeWidgetItem([format_datetime(r.at, lang), r.actor, kind_label(r.kind, lang),
                                                  str(r.households), r.detail]))
        for column in range(4):
            tree.resizeColumnToContents(column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(tr("{count} records", lang, count=total)))
        layout.addWidget(tree, 1)
        layout.addWidget(buttons)
        self.disclosure_dialog = dialog
        dialog.open()

    def cancel_report(self) -> None:
        if self._ticket is not None:
            self._ticket.cancel()
            self.cancel.setEnabled(False)
            self.status.setText(tr("Cancelling…", self.ctx.lang))

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if text:
            self.status.setText(tr(text, self.ctx.lang))

    def _finish(self) -> None:
        self._ticket = None
        self.generate.setEnabled(self.ctx.workspace is not None)
        self.cancel.setEnabled(False)
        self.progress.setRange(0, 1)

    def _done(self, path: str) -> None:
        self._finish()
        self.progress.setValue(1)
        self._last_pdf = Path(path)
        self.open_button.setEnabled(True)
        self.print_button.setEnabled(True)
        self.status.setText(tr("Saved {path}", self.ctx.lang, path=path))
        self.report_ready.emit(path)

    def _error(self, exc: BaseException, trace: str) -> None:
        from recovery_desk.domain.errors import RecoveryDeskError

        self._finish()
        self.progress.setValue(0)
        if isinstance(exc, Cancelled):
            self._fail(tr("Cancelled: no file was written.", self.ctx.lang))
        elif isinstance(exc, RecoveryDeskError):
            self._fail(exc.message(self.ctx.lang))
        else:
            self._fail(tr("The report could not be made: {error}", self.ctx.lang, error=str(exc) or type(exc).__name__))
            self.ctx.error.emit(exc, trace)

    def _fail(self, message: str) -> None:
        self.status.setText(message)
        self.report_failed.emit(message)

    # -- result --------------------------------------------------------------------------
    def open_pdf(self) -> None:
        if self._last_pdf is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._last_pdf)))

    def print_pdf(self) -> None:
        """Pick the printer in the system dialog, then give the PDF file to the spooler."""
        if self._last_pdf is None:
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(tr("Print the report", self.ctx.lang))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        self.send_to_printer(printer.printerName())

    def send_to_printer(self, printer_name: str) -> None:
        assert self._last_pdf is not None
        command = print_command(printer_name, self._last_pdf)
        if command is None:
            try:
                os.startfile(str(self._last_pdf), "print")  # type: ignore[attr-defined]
            except OSError as exc:
                self.status.setText(tr("Printing failed: {error}", self.ctx.lang, error=exc))
                return
            self.status.setText(tr("Sent to the printer.", self.ctx.lang))
            return
        process = QProcess(self)
        process.finished.connect(lambda code, _status: self._printed(process, code))
        process.errorOccurred.connect(lambda _error: self._print_error(process))
        self._print_process = process
        process.start(command[0], command[1:])

    def _printed(self, process: QProcess, code: int) -> None:
        if code == 0:
            self.status.setText(tr("Sent to the printer.", self.ctx.lang))
        else:
            error = bytes(process.readAllStandardError().data()).decode(errors="replace").strip()
            self.status.setText(tr("Printing failed: {error}", self.ctx.lang, error=error or code))

    def _print_error(self, process: QProcess) -> None:
        self.status.setText(tr("Printing failed: {error}", self.ctx.lang, error=process.errorString()))


def _documents_dir() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()
