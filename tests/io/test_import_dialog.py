"""The import and export dialogs, on a real database worker (pytest-qt)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from recovery_desk.storage.models import Activity, Case

pytestmark = pytest.mark.gui

CSV = ("七尾市 被災世帯一覧,,,\n氏名,世帯人数,受付日,地区\n山田,3,令和6年1月14日,御祓\n佐藤,x,R6.1.15,府中\n"
       "鈴木,2,2024-01-20,和倉\n")


@pytest.fixture
def io_ctx(qapp, tmp_path: Path) -> Iterator:
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.worker import DatabaseWorker

    worker = DatabaseWorker()
    ctx = AppContext(worker, lang="en")
    path = tmp_path / "dlg.rdesk"
    ctx.set_workspace(Workspace.create(path, incident_name="Noto", start_date=date(2024, 1, 1),
                                       reference_prefix="NANAO", actor="Test"))
    yield ctx
    ctx.set_workspace(None)
    worker.stop()


def idle(qtbot, ctx) -> None:
    qtbot.waitUntil(lambda: not ctx.worker.busy, timeout=15_000)


def count_cases(ctx) -> int:
    with ctx.workspace.session() as s:
        return s.scalar(select(func.count()).select_from(Case))


def make_dialog(qtbot, ctx, path: Path):
    from recovery_desk.ui.dialogs.import_dialog import ImportDialog

    dialog = ImportDialog(ctx, path=path)
    qtbot.addWidget(dialog)
    idle(qtbot, ctx)
    return dialog


def test_check_then_import_valid_rows(qtbot, io_ctx, tmp_path: Path) -> None:
    src = tmp_path / "cases.csv"
    src.write_text(CSV, encoding="cp932")
    dialog = make_dialog(qtbot, io_ctx, src)
    mapping = {dialog.mapping_model.item(r, 0).text(): dialog.mapping_model.item(r, 1).data(Qt.ItemDataRole.UserRole)
               for r in range(dialog.mapping_model.rowCount())}
    assert mapping == {"氏名": "contact_name", "世帯人数": "household_size", "受付日": "opened_on", "地区": "district"}
    assert dialog.preview_model.rowCount() == 3
    assert dialog.preview_model.headerData(0, Qt.Orientation.Vertical) == "3"  # Excel's row number
    assert not dialog.import_button.isEnabled()
    dialog.check_button.click()
    idle(qtbot, io_ctx)
    assert "row 4, column '世帯人数', value 'x': not a whole number" in dialog.report.toPlainText()
    assert not dialog.import_button.isEnabled() and count_cases(io_ctx) == 0
    dialog.valid_only.setChecked(True)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(io_ctx.changed, timeout=15_000) as changed:
        dialog.import_button.click()
    assert changed.args[0].created["case"] and count_cases(io_ctx) == 2
    with io_ctx.workspace.session() as s:
        assert set(s.scalars(select(Activity.operation).where(Activity.entity == "case"))) == {
            "import_cases_valid_only"}


def test_changing_a_mapping_by_hand(qtbot, io_ctx, tmp_path: Path) -> None:
    src = tmp_path / "list.csv"
    src.write_text("番号,お名前様\nA-1,田中\n", encoding="utf-8")
    dialog = make_dialog(qtbot, io_ctx, src)
    names = [dialog.mapping_model.item(r, 0).text() for r in range(dialog.mapping_model.rowCount())]
    row = names.index("お名前様")
    item = dialog.mapping_model.item(row, 1)
    item.setData("contact_name", Qt.ItemDataRole.UserRole)
    assert dialog.options().mapping == {"お名前様": "contact_name"}
    assert "contact_name" in dialog.preview_model.headerData(row, Qt.Orientation.Horizontal)
    dialog.check_button.click()
    idle(qtbot, io_ctx)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=15_000):
        dialog.import_button.click()
    idle(qtbot, io_ctx)
    with io_ctx.workspace.session() as s:
        assert s.scalar(select(Case.contact_name)) == "田中"


def test_cancelled_import_changes_nothing(qtbot, io_ctx, tmp_path: Path) -> None:
    src = tmp_path / "big.csv"
    src.write_text("氏名,世帯人数\n" + "".join(f"名前{i},{i % 6 + 1}\n" for i in range(30_000)), encoding="utf-8")
    dialog = make_dialog(qtbot, io_ctx, src)
    dialog.valid_only.setChecked(True)
    dialog.import_button.click()
    dialog.ticket.cancel()  # as the progress dialog's Cancel button does
    qtbot.waitUntil(lambda: "cancelled" in dialog.status.text(), timeout=15_000)
    idle(qtbot, io_ctx)
    assert count_cases(io_ctx) == 0
    with io_ctx.workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Activity).where(Activity.entity == "case")) == 0


def test_a_file_that_cannot_be_read_says_why(qtbot, io_ctx, tmp_path: Path) -> None:
    src = tmp_path / "old.xls"
    src.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    dialog = make_dialog(qtbot, io_ctx, src)
    assert "old Excel .xls" in dialog.status.text()
    assert not dialog.check_button.isEnabled()


def test_export_dialog(qtbot, io_ctx, tmp_path: Path) -> None:
    from recovery_desk.services.cases import create_case
    from recovery_desk.ui.dialogs.import_dialog import ExportDialog

    create_case(io_ctx.workspace, contact_name="山田")
    dialog = ExportDialog(io_ctx)
    qtbot.addWidget(dialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("cases"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("xlsx"))
    dialog.path_edit.setText(str(tmp_path / "cases.xlsx"))
    with qtbot.waitSignal(dialog.exported, timeout=15_000):
        dialog.export_button.click()
    assert dialog.result.rows == 1 and (tmp_path / "cases.xlsx").exists()
    idle(qtbot, io_ctx)


def test_dialog_in_japanese(qtbot, io_ctx, tmp_path: Path) -> None:
    from recovery_desk.ui.dialogs.import_dialog import ImportDialog

    io_ctx.lang = "ja"
    src = tmp_path / "cases.csv"
    src.write_text(CSV, encoding="utf-8")
    dialog = ImportDialog(io_ctx, path=src)
    qtbot.addWidget(dialog)
    idle(qtbot, io_ctx)
    assert dialog.windowTitle() == "取り込み" and dialog.check_button.text() == "検査"
    assert dialog.mapping_model.item(0, 1).text() == "連絡先氏名 (contact_name)"
    dialog.check_button.click()
    idle(qtbot, io_ctx)
    assert "4 行目、列「世帯人数」、値「x」: 整数ではありません" in dialog.report.toPlainText()
    assert "問題が 1 件あります" in dialog.status.text()
