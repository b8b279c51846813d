"""What every fault trial needs: real CLI subprocesses (run, or killed at a moment), the files
of a workspace (snapshot, leftovers), and its contents counted through SQLite.

The trials judge the application from outside, as a user would, by its exit codes, its
stderr and the files it leaves. ``make torture`` runs every command as a process of its own.
The fast subset in ``make test`` starts a process only where that is the point — the command
that is killed, the app beside the CLI, the holder of a lock — and runs the ordinary runs
around them (the next run after a kill, ``check``, the commands beside the app, on a full
disk, on read-only media) in the test's own process through the CLI's ``main`` with the same
user set-up (:class:`InProcessRunner`): the same code, the same exit codes and messages,
without an interpreter start-up each.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# How long any one command may take before the trial calls it a hang: SQLite's busy timeout
# (10 s) plus a slow start on a loaded machine.
COMMAND_TIMEOUT = 90.0
MARKER_PREFIX = "torture-marker-"
# Files a killed run may leave, which the next ordinary run must clean or reuse.
LEFTOVER_SUFFIXES = (".part", ".part-journal", ".tmp", "-journal")


def cli_command() -> list[str]:
    """``recovery-desk`` of this checkout's venv (the script beside the harness's interpreter)."""
    script = Path(sys.executable).with_name("recovery-desk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "recovery_desk.cli.main"]


def child_env(home: Path) -> dict[str, str]:
    """A private user: its own settings and data folders, an identity, English messages."""
    env = dict(os.environ)
    env.update({
        "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
        "RECOVERY_DESK_CONFIG_DIR": str(home / "config" / "RecoveryDesk"),
        "RECOVERY_DESK_ACTOR": "Torture Trial (QA)", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(PROJECT_ROOT),
    })
    env.pop("RECOVERY_DESK_LANG", None)
    return env


@dataclass
class Outcome:
    """One finished (or killed, or timed-out) subprocess."""

    args: list[str]
    returncode: int | None  # None: it hung and was killed at the timeout
    stdout: str
    stderr: str
    seconds: float
    killed_at: float | None = None  # seconds after start, when the trial killed it

    @property
    def tracebacks(self) -> int:
        return self.stderr.count("Traceback") + self.stdout.count("Traceback")

    @property
    def hung(self) -> bool:
        return self.returncode is None

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def one_line_error(self) -> bool:
        """Exit 1 with exactly one line on stderr: the app's contract for a known failure."""
        return self.returncode == 1 and len(self.stderr_lines) == 1

    def describe(self) -> str:
        lines = self.stderr_lines or [line for line in self.stdout.splitlines() if line.strip()]
        tail = " | ".join(lines[-3:])[:400]
        state = "hung" if self.hung else f"exit {self.returncode}"
        return f"`{' '.join(self.args)}` → {state} after {self.seconds:.1f} s: {tail}"


class Runner:
    """Runs ``recovery-desk`` commands as a user in ``home`` would, each a process of its own."""

    def __init__(self, home: Path, *, prefix: Sequence[str] = (), busy_timeout_ms: int | None = None):
        self.home = home
        self.env = child_env(home)
        if busy_timeout_ms is not None:  # how long a command waits for another's lock
            self.env["RECOVERY_DESK_BUSY_TIMEOUT_MS"] = str(busy_timeout_ms)
        self.prefix = list(prefix)  # e.g. runuser -u nobody --

    def popen(self, args: Sequence[str], *, cwd: Path | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen([*self.prefix, *cli_command(), *map(str, args)], env=self.env, cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)

    def run(self, args: Sequence[str], *, timeout: float = COMMAND_TIMEOUT, cwd: Path | None = None) -> Outcome:
        started = time.monotonic()
        proc = self.popen(args, cwd=cwd)
        try:
            out, err = proc.communicate(timeout=timeout)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            out, err = proc.communicate()
            code = None
        return Outcome([str(a) for a in args], code, out, err, time.monotonic() - started)

    def run_killed(self, args: Sequence[str], *, delay: float, watch: Path | None = None,
                   after_progress: float | None = None) -> Outcome:
        """Start a command and kill -9 it ``delay`` s later; or, with ``watch``, once a file in
        that folder has grown (progress) and ``after_progress`` s more have passed."""
        started = time.monotonic()
        proc = self.popen(args)
        if watch is not None:
            sizes = folder_sizes(watch)
            deadline = started + COMMAND_TIMEOUT
            while proc.poll() is None and time.monotonic() < deadline and folder_sizes(watch) == sizes:
                time.sleep(0.002)
            delay = (time.monotonic() - started) + (after_progress or 0.0)
        while proc.poll() is None and time.monotonic() - started < delay:
            time.sleep(0.002)
        killed_at = None
        if proc.poll() is None:
            killed_at = time.monotonic() - started
            _kill_group(proc)
        out, err = proc.communicate()
        return Outcome([str(a) for a in args], proc.returncode if killed_at is None else -9, out, err,
                       time.monotonic() - started, killed_at)


class InProcessRunner:
    """Runs ordinary commands through the CLI's ``main`` in this process, as ``runner``'s user
    (its environment while the command runs, its busy timeout): what the command prints and
    its exit code come back as an :class:`Outcome`, an escaping exception as the traceback a
    process would have printed. A command still running after ``timeout`` is a hang (it is
    left on its daemon thread; the trial fails)."""

    def __init__(self, runner: Runner):
        self.runner = runner
        self.home = runner.home
        self.env = runner.env

    def run(self, args: Sequence[str], *, timeout: float = COMMAND_TIMEOUT, cwd: Path | None = None) -> Outcome:
        import contextlib
        import gc
        import io
        import threading
        import traceback

        from recovery_desk.cli.main import main
        from recovery_desk.storage import database

        if cwd is not None:
            raise ValueError("in-process runs use absolute paths")
        argv = [str(a) for a in args]
        out, err = io.StringIO(), io.StringIO()
        code: list[int | None] = [None]

        def command() -> None:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code[0] = main(argv)
                except SystemExit as exc:  # argparse's usage errors
                    code[0] = exc.code if isinstance(exc.code, int) else 1
                except BaseException:
                    traceback.print_exc()
                    code[0] = 1

        saved_env = dict(os.environ)
        saved_timeout = database.BUSY_TIMEOUT_MS
        os.environ.clear()
        os.environ.update(self.env)
        database.BUSY_TIMEOUT_MS = int(self.env.get("RECOVERY_DESK_BUSY_TIMEOUT_MS", saved_timeout))
        started = time.monotonic()
        try:
            thread = threading.Thread(target=command, name="in-process recovery-desk", daemon=True)
            thread.start()
            thread.join(timeout)
            hung = thread.is_alive()
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
            database.BUSY_TIMEOUT_MS = saved_timeout
        gc.collect()  # a command's engines and connections are closed now, as at a process's exit
        return Outcome(argv, None if hung else code[0], out.getvalue(), err.getvalue(), time.monotonic() - started)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def folder_sizes(folder: Path) -> dict[str, int]:
    sizes = {}
    for entry in os.scandir(folder):
        if entry.is_dir():
            continue
        try:
            sizes[entry.name] = entry.stat().st_size
        except FileNotFoundError:
            continue
    return sizes


# -- a workspace's files ------------------------------------------------------------------------
def workspace_files(path: Path) -> list[Path]:
    """The database and whatever SQLite keeps beside it."""
    return [p for p in (path, *(Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal"))) if p.exists()]


def leftovers(folder: Path) -> list[str]:
    """Half-made files of a killed run: ``*.part``, ``*.part-journal``, ``.<name>.<pid>.tmp``, hot
    journals (a ``-journal`` with content: SQLite deletes or empties its journal when a
    transaction ends)."""
    found = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        if p.name.endswith("-journal") and p.stat().st_size == 0:
            continue
        if p.name.endswith(LEFTOVER_SUFFIXES) or ".part" in p.name:
            found.append(str(p.relative_to(folder)))
    return found


def snapshot(path: Path, into: Path) -> Path:
    """Copy the workspace's files as they are (nothing may be running on them) into ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    for p in workspace_files(path):
        shutil.copy2(p, into / p.name)
    return into / path.name


def counts(path: Path) -> dict[str, int] | None:
    """Rows per non-empty table, and the markers the trials commit; SQLite recovers a hot journal or a WAL
    as any writer would. Run it on a snapshot when the original must stay as it is.
    None: SQLite cannot read it (or it is missing)."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        con = sqlite3.connect(path, timeout=5)
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
            result = {t: n for t in tables if (n := con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])}
            if "organisation" in tables:
                for (name,) in con.execute("SELECT name FROM organisation WHERE name LIKE ?", (MARKER_PREFIX + "%",)):
                    result[name] = 1
            return result
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return None


def counts_of_snapshot(path: Path, scratch: Path) -> dict[str, int] | None:
    """``counts`` of a copy, leaving the original's files (hot journal, WAL) untouched."""
    if not path.exists():
        return None
    copy = snapshot(path, Path(tempfile.mkdtemp(prefix="snap-", dir=scratch)))
    try:
        return counts(copy)
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


def markers(c: dict[str, int] | None) -> set[str]:
    return {k for k in (c or {}) if k.startswith(MARKER_PREFIX)}


def clean_copy(source: Path, dest: Path) -> Path:
    """A self-contained copy through SQLite's backup API (no -wal beside it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()
    return dest


# -- results ----------------------------------------------------------------------------------
@dataclass
class TrialResult:
    """What one trial found. Every count is of something that must be zero."""

    trial_class: str
    name: str
    kills: int = 0
    refused: int = 0
    lost_commits: int = 0
    partial: int = 0
    leftovers: int = 0
    tracebacks: int = 0
    failures: int = 0  # the class's own expectation (exit code, one line, no hang, fds kept…)
    findings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def note(self, what: str, column: str, outcome: Outcome | None = None, amount: int = 1) -> None:
        setattr(self, column, getattr(self, column) + amount)
        self.findings.append(f"[{column}] {what}" + (f" — {outcome.describe()}" if outcome else ""))

    def scan(self, *outcomes: Outcome) -> None:
        """Every run of every trial is scanned for a traceback."""
        for o in outcomes:
            if o.tracebacks:
                self.note("traceback", "tracebacks", o, amount=o.tracebacks)

    @property
    def ok(self) -> bool:
        return not (self.refused or self.lost_commits or self.partial or self.leftovers or self.tracebacks
                    or self.failures)


@dataclass
class TrialContext:
    """Shared by the trials of one run: the scratch folder, the seed's generator, a base demo."""

    scratch: Path
    rng: random.Random
    base: Path  # a cleanly closed demo workspace: copy it, never write to it
    import_file: Path  # a cases CSV whose rows are new to the base
    runner: Runner  # a process per command: the killed ones, the app, lock holders' victims
    # The ordinary runs (the next run after a kill, check, commands beside the app…): ``runner``
    # itself in ``make torture``, an InProcessRunner of its user in the fast subset.
    ordinary: Runner | InProcessRunner | None = None
    durations: dict[str, float] = field(default_factory=dict)  # unkilled run times, for kill delays
    expected: dict[str, dict[str, int]] = field(default_factory=dict)
    log: Callable[[str], None] = lambda _m: None
    demo: list[str] = field(default_factory=list)  # the demo command's arguments (as for the base)
    # The sync trials: a bundle written with --all on another laptop (the base plus the import
    # file's cases, under that laptop's own identity) and the file holding its passphrase.
    bundle: Path | None = None
    passphrase_file: Path | None = None
    _recent: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ordinary is None:
            self.ordinary = self.runner

    def duration(self, command: str) -> float:
        """The command's usual unkilled duration: the median of its recent runs (the machine's
        load changes during a run, and a kill must land inside the command's lifetime)."""
        recent = sorted(self._recent.get(command) or [self.durations.get(command, 2.0)])
        return recent[len(recent) // 2]

    def observed(self, command: str, seconds: float) -> None:
        recent = self._recent.setdefault(command, [self.durations.get(command, seconds)])
        recent.append(seconds)
        del recent[:-7]

    def folder(self, name: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.scratch))
        path.chmod(0o755)
        return path
