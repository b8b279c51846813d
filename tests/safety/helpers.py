"""Real second processes, read-only media and full disks for the safety tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

# Short enough that a test of "locked" is quick, long enough for a loaded 2-core machine.
FAST_BUSY_MS = "1500"


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PYTHONPATH": str(PROJECT_ROOT), "RECOVERY_DESK_LANG": "en", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env


def cli(*argv: str, timeout: float = 120, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run our CLI as a separate process (as a user would, beside the app)."""
    return subprocess.run([sys.executable, "-m", "recovery_desk.cli.main", *argv], capture_output=True, text=True,
                          timeout=timeout, env=env or cli_env(), input=stdin)


def assert_one_line_failure(result: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit 1, one line on stderr starting with our prefix, no traceback."""
    err = result.stderr.strip()
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert len(err.splitlines()) == 1 and err.startswith("recovery-desk:"), err
    for fragment in fragments:
        assert fragment in err, err
    return err


def wait_for(condition, timeout: float = 30.0, what: str = "condition") -> None:
    """Poll a condition (no fixed sleeps: returns as soon as it holds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class Holder:
    """A process holding a workspace open the way the desktop app does: ``Workspace.open``,
    then ``backup_on_open``, an edit, and the connection kept (pooled) between edits."""

    SCRIPT = r"""
import sys
from recovery_desk.services import backups, cases
from recovery_desk.services.workspace import Workspace
ws = Workspace.open(sys.argv[1], actor="holder")
backups.backup_on_open(ws.path, keep=3)
cases.create_case(ws, contact_name="held")
print("ready", flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "write":
        cases.create_case(ws, contact_name="held")
        print("ok", flush=True)
    elif cmd == "backup":
        backups.backup_on_open(ws.path, keep=3)
        print("ok", flush=True)
    elif cmd == "quit":
        break
ws.close()
print("closed", flush=True)
"""

    def __init__(self, path: Path, env: dict[str, str] | None = None):
        self.path = Path(path)
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env or cli_env())
        self.expect("ready")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def expect(self, word: str) -> None:
        line = self.proc.stdout.readline().strip()
        if line != word:
            self.proc.kill()
            raise AssertionError(f"holder said {line!r}, expected {word!r}: {self.proc.stderr.read()}")

    def send(self, cmd: str, answer: str = "ok") -> None:
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        self.expect(answer)

    def deleted_files(self) -> list[str]:
        """The holder's descriptors on the workspace's files that point to deleted files."""
        links = []
        for fd in os.listdir(f"/proc/{self.pid}/fd"):
            with contextlib.suppress(OSError):
                links.append(os.readlink(f"/proc/{self.pid}/fd/{fd}"))
        return [link for link in links if link.startswith(str(self.path)) and link.endswith("(deleted)")]

    def open_files(self) -> list[str]:
        links = []
        for fd in os.listdir(f"/proc/{self.pid}/fd"):
            with contextlib.suppress(OSError):
                links.append(os.readlink(f"/proc/{self.pid}/fd/{fd}"))
        return [link for link in links if link.startswith(str(self.path))]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send("quit", "closed")
            self.proc.wait(timeout=60)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            stream.close()


class LockHolder:
    """A plain sqlite3 connection in another process holding the write lock (BEGIN IMMEDIATE)."""

    SCRIPT = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
con.close()
"""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)
        self.proc.stdin.close()
        self.proc.stdout.close()


def can_mount() -> str | None:
    """None when this process may mount (root with CAP_SYS_ADMIN), else the reason it may not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return "needs root and mount(8) to make a read-only or full file system"
    return None


@contextlib.contextmanager
def read_only_view(folder: Path) -> Iterator[Path]:
    """``folder`` seen through a read-only bind mount (a write-protected USB stick: even root
    cannot write there)."""
    reason = can_mount()
    if reason:
        pytest.skip(reason)
    view = folder.parent / f"{folder.name}-ro"
    view.mkdir()
    done = subprocess.run(["mount", "--bind", str(folder), str(view)], capture_output=True, text=True)
    if done.returncode != 0:
        view.rmdir()
        pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
    try:
        done = subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {done.stderr.strip()}")
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=False)
        view.rmdir()


@contextlib.contextmanager
def small_disk(folder: Path, size_kib: int) -> Iterator[Path]:
    """A tmpfs of ``size_kib`` KiB mounted at ``folder`` (a disk that fills up)."""
    reason = can_mount()
    if reason:
        pytest.skip(reason)
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def count(path: Path, sql: str = 'SELECT count(*) FROM "case"') -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def kill_writer_under_rollback_journal(path: Path) -> None:
    """Leave ``path`` with a hot ``-journal``: a process changes every case in DELETE journal
    mode with a tiny cache (so pages reach the file) and is killed before it commits."""
    script = r"""
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA journal_mode=DELETE")
con.execute("PRAGMA cache_size=1")
con.execute("BEGIN")
con.execute('UPDATE "case" SET notes = notes || ' + "'x'")
con.execute('DELETE FROM "case"')
os.kill(os.getpid(), 9)
"""
    subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert Path(f"{path}-journal").exists()


def run_here(*argv: str) -> subprocess.CompletedProcess:
    """Our CLI's ``main`` in this process (no interpreter start-up: fast), its output captured
    the way a separate process's would be. For what needs a second process — a lock holder,
    a race, a kill, a closed pipe — use :func:`cli`."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from recovery_desk.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return subprocess.CompletedProcess(["recovery-desk", *argv], code, out.getvalue(), err.getvalue())
