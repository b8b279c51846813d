"""The import's rough edges: a dry run of a file the real import would refuse says so (not
"skipped"), and cases opened before the incident's start are warned about."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from recovery_desk.cli.main import main

BAD_ROWS = "氏名,世帯人数,受付日\n山田,3,令和6年1月14日\n佐藤,たくさん,令和6年2月3日\n"


def _workspace(tmp_path: Path) -> Path:
    from recovery_desk.services.workspace import Workspace

    path = tmp_path / "edges.rdesk"
    Workspace.create(path, incident_name="Noto quake", hazard="EQ", start_date=date(2024, 1, 1),
                     reference_prefix="NANAO", actor="Test").close()
    return path


def test_a_dry_run_says_the_rows_would_make_the_import_refuse_the_file(tmp_path: Path, capsys) -> None:
    ws_path, src = _workspace(tmp_path), tmp_path / "cases.csv"
    src.write_text(BAD_ROWS, encoding="utf-8")
    assert main(["--workspace", str(ws_path), "import", "cases", str(src), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "skipped: " not in out and "problems skipped" not in out
    assert "would refuse the file: row 3, column '世帯人数', value 'たくさん'" in out
    assert f"The import of {src} would be refused: 1 rows have problems; without them it would import cases 1" in out
    assert main(["--workspace", str(ws_path), "--lang", "ja", "import", "cases", str(src), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "ファイル全体が取り込めなくなる行: 3 行目" in out and "は取り込めません" in out and "飛ばした" not in out
    # With --valid-only the same dry run skips them, and says so.
    assert main(["--workspace", str(ws_path), "import", "cases", str(src), "--dry-run", "--valid-only"]) == 0
    out = capsys.readouterr().out
    assert "skipped: row 3" in out and "1 rows with problems skipped" in out and "would refuse" not in out


# -- cases opened before the incident's start -------------------------------------------------
OLD_CASES = "氏名,世帯人数,受付日\n山田,3,令和6年1月14日\n佐藤,2,2023-12-20\n鈴木,1,2024-03-01\n"


def _start_of(path: Path) -> date:
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(path, actor="Test") as ws, ws.session() as s:
        return ws.default_incident(s).start_date


def test_importing_cases_older_than_the_start_warns_and_incident_start_moves_it(tmp_path: Path, capsys) -> None:
    ws_path, src = _workspace(tmp_path), tmp_path / "old.csv"  # the incident starts 2024-01-01
    src.write_text(OLD_CASES, encoding="utf-8")
    assert main(["--workspace", str(ws_path), "import", "cases", str(src), "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "1 of these cases were opened before the incident's start (2024-01-01), the earliest on 2023-12-20" in err
    assert "recovery-desk incident start 2023-12-20" in err
    assert main(["--workspace", str(ws_path), "--lang", "ja", "import", "cases", str(src)]) == 0
    err = capsys.readouterr().err
    assert "1 件のケースは災害の発生日（2024-01-01）より前" in err and "incident start 2023-12-20" in err
    assert main(["--workspace", str(ws_path), "incident", "start", "R5.12.20"]) == 0
    assert "The incident now starts on 2023-12-20" in capsys.readouterr().out
    assert _start_of(ws_path) == date(2023, 12, 20)
    assert main(["--workspace", str(ws_path), "incident", "start", "平成31年5月1日"]) == 1  # never existed
    assert _start_of(ws_path) == date(2023, 12, 20)


def test_cases_after_the_start_raise_no_warning(tmp_path: Path, capsys) -> None:
    ws_path, src = _workspace(tmp_path), tmp_path / "new.csv"
    src.write_text("氏名,世帯人数,受付日\n山田,3,2024-01-14\n", encoding="utf-8")
    assert main(["--workspace", str(ws_path), "import", "cases", str(src)]) == 0
    assert "before the incident's start" not in capsys.readouterr().err


def test_the_import_dialog_offers_to_move_the_start(qtbot, tmp_path: Path) -> None:
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.dialogs.import_dialog import ImportDialog
    from recovery_desk.ui.worker import DatabaseWorker

    ws_path, src = _workspace(tmp_path), tmp_path / "old.csv"
    src.write_text(OLD_CASES, encoding="utf-8")
    worker = DatabaseWorker()
    ctx = AppContext(worker, lang="en")
    ctx.set_workspace(Workspace.open(ws_path, actor="Test"))
    try:
        dialog = ImportDialog(ctx, path=src)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.check_button.isEnabled(), timeout=10_000)
        dialog.check_button.click()
        qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
        assert "earliest on 2023-12-20" in dialog.report.toPlainText()
        dialog.import_button.click()
        qtbot.waitUntil(lambda: getattr(dialog, "start_box", None) is not None, timeout=10_000)
        box = dialog.start_box
        assert "2023-12-20" in box.text() and "opened in the period" in box.text()
        move = next(b for b in box.buttons() if "Move the start to 2023-12-20" in b.text())
        with qtbot.waitSignal(ctx.changed, timeout=10_000):
            move.click()
        assert "now starts on 2023-12-20" in dialog.status.text()
        with ctx.workspace.session() as s:
            assert ctx.workspace.default_incident(s).start_date == date(2023, 12, 20)
        dialog.close()
    finally:
        ctx.set_workspace(None)
        worker.stop()
