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
