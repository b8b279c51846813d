"""Restore and backup cannot lose work: the WAL is part of the workspace, a damaged file is
kept whole, a backup of damaged pages is refused, and every wait for a lock is bounded."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recovery_desk.services import backups, cases
from recovery_desk.services.workspace import Workspace
from tests.safety.helpers import (
    FAST_BUSY_MS,
    Holder,
    LockHolder,
    assert_one_line_failure,
    cli,
    cli_env,
    count,
    run_here,
)


def make_workspace(path: Path, n: int) -> Path:
    with Workspace.create(path, incident_name="Noto", reference_prefix="NOTO") as ws:
        for i in range(n):
            cases.create_case(ws, contact_name=f"c{i}", notes="n" * 1500)
    return path


def commit_into_the_wal_and_die(path: Path, n: int) -> None:
    """A writer commits ``n`` more cases that stay in the -wal (no checkpoint), then is killed."""
    script = r"""
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA wal_autocheckpoint=0")
cols = [r[1] for r in con.execute('PRAGMA table_info("case")')]
picks = ["?" if c in ("id", "reference") else c for c in cols]
sql = f'INSERT INTO "case" ({", ".join(cols)}) SELECT {", ".join(picks)} FROM "case" LIMIT 1'
con.execute("BEGIN")
for i in range(int(sys.argv[2])):
    con.execute(sql, [f"wal{i}", f"NOTO-{i + 1000:05}"])
con.execute("COMMIT")
os.kill(os.getpid(), 9)
"""
    done = subprocess.run([sys.executable, "-c", script, str(path), str(n)], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    assert Path(f"{path}-wal").stat().st_size > 0


def smash_pages(path: Path, n: int = 6, table: str | None = None) -> None:
    """Overwrite ``n`` interior pages with garbage, keeping the header and the schema: a
    workspace SQLite opens, with damaged pages — near the end of the file (the cases' data),
    or the pages of ``table`` (found with SQLite's dbstat)."""
    page = 4096
    if table is None:
        pages = path.stat().st_size // page
        numbers = list(range(pages - n - 2, pages - 2))
    else:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        numbers = [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'",
                                             (table,))][:n]
        con.close()
        assert len(numbers) == n, numbers
    with open(path, "r+b") as f:  # no connection to it in this process
        for number in numbers:
            f.seek(page * (number - 1))
            f.write(b"\xff" * page)


def test_restore_keeps_the_commits_in_the_wal_in_the_replaced_copy(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk", 3)
    older = backups.backup(path, tmp_path / "older.rdesk")
    commit_into_the_wal_and_die(path, 200)
    kept = backups.restore(older, path)
    assert kept is not None and kept.name.startswith("w.replaced-") and kept.name.endswith(".rdesk.bak")
    assert count(kept) == 203  # the committed work in the WAL is in the kept copy
    con = sqlite3.connect(f"file:{kept}?mode=ro", uri=True)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert count(path) == 3
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    assert run_here("--workspace", str(path), "check").returncode == 0


def test_restore_over_a_damaged_workspace_moves_all_its_files_aside_together(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk", 40)
    good = backups.backup(path, tmp_path / "good.rdesk")
    commit_into_the_wal_and_die(path, 5)
    smash_pages(path, table="activity")  # the audit trail's pages: quick_check fails, cases still read
    assert {p.name for p in tmp_path.glob("w.rdesk*")} >= {"w.rdesk", "w.rdesk-wal"}
    kept = backups.restore(good, path)
    assert kept.name.startswith("w.replaced-")
    # Nothing is left under the workspace's name but the restored file (no stray -wal to replay)
    assert {p.name for p in tmp_path.glob("w.rdesk*")} == {"w.rdesk"}
    # The kept set still holds every commit, the five only in the WAL included (SQLite may have
    # folded its WAL into the kept main file: that moves no work, it is where it belongs).
    assert count(kept) == 40 + 5
    assert count(path) == 40
    assert run_here("--workspace", str(path), "check").returncode == 0


def test_backup_refuses_damaged_pages_unless_forced(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk", 40)
    smash_pages(path)
    err = assert_one_line_failure(run_here("--workspace", str(path), "backup", str(tmp_path / "b.rdesk")),
                                  "fails SQLite's quick check", "--force")
    assert str(path) in err
    assert not (tmp_path / "b.rdesk").exists() and not list(tmp_path.glob(".b.rdesk.*"))
    forced = run_here("--workspace", str(path), "backup", str(tmp_path / "b.rdesk"), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "b.rdesk").stat().st_size > 0
    ja = run_here("--workspace", str(path), "--lang", "ja", "backup", str(tmp_path / "c.rdesk"))
    assert_one_line_failure(ja, "クイックチェック")


def test_the_automatic_backup_of_a_damaged_workspace_keeps_the_good_ones(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk", 40)
    good = [backups.backup_on_open(path, keep=2) for _ in range(2)]
    smash_pages(path)
    with pytest.raises(Exception, match="quick check"):
        backups.backup_on_open(path, keep=2)
    assert backups.automatic_backups(path) == good


def test_restore_beside_the_running_app_is_refused_naming_it(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk", 2)
    older = backups.backup(path, tmp_path / "older.rdesk")
    env = cli_env(RECOVERY_DESK_BUSY_TIMEOUT_MS=FAST_BUSY_MS)
    holder = Holder(path, env)
    try:
        started = time.monotonic()
        result = cli("--workspace", str(path), "restore", str(older), env=env)
        assert time.monotonic() - started < 60
        assert_one_line_failure(result, "in use by another program", f"pid {holder.pid}")
        holder.send("write")
        assert holder.deleted_files() == []
    finally:
        holder.close()
    assert count(path) == 4  # 2 + the holder's own edit on open + one more
    assert not list(tmp_path.glob("w.replaced-*"))
    assert run_here("--workspace", str(path), "restore", str(older)).returncode == 0  # once the app is closed
    assert count(path) == 2


def test_a_write_lock_held_elsewhere_bounds_restore_and_import_but_not_backup(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk", 2)
    older = backups.backup(path, tmp_path / "older.rdesk")
    csv = tmp_path / "new.csv"
    csv.write_text("氏名\n山田\n", encoding="utf-8")
    env = cli_env(RECOVERY_DESK_BUSY_TIMEOUT_MS=FAST_BUSY_MS)
    lock = LockHolder(path)
    try:
        for argv in (("restore", str(older)), ("import", "cases", str(csv))):
            assert_one_line_failure(cli("--workspace", str(path), *argv, env=env), "in use by another program",
                                    "gave up waiting after 1.5 s", "python")
        ja = cli("--workspace", str(path), "--lang", "ja", "import", "cases", str(csv), env=env)
        assert_one_line_failure(ja, "使用中")
        copy = cli("--workspace", str(path), "backup", str(tmp_path / "b.rdesk"), env=env)
        assert copy.returncode == 0, copy.stderr  # readers are never blocked by a writer in WAL mode
    finally:
        lock.release()
    assert count(path) == 2 and count(tmp_path / "b.rdesk") == 2


def test_a_long_backup_or_restore_says_what_it_is_doing_on_stderr(tmp_path, monkeypatch):
    """A checked copy of a large workspace takes half a minute (60,000 cases): the CLI says so
    before it starts (stderr; stdout stays what scripts read). A small one says nothing."""
    from recovery_desk.cli.commands import transfer

    path = make_workspace(tmp_path / "w.rdesk", 3)
    quiet = run_here("--workspace", str(path), "backup", str(tmp_path / "small.rdesk"))
    assert quiet.returncode == 0 and quiet.stderr == ""
    monkeypatch.setattr(transfer, "SAY_PROGRESS_FROM_BYTES", 0)  # every workspace counts as large
    told = run_here("--workspace", str(path), "backup", str(tmp_path / "large.rdesk"))
    assert told.returncode == 0 and "Backed up to" in told.stdout
    assert told.stderr.splitlines() == [f"recovery-desk: Copying {path} ({backups.size_mb(path)} MB) through SQLite, "
                                        "then checking the copy (quick_check)…"]
    restored = run_here("--workspace", str(path), "--lang", "ja", "restore", str(tmp_path / "large.rdesk"))
    assert restored.returncode == 0, restored.stderr
    lines = restored.stderr.splitlines()
    assert len(lines) == 2 and "検査しています" in lines[0] and "復元します" in lines[1], lines
