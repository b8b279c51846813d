"""The CLI contract: commands, JSON keys, exit codes, messages on stderr in both languages."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from recovery_desk.cli.main import main
from recovery_desk.domain.vocabulary import (
    NEED_CATEGORY,
    NEED_STATE,
    PRIORITY,
    SECTOR,
    STAGE,
    TASK_STATUS,
)
from tests.conftest import DEMO_AS_OF, PROJECT_ROOT

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_then_check_then_stats(tmp_path, capsys):
    ws = str(tmp_path / "w.rdesk")
    assert run(capsys, "--workspace", ws, "init", "--incident", "Noto", "--start", "2024-01-01")[0] == 0
    code, out, _ = run(capsys, "--workspace", ws, "check")
    assert code == 0 and "healthy" in out
    code, out, _ = run(capsys, "--workspace", ws, "stats", "--json")
    assert code == 0 and json.loads(out)["cases"]["total"] == 0


def test_stats_json_has_every_key_zero_or_not(demo_path, capsys):
    code, out, _ = run(capsys, "--workspace", str(demo_path), "stats", "--json", "--to", str(DEMO_AS_OF))
    assert code == 0
    figures = json.loads(out)
    cases = figures["cases"]
    assert set(cases["by_stage"]) == set(STAGE.codes)
    assert set(cases["by_priority"]) == set(PRIORITY.codes)
    assert set(cases["by_sectors_engaged"]) == {"0", "1", "2", "3", "4"}
    assert sum(cases["by_sectors_engaged"].values()) == cases["total"] == sum(cases["by_stage"].values()) == 300
    assert {"opened_in_period", "closed_in_period"} <= set(cases)
    assert set(figures["needs"]["by_category"]) == set(NEED_CATEGORY.codes)
    assert all(set(v) == set(NEED_STATE.codes) for v in figures["needs"]["by_category"].values())
    assert set(figures["tasks"]["by_status"]) == set(TASK_STATUS.codes)
    assert figures["tasks"]["total"] == sum(figures["tasks"]["by_status"].values()) > 0
    assert 0 < figures["tasks"]["overdue"] < figures["tasks"]["total"]
    assert set(figures["organisations"]["by_sector"]) == set(SECTOR.codes)
    assert figures["people"]["total"] > 0


def test_stats_period_counts_opened_cases(demo_path, capsys):
    _, whole, _ = run(capsys, "--workspace", str(demo_path), "stats", "--json")
    _, january, _ = run(capsys, "--workspace", str(demo_path), "stats", "--json", "--from", "2024-01-01",
                        "--to", "2024-01-31")
    assert 0 < json.loads(january)["cases"]["opened_in_period"] < json.loads(whole)["cases"]["opened_in_period"]


@pytest.mark.parametrize("lang,needle", [("en", "not a date"), ("ja", "日付ではありません")])
def test_bad_date_is_exit_1_with_a_message_in_the_language(demo_path, capsys, lang, needle):
    code, out, err = run(capsys, "--lang", lang, "--workspace", str(demo_path), "stats", "--from", "2024-02-30")
    assert code == 1 and out == "" and needle in err and "--from" in err
    assert len(err.strip().splitlines()) == 1


def test_usage_errors_are_exit_2_and_translated(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--lang", "ja", "stats", "--bogus"])
    assert info.value.code == 2
    assert "認識できない引数" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 50])
def test_bad_workspace_is_exit_1_one_line_and_unchanged(tmp_path, capsys, content):
    bad = tmp_path / "bad.rdesk"
    bad.write_bytes(content)
    for command in (["stats"], ["check"], ["stats", "--json"]):
        code, out, err = run(capsys, "--workspace", str(bad), *command)
        assert code == 1 and out == ""
        assert len(err.strip().splitlines()) == 1 and str(bad) in err
    assert bad.read_bytes() == content


def test_missing_workspace_is_exit_1(tmp_path, capsys):
    code, _, err = run(capsys, "--workspace", str(tmp_path / "none.rdesk"), "stats")
    assert code == 1 and "no workspace here" in err


def test_demo_refuses_to_overwrite_and_is_deterministic(tmp_path, capsys):
    a, b = tmp_path / "a.rdesk", tmp_path / "b.rdesk"
    for path in (a, b):
        assert run(capsys, "--workspace", str(path), "demo", "--cases", "40", "--seed", "3",
                   "--as-of", "2024-05-01")[0] == 0
    before = hashlib.sha256(a.read_bytes()).hexdigest()
    code, _, err = run(capsys, "--workspace", str(a), "demo", "--cases", "40")
    assert code == 1 and "already exists" in err
    assert hashlib.sha256(a.read_bytes()).hexdigest() == before

    def content(path: Path) -> dict:
        """Every row's fields, less the creation timestamps and the incident's random id."""
        import sqlite3
        skip = {"created_at", "updated_at", "incident_id"}
        con = sqlite3.connect(path)
        try:
            out = {}
            for table in ("case", "task", "organisation", "need", "person", "participation"):
                columns = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[1] not in skip]
                out[table] = con.execute(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY id').fetchall()
            return out
        finally:
            con.close()

    first, second = content(a), content(b)
    assert len(first["case"]) == 40 and len(first["task"]) > 40
    assert first == second


def test_main_py_behaves_like_the_console_script(tmp_path):
    ws = tmp_path / "w.rdesk"
    script = subprocess.run([sys.executable, str(PROJECT_ROOT / "main.py"), "--workspace", str(ws), "init"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert script.returncode == 0 and ws.exists()
    again = subprocess.run([sys.executable, str(PROJECT_ROOT / "main.py"), "--lang", "ja", "--workspace", str(ws),
                            "init"], capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 1 and "既に存在します" in again.stderr


def test_check_reports_a_broken_invariant_and_exits_1(demo_copy, capsys):
    from tests.pg_helpers import raw_connection

    con = raw_connection(demo_copy)
    con.execute("UPDATE organisation SET sector = 'market' WHERE name = '七尾市役所'")
    con.execute("UPDATE \"case\" SET closure_reason = NULL WHERE stage = 'closed'")
    con.commit()
    con.close()
    code, out, _ = run(capsys, "--lang", "ja", "--workspace", str(demo_copy), "check")
    assert code == 1
    assert "七尾市役所" in out and "終結理由なし" in out
