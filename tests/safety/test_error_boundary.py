"""One error boundary: known failures are one line in the user's language and exit 1; new
files appear whole or not at all, and what a killed run left is cleaned by the next."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

from recovery_desk.services import cases
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage import files
from tests.safety.helpers import (
    assert_one_line_failure,
    cli,
    cli_env,
    count,
    run_here,
    small_disk,
    wait_for,
)
from tests.safety.test_backups_safety import smash_pages


def make_workspace(path: Path, n: int = 40) -> Path:
    with Workspace.create(path, incident_name="Noto", reference_prefix="NOTO") as ws:
        for i in range(n):
            cases.create_case(ws, contact_name=f"c{i}", notes="n" * 1500)
    return path


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_closed_output_pipe_is_one_line_not_a_traceback(demo_path):
    proc = subprocess.Popen([sys.executable, "-m", "recovery_desk.cli.main", "--workspace", str(demo_path),
                             "stats", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=cli_env())
    proc.stdout.close()  # the reader is gone before anything is written (as `| head` ends early)
    err = proc.stderr.read()
    proc.stderr.close()
    proc.wait(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err and "Exception ignored" not in err, err
    assert err.strip().splitlines() == ["recovery-desk: error: the output was closed before everything was written"]


def test_damaged_pages_are_one_line_for_every_command(tmp_path):
    path = make_workspace(tmp_path / "w.rdesk")
    smash_pages(path)
    csv = tmp_path / "c.csv"
    csv.write_text("氏名\n山田\n", encoding="utf-8")
    for argv in (("stats",), ("import", "cases", str(csv)), ("export", "cases", str(tmp_path / "e.csv")),
                 ("report", "incident", "--out", str(tmp_path / "r.pdf"))):
        assert_one_line_failure(run_here("--workspace", str(path), *argv), "is damaged", "restore a backup")
    assert_one_line_failure(run_here("--workspace", str(path), "--lang", "ja", "stats"), "破損")
    assert run_here("--workspace", str(path), "check").returncode == 1
    assert names(tmp_path) == ["c.csv", "w.rdesk"]  # no half-written export or report


def test_two_demos_on_one_new_path_one_wins_the_other_is_told(tmp_path):
    path = tmp_path / "demo.rdesk"
    argv = [sys.executable, "-m", "recovery_desk.cli.main", "--workspace", str(path), "demo", "--cases", "150"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
             for _ in range(2)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        results.append((proc.returncode, err))
    assert sorted(code for code, _ in results) == [0, 1], results
    loser = next(err for code, err in results if code == 1)
    assert "Traceback" not in loser and "already exists" in loser and len(loser.strip().splitlines()) == 1
    assert names(tmp_path) == ["demo.rdesk"]
    assert count(path) == 150
    assert cli("--workspace", str(path), "check").returncode == 0


def test_a_killed_demo_leaves_nothing_under_the_name_and_the_next_run_cleans_up(tmp_path):
    path = tmp_path / "demo.rdesk"
    proc = subprocess.Popen([sys.executable, "-m", "recovery_desk.cli.main", "--workspace", str(path), "demo",
                             "--cases", "20000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=cli_env())
    temp = files.temp_path(path).with_name(f".demo.rdesk.{proc.pid}.part")
    wait_for(lambda: Path(f"{temp}-journal").exists() or proc.poll() is not None, timeout=120,
             what="the demo to start filling its temporary file")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert not path.exists() and temp.exists()
    again = cli("--workspace", str(path), "demo", "--cases", "20")
    assert again.returncode == 0, again.stderr
    assert names(tmp_path) == ["demo.rdesk"]  # the dead run's .part and .part-journal are gone
    assert count(path) == 20


def test_an_empty_file_with_a_journal_from_an_older_run_is_reused(tmp_path):
    path = tmp_path / "w.rdesk"
    path.write_bytes(b"")
    Path(f"{path}-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\0" * 600)
    Path(f"{tmp_path}/w.rdesk.part").write_bytes(b"SQLite format 3\0")  # an older version's leftover
    result = run_here("--workspace", str(path), "init", "--incident", "Noto")
    assert result.returncode == 0, result.stderr
    assert names(tmp_path) == ["w.rdesk"]
    assert run_here("--workspace", str(path), "check").returncode == 0


def test_a_wal_without_its_database_is_set_aside_not_replayed_into_a_new_one(tmp_path):
    other = make_workspace(tmp_path / "other.rdesk", 3)
    Path(f"{other}-wal").write_bytes(b"")
    orphan = tmp_path / "w.rdesk-wal"
    orphan.write_bytes(os.urandom(5000))
    assert run_here("--workspace", str(tmp_path / "w.rdesk"), "init").returncode == 0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("w.rdesk-wal.orphan-")]
    assert len(aside) == 1 and aside[0].stat().st_size == 5000
    assert run_here("--workspace", str(tmp_path / "w.rdesk"), "check").returncode == 0


def fill(filler: Path) -> None:
    """Write zeros until the disk says it is full (it may be full already: then the
    filler cannot even be created, which is the same end)."""
    try:
        with open(filler, "wb") as f:
            while True:
                f.write(b"\0" * 16384)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise


def test_a_full_disk_is_one_line_and_leaves_no_half_made_file(tmp_path):
    disk = tmp_path / "disk"
    with small_disk(disk, 1024):
        for argv in (("demo", "--cases", "3000"), ("init",)):
            if argv[0] == "init":  # fill the disk so that not even an empty workspace fits
                fill(disk / "filler")
            result = run_here("--workspace", str(disk / "w.rdesk"), *argv)
            assert_one_line_failure(result, "the disk is full")
            assert [n for n in names(disk) if n != "filler"] == []
        ja = run_here("--workspace", str(disk / "w.rdesk"), "--lang", "ja", "init")
        assert_one_line_failure(ja, "ディスクがいっぱい")


def test_a_full_disk_under_an_import_and_a_report_changes_nothing(tmp_path):
    disk = tmp_path / "disk"
    with small_disk(disk, 8192):
        path = make_workspace(disk / "w.rdesk", 10)
        big = tmp_path / "big.csv"
        big.write_text("氏名,住所\n" + "".join(f"山田{i},七尾市{'x' * 200}{i}\n" for i in range(5000)),
                       encoding="utf-8")
        fill(disk / "filler")
        assert_one_line_failure(run_here("--workspace", str(path), "import", "cases", str(big)), "the disk is full")
        assert_one_line_failure(run_here("--workspace", str(path), "report", "incident", "--out",
                                    str(disk / "r.pdf")), "the disk is full")
        assert_one_line_failure(run_here("--workspace", str(path), "backup", str(disk / "b.rdesk")), "the disk is full")
        assert sorted(n for n in names(disk) if not n.endswith(("-wal", "-shm"))) == ["filler", "w.rdesk"]
        (disk / "filler").unlink()
        assert count(path) == 10
        assert run_here("--workspace", str(path), "check").returncode == 0


def test_a_killed_automatic_backup_is_cleaned_by_the_next(tmp_path):
    from recovery_desk.services import backups

    path = make_workspace(tmp_path / "w.rdesk", 1)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    folder = tmp_path / "backups"
    folder.mkdir()
    stale = [folder / f".w-auto-20240101-000000-000000.rdesk.{dead}.part{side}" for side in ("", "-journal")]
    alive = folder / f".w-auto-20240101-000000-000001.rdesk.{os.getpid()}.part"  # a run in progress
    for p in (*stale, alive):
        p.write_bytes(b"x")
    made = backups.backup_on_open(path, keep=3)
    assert names(folder) == sorted([alive.name, made.name])
