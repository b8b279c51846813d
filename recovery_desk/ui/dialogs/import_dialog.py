"""File ▸ Import…, File ▸ Export… and File ▸ Back up…

:class:`ImportDialog`: choose a file and what it holds, the encoding and the sheet; the
columns are mapped automatically and shown in a table where each mapping can be changed;
the first rows are previewed. *Check* validates the whole file without writing and lists
every problem by row and column. *Import* runs on the database worker with a cancellable
progress dialog (``ui.progress.run_job``); a cancel rolls the one transaction back, so the
workspace is unchanged. Reading and checking also run on the worker: the UI stays free.

:class:`ExportDialog`: what to export, the file and format, and personal data (only with
consent). :func:`back_up_workspace` asks for a destination and copies the open workspace
with SQLite's online backup API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.i18n import tr
from recovery_desk.ui.file_dialogs import ask_open_file, ask_save_file
from recovery_desk.ui.headers import fit_columns
from recovery_desk.ui.progress import run_job

KIND_LABELS = ("cases", "organisations", "people", "tasks", "areas", "3w")
ENCODINGS = ["auto", "utf-8", "cp932", "utf-16", "euc-jp", "latin-1"]
NOT_IMPORTED = ""
MAX_REPORT_LINES = 500
_ROOT = QModelIndex()


def _kind_label(kind: str, lang: str) -> str:
    labels = {
        "cases": tr("Cases (households and sites)", lang), "organisations": tr("Organisations (list or registry)", lang),
        "people": tr("People (contacts and volunteers)", lang), "tasks": tr("Tasks (on cases already here)", lang),
        "areas": tr("Areas (municipality list)", lang), "3w": tr("3W / 4W (who does what where)", lang),
    }
    return labels[kind]


def field_text(kind: str, name: str | None, lang: str) -> str:
    """A field as the mapping table shows it: its Japanese label with the code, or the code."""
    from recovery_desk.io.fields import field_label

    if not name:
        return tr("(not imported)", lang)
    if kind == "3w":
        return name
    label = field_label(kind, name, lang)
    return f"{label} ({name})" if label != name else name


class PreviewModel(QAbstractTableModel):
    """The first rows of the file, with the mapped field in each column title."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.headers: list[str] = []
        self.fields: list[str | None] = []
        self.rows: list[list[str]] = []
        self.first_row = 2
        self.describe = lambda field: field or "—"

    def set_data(self, headers: list[str], fields: list[str | None], rows: list[list[str]], first_row: int) -> None:
        self.beginResetModel()
        self.headers, self.fields, self.rows, self.first_row = headers, fields, rows, first_row
        self.endResetModel()

    def set_fields(self, fields: list[str | None]) -> None:
        self.fields = fields
        if self.headers:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.headers) - 1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        return row[index.column()] if index.column() < len(row) else ""

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(self.first_row + section)  # the row number Excel shows
        if section >= len(self.headers):
            return None
        field = self.fields[section] if section < len(self.fields) else None
        return f"{self.headers[section]}\n→ {self.describe(field)}" if field else f"{self.headers[section]}\n—"


class FieldDelegate(QStyledItemDelegate):
    """Edits the 'field' column of the mapping table with a combo box of the kind's fields."""

    def __init__(self, dialog: ImportDialog):
        super().__init__(dialog)
        self.dialog = dialog

    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex | QPersistentModelIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.addItem(tr("(not imported)", self.dialog.lang), NOT_IMPORTED)
        for name in self.dialog.choices:
            combo.addItem(field_text(self.dialog.kind, name, self.dialog.lang), name)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.UserRole) or NOT_IMPORTED
        editor.setCurrentIndex(max(0, editor.findData(value)))  # type: ignore[attr-defined]

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex) -> None:
        value = editor.currentData()  # type: ignore[attr-defined]
        model.setData(index, value, Qt.ItemDataRole.UserRole)
        model.setData(index, field_text(self.dialog.kind, value, self.dialog.lang), Qt.ItemDataRole.DisplayRole)


class ImportDialog(QDialog):
    """Import a CSV/XLSX/3W file into the open workspace (see the module docstring)."""

    imported = Signal(object)  # ImportResult

    def __init__(self, ctx: Any, parent: QWidget | None = None, path: str | Path | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.lang = ctx.lang
        self.choices: list[str] = []
        self.guesses: list[str | None] = []
        self.headers: list[str] = []
        self.result: Any = None
        self._loading = False
        self.setWindowTitle(tr("Import", self.lang))
        self.resize(1000, 720)

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(tr("CSV or XLSX file", self.lang))
        browse = QPushButton(tr("Browse…", self.lang))
        browse.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        self.kind_combo = QComboBox()
        for kind in KIND_LABELS:
            self.kind_combo.addItem(_kind_label(kind, self.lang), kind)
        self.encoding_combo = QComboBox()
        for enc in ENCODINGS:
            self.encoding_combo.addItem(tr("automatic (UTF-8 or Shift_JIS)", self.lang) if enc == "auto" else enc, enc)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setEnabled(False)
        form = QFormLayout()
        form.addRow(tr("File", self.lang), file_row)
        form.addRow(tr("The file holds", self.lang), self.kind_combo)
        form.addRow(tr("Encoding", self.lang), self.encoding_combo)
        form.addRow(tr("Sheet", self.lang), self.sheet_combo)

        self.mapping_model = QStandardItemModel(0, 2, self)
        self.mapping_model.setHorizontalHeaderLabels([tr("Column in the file", self.lang),
                                                      tr("Field", self.lang)])
        self.mapping_view = QTableView()
        self.mapping_view.setModel(self.mapping_model)
        self.mapping_view.setItemDelegateForColumn(1, FieldDelegate(self))
        self.mapping_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping_view.verticalHeader().hide()
        self.mapping_view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.mapping_model.dataChanged.connect(self._mapping_edited)

        self.preview_model = PreviewModel(self)
        self.preview_view = QTableView()
        self.preview_view.setModel(self.preview_model)
        self.preview_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setPlaceholderText(tr("Check the file to see what would be imported.", self.lang))
        self.status = QLabel()
        self.status.setWordWrap(True)

        top = QSplitter(Qt.Orientation.Horizontal)
        mapping_box = QWidget()
        mapping_layout = QVBoxLayout(mapping_box)
        mapping_layout.setContentsMargins(0, 0, 0, 0)
        mapping_layout.addWidget(QLabel(tr("Columns (change a field by clicking it)", self.lang)))
        mapping_layout.addWidget(self.mapping_view)
        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        self.preview_label = QLabel(tr("Preview", self.lang))
        preview_layout.addWidget(self.preview_label)
        preview_layout.addWidget(self.preview_view)
        top.addWidget(mapping_box)
        top.addWidget(preview_box)
        top.setStretchFactor(1, 2)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(self.report)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)

        self.valid_only = QCheckBox(tr("Import the valid rows only (skip rows with problems)", self.lang))
        self.check_button = QPushButton(tr("Check", self.lang))
        self.import_button = QPushButton(tr("Import", self.lang))
        self.import_button.setDefault(True)
        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.start_import)
        self.valid_only.toggled.connect(self._update_buttons)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close", self.lang))
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.valid_only)
        bottom.addStretch(1)
        bottom.addWidget(self.check_button)
        bottom.addWidget(self.import_button)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(body, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)

        self.path_edit.editingFinished.connect(self.reload)
        self.kind_combo.currentIndexChanged.connect(self.reload)
        self.encoding_combo.currentIndexChanged.connect(self.reload)
        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)
        self._checked_ok = False
        self._update_buttons()
        if path is not None:
            self.path_edit.setText(str(path))
            self.reload()

    # -- choosing --------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def browse(self) -> None:
        path = ask_open_file(self, tr("Choose a file to import", self.lang),
                             tr("Tables (*.csv *.xlsx *.txt);;All files (*)", self.lang), self.path_edit.text())
        if path:
            self.path_edit.setText(path)
            self.reload()

    def options(self, *, dry_run: bool = False) -> Any:
        from recovery_desk.io.importer import IGNORE, ImportOptions

        mapping: dict[str, str] = {}
        for row in range(self.mapping_model.rowCount()):
            chosen = self.mapping_model.item(row, 1).data(Qt.ItemDataRole.UserRole) or None
            guess = self.guesses[row] if row < len(self.guesses) else None
            if chosen != guess:
                mapping[self.headers[row]] = chosen or IGNORE
        sheet = self.sheet_combo.currentText() if self.sheet_combo.isEnabled() else None
        return ImportOptions(self.kind, mapping, self.encoding_combo.currentData(), sheet or None,
                             self.valid_only.isChecked(), dry_run)

    def _sheet_changed(self) -> None:
        if not self._loading:
            self.reload(keep_sheet=True)

    def reload(self, keep_sheet: bool = False) -> None:
        """Read the file on the worker and show its columns and first rows."""
        path = self.path_edit.text().strip()
        self._checked_ok = False
        self.report.clear()
        if not path:
            return
        from recovery_desk.io.importer import ImportOptions, preview_file

        sheet = self.sheet_combo.currentText() if keep_sheet and self.sheet_combo.isEnabled() else None
        options = ImportOptions(self.kind, {}, self.encoding_combo.currentData(), sheet or None)
        self.status.setText(tr("Reading {path}…", self.lang, path=path))
        self.ctx.worker.submit(lambda _p: preview_file(path, options), self._show_preview, self._failed)

    def _show_preview(self, preview: Any) -> None:
        self._loading = True
        try:
            self.choices = preview.choices
            self.headers = preview.headers
            self.guesses = list(preview.fields)
            self.mapping_model.setRowCount(0)
            for header, field in zip(preview.headers, preview.fields, strict=True):
                source = QStandardItem(header)
                source.setEditable(False)
                target = QStandardItem(field_text(self.kind, field, self.lang))
                target.setData(field or NOT_IMPORTED, Qt.ItemDataRole.UserRole)
                self.mapping_model.appendRow([source, target])
            kind = self.kind
            self.preview_model.describe = lambda f: field_text(kind, f, self.lang)
            self.preview_model.set_data(preview.headers, list(preview.fields), preview.rows, preview.header_row + 1)
            fit_columns(self.preview_view)
            current = self.sheet_combo.currentText()
            self.sheet_combo.clear()
            self.sheet_combo.addItems(list(preview.sheets))
            self.sheet_combo.setEnabled(bool(preview.sheets))
            if current in preview.sheets:
                self.sheet_combo.setCurrentText(current)
        finally:
            self._loading = False
        encoding = preview.encoding or "XLSX"
        self.preview_label.setText(tr("Preview (header on row {row}, {encoding})", self.lang, row=preview.header_row,
                                      encoding=encoding))
        self.status.setText(tr("{count} columns; {mapped} mapped to fields. Check the file before importing.",
                               self.lang, count=len(preview.headers), mapped=sum(1 for f in preview.fields if f)))
        self._update_buttons()

    def _mapping_edited(self, *_args: Any) -> None:
        if self._loading:
            return
        fields = [self.mapping_model.item(r, 1).data(Qt.ItemDataRole.UserRole) or None
                  for r in range(self.mapping_model.rowCount())]
        self.preview_model.set_fields(fields)
        fit_columns(self.preview_view)
        self._checked_ok = False
        self._update_buttons()

    def _update_buttons(self) -> None:
        loaded = self.mapping_model.rowCount() > 0
        self.check_button.setEnabled(loaded)
        self.import_button.setEnabled(loaded and (self._checked_ok or self.valid_only.isChecked()))

    # -- checking and importing ----------------------------------------------------------------
    def check(self) -> None:
        from recovery_desk.io.importer import import_file

        path, options = self.path_edit.text().strip(), self.options(dry_run=True)
        self.status.setText(tr("Checking…", self.lang))
        self.check_button.setEnabled(False)
        run_job(self, self.ctx, lambda ws, p: import_file(ws, path, options, p), self._checked,
                title=tr("Checking…", self.lang), on_error=self._failed)

    def _checked(self, result: Any) -> None:
        self._show_result(result)
        self._checked_ok = not result.problems
        if result.problems:
            self.status.setText(tr("{count} problem(s): nothing can be imported until they are fixed, or import "
                                   "the valid rows only.", self.lang, count=len(result.problems)))
        else:
            self.status.setText(tr("No problems found. Import when ready.", self.lang))
        self._update_buttons()

    def start_import(self) -> None:
        from recovery_desk.io.importer import import_file

        path, options = self.path_edit.text().strip(), self.options()
        self.import_button.setEnabled(False)
        self.check_button.setEnabled(False)
        self.status.setText(tr("Importing…", self.lang))
        self.ticket = run_job(self, self.ctx, lambda ws, p: import_file(ws, path, options, p), self._imported,
                              title=tr("Importing…", self.lang), on_error=self._failed,
                              on_cancelled=self._cancelled)

    def _imported(self, result: Any) -> None:
        self.result = result
        self._show_result(result)
        self.status.setText(result.summary(self.lang).splitlines()[0])
        if result.changes:
            self.ctx.changed.emit(result.changes)
        self.imported.emit(result)
        self._checked_ok = False
        self._update_buttons()
        if result.opened_before_start is not None:
            self.offer_to_move_start(result.opened_before_start)

    def offer_to_move_start(self, early: Any) -> None:
        """The imported cases opened before the incident's start: offer the earliest as the start."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, tr("Incident start", self.lang),
                          tr("{what} Move the incident's start to {earliest}?", self.lang,
                             what=early.message(self.lang), earliest=early.earliest.isoformat()),
                          QMessageBox.StandardButton.NoButton, self)
        move = box.addButton(tr("Move the start to {earliest}", self.lang, earliest=early.earliest.isoformat()),
                             QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("Keep {start}", self.lang, start=early.start.isoformat()), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(move)
        box.setObjectName("move_start")
        box.buttonClicked.connect(lambda button: self.move_start(early.earliest) if button is move else None)
        self.start_box = box
        box.open()

    def move_start(self, start: Any) -> None:
        from recovery_desk.services.incident import move_start

        def moved(changes: Any) -> None:
            self.status.setText(tr("The incident now starts on {date}", self.lang, date=start.isoformat()))
            self.ctx.changed.emit(changes)

        self.ctx.run(lambda ws, _p: move_start(ws, start), moved, self._failed)

    def _cancelled(self) -> None:
        self.status.setText(tr("Import cancelled: nothing was changed.", self.lang))
        self._update_buttons()

    def _failed(self, exc: BaseException, trace: str) -> None:
        from recovery_desk.io.importer import ImportRejected

        self._update_buttons()
        if isinstance(exc, ImportRejected):
            self._checked_ok = False
            self.report.setPlainText("\n".join(p.line(self.lang) for p in exc.problems[:MAX_REPORT_LINES]))
            self.status.setText(exc.message(self.lang))
            self._update_buttons()
        elif isinstance(exc, RecoveryDeskError):
            self.status.setText(exc.message(self.lang))
        else:
            self.ctx.error.emit(exc, trace)

    def _show_result(self, result: Any) -> None:
        lines = [result.summary(self.lang), ""]
        if result.opened_before_start is not None:
            lines[1:1] = [result.opened_before_start.message(self.lang)]
        lines += [p.line(self.lang) for p in result.problems[:MAX_REPORT_LINES]]
        lines += [n.line(self.lang) for n in result.notes[:MAX_REPORT_LINES]]
        hidden = max(0, len(result.problems) - MAX_REPORT_LINES) + max(0, len(result.notes) - MAX_REPORT_LINES)
        if hidden:
            lines.append(tr("… and {count} more", self.lang, count=hidden))
        self.report.setPlainText("\n".join(lines))


class ExportDialog(QDialog):
    """Export cases, organisations, tasks or a 3W to CSV (UTF-8 with BOM), XLSX or HXL."""

    exported = Signal(object)  # ExportResult

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.lang = ctx.lang
        self.result: Any = None
        self.setWindowTitle(tr("Export", self.lang))
        self.kind_combo = QComboBox()
        for kind in ("cases", "organisations", "tasks", "3w"):
            self.kind_combo.addItem(_kind_label(kind, self.lang), kind)
        self.format_combo = QComboBox()
        self.format_combo.addItem(tr("CSV (UTF-8 with BOM, opens in Japanese Excel)", self.lang), "csv")
        self.format_combo.addItem("XLSX", "xlsx")
        self.path_edit = QLineEdit()
        browse = QPushButton(tr("Browse…", self.lang))
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.pii = QCheckBox(tr("Include personal data (only for cases whose consent allows it)", self.lang))
        self.status = QLabel()
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("Export", self.lang), self.kind_combo)
        form.addRow(tr("Format", self.lang), self.format_combo)
        form.addRow(tr("File", self.lang), row)
        form.addRow("", self.pii)
        self.export_button = QPushButton(tr("Export", self.lang))
        self.export_button.clicked.connect(self.start_export)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close", self.lang))
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)

    def _kind_changed(self) -> None:
        self.pii.setEnabled(self.kind_combo.currentData() == "cases")

    def browse(self) -> None:
        suffix = "xlsx" if self.format_combo.currentData() == "xlsx" else "csv"
        path = ask_save_file(self, tr("Export to", self.lang),
                             self.path_edit.text() or f"{self.kind_combo.currentData()}.{suffix}")
        if path:
            self.path_edit.setText(path)

    def start_export(self) -> None:
        from recovery_desk.io.export import export

        path = self.path_edit.text().strip()
        if not path:
            self.status.setText(tr("Choose a file to export to.", self.lang))
            return
        kind, fmt = self.kind_combo.currentData(), self.format_combo.currentData()
        if kind == "3w" and fmt == "csv":
            fmt = "hxl"
        include_pii, lang = self.pii.isChecked() and kind == "cases", self.lang
        self.export_button.setEnabled(False)
        run_job(self, self.ctx, lambda ws, _p: export(ws, kind, path, fmt, include_pii=include_pii, lang=lang),
                self._done, title=tr("Exporting…", self.lang), on_error=self._failed)

    def _done(self, result: Any) -> None:
        self.result = result
        self.export_button.setEnabled(True)
        text = tr("Exported {rows} rows to {path}", self.lang, rows=result.rows, path=result.path)
        if result.backup:
            text += "\n" + tr("The previous file is kept as {path}", self.lang, path=result.backup)
        self.status.setText(text)
        self.exported.emit(result)

    def _failed(self, exc: BaseException, trace: str) -> None:
        self.export_button.setEnabled(True)
        if isinstance(exc, RecoveryDeskError):
            self.status.setText(exc.message(self.lang))
        else:
            self.ctx.error.emit(exc, trace)


def back_up_workspace(ctx: Any, parent: QWidget | None = None, dest: str | Path | None = None) -> None:
    """File ▸ Back up…: copy the open workspace (online backup API) to a file the user picks."""
    from recovery_desk.services.backups import backup

    ws = ctx.workspace
    if ws is None:
        return
    if dest is None:
        dest = ask_save_file(parent, tr("Back up the workspace to", ctx.lang),
                             str(ws.path.with_name(f"{ws.path.stem}-backup{ws.path.suffix}")))
        if not dest:
            return
    target = Path(dest)

    def done(path: Path) -> None:
        QMessageBox.information(parent, tr("Back up", ctx.lang), tr("Backed up to {path}", ctx.lang, path=path))

    def failed(exc: BaseException, trace: str) -> None:
        if isinstance(exc, RecoveryDeskError):
            QMessageBox.warning(parent, tr("Back up", ctx.lang), exc.message(ctx.lang))
        else:
            ctx.error.emit(exc, trace)

    run_job(parent, ctx, lambda w, _p: backup(w.path, target), done, title=tr("Backing up…", ctx.lang),
            on_error=failed, cancellable=False)
