"""Backups, restore, and the import/export/backup/restore commands."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recovery_desk.cli.main import main
from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.services import backups
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Case
from tests.io.conftest import file_hash


def cases_in(path: Path) -> int:
    with Workspace.open(path) as ws, ws.session() as s:
        return s.scalar(select(func.count()).select_from(Case))


def test_backup_while_open_and_restore(ws_path: Path, tmp_path: Path) -> None:
    from recovery_desk.services.cases import create_case

    with Workspace.open(ws_path) as ws:
        create_case(ws, contact_name="A")
        copy = backups.backup(ws_path, f"{tmp_path / 'copies'}/")  # a folder: a dated file inside
        create_case(ws, contact_name="B")  # written to the WAL, after the backup
    assert copy.parent == tmp_path / "copies" and cases_in(copy) == 1
    assert cases_in(ws_path) == 2
    kept = backups.restore(copy, ws_path)
    assert kept is not None and kept.name.startswith("io.replaced-") and cases_in(kept) == 2
    assert cases_in(ws_path) == 1


def test_backup_keeps_an_existing_destination(ws_path: Path, tmp_path: Path) -> None:
    dest = tmp_path / "b.rdesk"
    dest.write_bytes(b"older")
    backups.backup(ws_path, dest)
    assert (tmp_path / "b.rdesk.bak").read_bytes() == b"older"


def test_backup_on_open_keeps_the_last_n(ws_path: Path) -> None:
    made = [backups.backup_on_open(ws_path, keep=3) for _ in range(5)]
    kept = backups.automatic_backups(ws_path)
    assert kept == made[-3:] and all(p.parent == ws_path.parent / "backups" for p in kept)
    assert cases_in(kept[-1]) == 0


def test_backup_on_open_reads_the_setting(ws_path: Path) -> None:
    from recovery_desk.services.settings import save_settings

    save_settings({"backups_keep": 2})
    for _ in range(4):
        backups.backup_on_open(ws_path)
    assert len(backups.automatic_backups(ws_path)) == 2


@pytest.mark.parametrize("damage", ["truncated", "garbage", "not_workspace", "corrupt_page", "newer_schema"])
def test_restore_refuses_a_bad_backup_and_touches_nothing(ws_path: Path, tmp_path: Path, damage: str) -> None:
    bad = tmp_path / "bad.rdesk"
    good = backups.backup(ws_path, tmp_path / "good.rdesk")
    data = good.read_bytes()
    if damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        bad.write_bytes(b"hello, not a database" * 100)
    elif damage == "newer_schema":
        bad.write_bytes(data)
        con = sqlite3.connect(bad)
        con.execute("update alembic_version set version_num = '9999_from_the_future'")
        con.commit()
        con.close()
    elif damage == "not_workspace":
        con = sqlite3.connect(bad)
        con.execute("create table t(x)")
        con.commit()
        con.close()
    else:
        page = 4096
        corrupted = bytearray(data)
        for i in range(page * 3, min(len(data), page * 6)):  # smash b-tree pages, keep the header
            corrupted[i] = 0xFF
        bad.write_bytes(bytes(corrupted))
    before = file_hash(ws_path)
    with pytest.raises(WorkspaceError):
        backups.restore(bad, ws_path)
    assert file_hash(ws_path) == before
    assert not list(ws_path.parent.glob("io.replaced-*"))


CSV_BAD = "氏名,世帯人数,受付日\n山田,3,令和6年1月14日\n佐藤,たくさん,令和6年2月30日\n"


def test_cli_rejected_import_exits_1_and_leaves_the_file_as_it_was(ws_path: Path, tmp_path: Path, capsys) -> None:
    src = tmp_path / "cases.csv"
    src.write_text(CSV_BAD, encoding="cp932")
    before = file_hash(ws_path)
    assert main(["--workspace", str(ws_path), "import", "cases", str(src)]) == 1
    err = capsys.readouterr().err
    assert "row 3, column '世帯人数', value 'たくさん': not a whole number" in err
    assert "row 3, column '受付日', value '令和6年2月30日': no such day in the calendar" in err
    assert "nothing was imported" in err
    assert file_hash(ws_path) == before
    # --dry-run says the same, exit 1, and writes nothing either.
    assert main(["--workspace", str(ws_path), "import", "cases", str(src), "--dry-run"]) == 1
    assert file_hash(ws_path) == before
    assert main(["--workspace", str(ws_path), "--lang", "ja", "import", "cases", str(src), "--valid-only"]) == 0
    out = capsys.readouterr().out
    assert "取り込みました" in out and "3 行目" in out
    assert cases_in(ws_path) == 1


def test_cli_map_export_backup_restore(ws_path: Path, tmp_path: Path, capsys) -> None:
    src = tmp_path / "list.csv"
    src.write_text("No.,Name,Size\n1,山田,3\n2,佐藤,2\n", encoding="utf-8")
    args = ["--workspace", str(ws_path)]
    assert main([*args, "import", "cases", str(src), "--map", "Name=contact_name", "--map", "No.=-"]) == 0
    assert main([*args, "export", "cases", str(tmp_path / "out.xlsx")]) == 0
    assert main([*args, "export", "3w", str(tmp_path / "3w.csv"), "--format", "hxl"]) == 0
    assert main([*args, "export", "cases", str(tmp_path / "x.csv"), "--format", "hxl"]) == 1
    assert main([*args, "backup", str(tmp_path / "b.rdesk")]) == 0
    assert main([*args, "import", "cases", str(tmp_path / "out.xlsx")]) == 0  # all duplicates: nothing new
    assert cases_in(ws_path) == 2
    assert main([*args, "restore", str(tmp_path / "b.rdesk")]) == 0
    out = capsys.readouterr().out
    assert "The replaced workspace is kept as" in out
    assert main([*args, "restore", str(tmp_path / "list.csv")]) == 1
