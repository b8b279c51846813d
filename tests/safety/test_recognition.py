"""A workspace is recognised through SQLite: application id, schema revision, SQLite's own
errors. Crash leftovers that SQLite recovers are not "damage"; foreign files stay untouched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.services import cases
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage import database
from tests.safety.helpers import (
    assert_one_line_failure,
    count,
    kill_writer_under_rollback_journal,
    read_only_view,
    run_here,
)


def digests(folder: Path) -> dict[str, str]:
    """Every file's digest but the -shm (SQLite's shared-memory index, rebuilt by any reader)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith("-shm")}


def make_workspace(path: Path, n: int = 20) -> Path:
    with Workspace.create(path, incident_name="Noto", reference_prefix="NOTO") as ws:
        for i in range(n):
            cases.create_case(ws, contact_name=f"c{i}", notes="n" * 1500)
    return path


def test_a_new_workspace_carries_the_application_id(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk", 0)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == database.APPLICATION_ID == 0x5244534B
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_a_workspace_made_before_the_application_id_gets_it_on_first_open(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk", 1)
    con = sqlite3.connect(path)
    con.execute("PRAGMA application_id=0")
    con.commit()
    con.close()
    assert database.inspect_file(path).application_id == 0
    with Workspace.open(path):
        pass
    assert database.inspect_file(path).application_id == database.APPLICATION_ID


def test_a_hot_journal_is_rolled_back_by_sqlite_not_called_damage(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk")
    kill_writer_under_rollback_journal(path)
    result = run_here("--workspace", str(path), "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert '"total": 20' in result.stdout
    assert not Path(f"{path}-journal").exists()
    assert run_here("--workspace", str(path), "check").returncode == 0
    assert count(path) == 20  # the killed transaction (which deleted every case) left nothing


def test_main_file_shorter_than_its_header_with_the_rest_in_the_wal(tmp_path):
    """A crash during a checkpoint: page 1 (saying the new size) reached the main file but
    its tail did not; the WAL still holds every committed page, and SQLite reads it."""
    path = make_workspace(tmp_path / "w.rdesk", 1)
    small = path.stat().st_size
    script = r"""
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA wal_autocheckpoint=0")
cols = [r[1] for r in con.execute('PRAGMA table_info("case")')]
picks = ["?" if c in ("id", "reference", "notes") else c for c in cols]
sql = f'INSERT INTO "case" ({", ".join(cols)}) SELECT {", ".join(picks)} FROM "case" LIMIT 1'
con.execute("BEGIN")
for i in range(59):
    values = {"id": f"id{i}", "reference": f"NOTO-{i + 100:04}", "notes": "x" * 3000}
    con.execute(sql, [values[c] for c in cols if c in values])
con.execute("COMMIT")
con.execute("PRAGMA wal_checkpoint(PASSIVE)")  # copies the pages, keeps the WAL
os.kill(os.getpid(), 9)
"""
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    big = path.stat().st_size
    assert big > small and Path(f"{path}-wal").stat().st_size > 0
    Path(f"{path}-shm").unlink()  # as after a power cut: the index is rebuilt from the WAL
    os.truncate(path, small)  # the checkpoint's last writes never reached the disk
    result = run_here("--workspace", str(path), "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert '"total": 60' in result.stdout
    assert run_here("--workspace", str(path), "check").returncode == 0


def test_foreign_files_are_refused_byte_for_byte(tmp_path):
    folder = tmp_path / "foreign"
    folder.mkdir()
    (folder / "notes.rdesk").write_text("氏名,住所\n山田,七尾市\n", encoding="utf-8")
    other = sqlite3.connect(folder / "other-app.rdesk")
    other.execute("PRAGMA application_id=1196444237")  # another application's mark
    other.execute("CREATE TABLE alembic_version (version_num)")
    other.execute("INSERT INTO alembic_version VALUES ('0001')")
    other.commit()
    other.close()
    # An application's WAL-mode database, killed with committed pages still in its WAL.
    script = r"""
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA wal_autocheckpoint=0")
con.execute("CREATE TABLE t (x)"); con.execute("INSERT INTO t VALUES (1)")
os.kill(os.getpid(), 9)
"""
    subprocess.run([sys.executable, "-c", script, str(folder / "wal-app.rdesk")], check=False)
    # Another application's database with a hot journal: SQLite would roll it back.
    hot = sqlite3.connect(folder / "hot-app.rdesk")
    hot.execute('CREATE TABLE "case" (notes)')
    hot.executemany('INSERT INTO "case" VALUES (?)', [("y" * 900,)] * 50)
    hot.commit()
    hot.close()
    kill_writer_under_rollback_journal(folder / "hot-app.rdesk")
    before = digests(folder)
    expected = {"notes.rdesk": "not an SQLite file", "other-app.rdesk": "another application's",
                "wal-app.rdesk": "not a Recovery Desk workspace", "hot-app.rdesk": "not a Recovery Desk workspace"}
    for name, reason in expected.items():
        with pytest.raises(WorkspaceError, match=reason):
            Workspace.open(folder / name)
        assert_one_line_failure(run_here("--workspace", str(folder / name), "stats"), reason)
    assert_one_line_failure(run_here("--workspace", str(folder / "hot-app.rdesk"), "import", "cases",
                                str(folder / "notes.rdesk")), "not a Recovery Desk workspace")
    assert digests(folder) == before


def test_a_workspace_on_a_write_protected_stick_serves_every_reading_command(tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    make_workspace(stick / "w.rdesk")
    out = tmp_path / "out"
    out.mkdir()
    with read_only_view(stick) as view:
        ws = view / "w.rdesk"
        assert database.inspect_file(ws).read_only
        assert run_here("--workspace", str(ws), "check").returncode == 0
        stats = run_here("--workspace", str(ws), "stats", "--json")
        assert stats.returncode == 0 and '"total": 20' in stats.stdout
        assert run_here("--workspace", str(ws), "export", "cases", str(out / "c.csv")).returncode == 0
        assert run_here("--workspace", str(ws), "report", "incident", "--out", str(out / "r.pdf")).returncode == 0
        assert run_here("--workspace", str(ws), "backup", str(out / "b.rdesk")).returncode == 0
        (out / "new.csv").write_text("氏名\n山田\n", encoding="utf-8")
        assert_one_line_failure(run_here("--workspace", str(ws), "import", "cases", str(out / "new.csv")), "read-only")
        assert sorted(p.name for p in view.iterdir()) == ["w.rdesk"]
    assert count(out / "b.rdesk") == 20 and (out / "r.pdf").stat().st_size > 0


def test_an_unfinished_change_on_a_write_protected_stick_is_explained(tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    make_workspace(stick / "w.rdesk")
    kill_writer_under_rollback_journal(stick / "w.rdesk")
    before = digests(stick)
    with read_only_view(stick) as view:
        assert_one_line_failure(run_here("--workspace", str(view / "w.rdesk"), "stats"), "read-only", "writable folder")
    assert digests(stick) == before
    assert run_here("--workspace", str(stick / "w.rdesk"), "check").returncode == 0  # writable again: recovered


def test_a_demo_is_in_wal_mode_before_anyone_can_open_it(tmp_path):
    """Demo data is written in DELETE journal mode (faster), in a file no one else can see; the
    file that gets the name is already WAL (the header says so: no open is needed to switch)."""
    from datetime import date

    from recovery_desk.services.demo import create_demo

    path = tmp_path / "demo.rdesk"
    create_demo(path, cases=5, seed=1, as_of=date(2024, 3, 1))
    with open(path, "rb") as f:  # no connection to it in this process: reading its header is safe here
        header = f.read(20)
    assert header[18:20] == b"\x02\x02"  # file format read/write version 2 = WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.rdesk"]
