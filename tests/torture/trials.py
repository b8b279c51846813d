"""The fault trials. Each function runs one trial and returns a ``TrialResult`` whose counts
must all be zero; ``make torture`` runs many of them at random moments (seeded) and the fast
subset in ``make test`` runs a few of each with a fixed seed.

Every expectation is one that must hold *whatever moment a kill lands at*:

* a killed ``demo`` leaves no workspace or the complete one; a killed ``import`` leaves the
  rows before or all of the file's rows (never part); a killed ``restore`` leaves the old or the
  new workspace complete, and the old one's commits are never lost (kept beside it);
  a killed ``backup`` / ``export`` / ``report`` leaves no file or a complete one;
* the next ordinary run (the same command again) succeeds and cleans or reuses what the killed
  one left (``*.part``, ``*.part-journal``, ``.<name>.<pid>.tmp``, hot journals);
* ``check`` calls the workspace healthy afterwards; no run prints a traceback.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from tests.torture.harness import (
    COMMAND_TIMEOUT,
    MARKER_PREFIX,
    Outcome,
    Runner,
    TrialContext,
    TrialResult,
    clean_copy,
    counts,
    counts_of_snapshot,
    leftovers,
    markers,
)

KILL_COMMANDS = ("demo", "import", "restore", "backup", "export", "report", "sync import", "sync export",
                 "join")
PASSPHRASE = "torture passphrase, seven words long"
NEW_WORKSPACE_COMMANDS = ("demo", "join")  # they build the workspace: nothing is there before
AS_OF = "2024-06-30"


def demo_args(cases: int) -> list[str]:
    return ["demo", "--cases", str(cases), "--seed", "7", "--as-of", AS_OF]


# -- set-up shared by a run ---------------------------------------------------------------------
def write_cases_csv(path: Path, rows: int) -> Path:
    """A cases file whose references are new to the demo (so an import adds every row)."""
    lines = ["reference,contact_name,phone,household_size,address"]
    lines += [f"TORT-{i:05d},Torture Person {i},0767-00-{i % 10000:04d},{1 + i % 5},七尾市御祓町{i}"
              for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def prepare(scratch: Path, rng, log: Callable[[str], None] = lambda _m: None, *,
            demo_cases: int = 300, import_rows: int = 600) -> TrialContext:
    """Build the base demo with the real CLI (timed: it calibrates the demo kills), and time one
    unkilled run of each other command."""
    runner = Runner(_home(scratch))
    setup = scratch / "setup"
    setup.mkdir(parents=True, exist_ok=True)
    made = runner.run(["--workspace", setup / "demo.rdesk", *demo_args(demo_cases)])
    if made.returncode != 0:
        raise RuntimeError(f"the base demo failed: {made.describe()}")
    ctx = _context(scratch, rng, runner, setup / "demo.rdesk", demo_cases, import_rows, log)
    ctx.durations["demo"] = made.seconds
    calibrate = {
        "import": ["import", "cases", ctx.import_file],
        "backup": ["backup", setup / "b.rdesk"],
        "export": ["export", "cases", setup / "cases.csv"],
        "report": ["report", "incident", "--out", setup / "r.pdf", "--as-of", AS_OF],
        "restore": ["restore", ctx.base],
        "sync import": ["sync", "import", *_bundle_args(ctx)],
        "sync export": ["sync", "export", "--all", "--out", setup / "x.rdsync", "--passphrase-file",
                        ctx.passphrase_file],
    }
    for kind, args in calibrate.items():
        ws = clean_copy(scratch / ("imported.rdesk" if kind == "restore" else "base.rdesk"), setup / f"{kind}.rdesk")
        done = runner.run(["--workspace", ws, *args])
        if done.returncode != 0:
            raise RuntimeError(f"the unkilled {kind} failed: {done.describe()}")
        ctx.durations[kind] = done.seconds
        if kind == "sync import" and difference(counts(ws), ctx.expected["demo"]) != ctx.expected["sync_delta"]:
            raise RuntimeError("the CLI sync import does not add what the set-up's sync import added")
        if kind == "import" and difference(counts(ws), ctx.expected["demo"]) != ctx.expected["import_delta"]:
            raise RuntimeError("the CLI import does not add what the set-up's import added")
    joined = runner.run(["--workspace", setup / "joined.rdesk", "join", *_bundle_args(ctx)])
    if joined.returncode != 0 or counts(setup / "joined.rdesk") != ctx.expected["join"]:
        raise RuntimeError(f"the unkilled join does not build what the set-up's join built: {joined.describe()}")
    ctx.durations["join"] = joined.seconds
    if len(read_csv_rows(setup / "cases.csv")) != ctx.expected["export_rows"]:
        raise RuntimeError("export cases does not write one row per live case")
    log("calibration (unkilled, s): " + ", ".join(f"{k} {v:.1f}" for k, v in ctx.durations.items()))
    return ctx


# The fast subset's lock wait: long enough for a loaded machine to start a command, short
# enough that the lock trials do not spend make test's time waiting (make torture: 10 s).
FAST_BUSY_TIMEOUT_MS = 2000


def prepare_fast(scratch: Path, rng, *, demo_cases: int = 60, import_rows: int = 100) -> TrialContext:
    """The fast subset's context: a small base demo made by the CLI's ``main`` as the trials'
    user (what a killed demo must complete to is the CLI's own result, whoever the user is),
    ordinary runs in this process (harness.InProcessRunner), no calibration runs (the fast
    subset's kills are timed on progress)."""
    from tests.torture.harness import InProcessRunner

    runner = Runner(_home(scratch), busy_timeout_ms=FAST_BUSY_TIMEOUT_MS)
    ordinary = InProcessRunner(runner)
    demo = scratch / "setup" / "demo.rdesk"
    demo.parent.mkdir(parents=True, exist_ok=True)
    made = ordinary.run(["--workspace", demo, *demo_args(demo_cases)])
    if made.returncode != 0:
        raise RuntimeError(f"the base demo failed: {made.describe()}")
    ctx = _context(scratch, rng, runner, demo, demo_cases, import_rows, lambda _m: None)
    ctx.ordinary = ordinary
    return ctx


def _home(scratch: Path) -> Path:
    home = scratch / "home"
    home.mkdir(parents=True, exist_ok=True)
    return home


def _context(scratch, rng, runner, demo: Path, demo_cases: int, import_rows: int, log) -> TrialContext:
    """The base workspace, the import file, and what a complete demo / import / export holds.
    ``imported.rdesk`` (the base plus the import file) is made through the import service."""
    from recovery_desk.io.importer import ImportOptions, import_file
    from recovery_desk.services.workspace import Workspace

    base = clean_copy(demo, scratch / "base.rdesk")
    ctx = TrialContext(scratch, rng, base, write_cases_csv(scratch / "cases.csv", import_rows), runner, log=log,
                       demo=demo_args(demo_cases))
    ctx.expected["demo"] = counts(base)
    imported = clean_copy(base, scratch / "imported-setup.rdesk")
    with Workspace.open(imported, actor="Torture set-up (QA)") as ws:
        import_file(ws, ctx.import_file, ImportOptions("cases"))
    clean_copy(imported, scratch / "imported.rdesk")
    ctx.expected["import_delta"] = difference(counts(scratch / "imported.rdesk"), ctx.expected["demo"])
    _prepare_sync(ctx)
    with closing(sqlite3.connect(base)) as con:
        ctx.expected["export_rows"] = con.execute('SELECT count(*) FROM "case" WHERE deleted_at IS NULL').fetchone()[0]
    return ctx


def _prepare_sync(ctx: TrialContext) -> None:
    """The bundle another laptop wrote, and what merging it into the base or joining from it
    builds (through the services; the trials' CLI runs must build the same)."""
    from recovery_desk.services.sync.exchange import export_bundle, import_bundle, join_workspace
    from recovery_desk.services.workspace import Workspace

    scratch = ctx.scratch
    ctx.passphrase_file = scratch / "passphrase.txt"
    ctx.passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    laptop = clean_copy(scratch / "imported.rdesk", scratch / "laptop-setup" / "laptop.rdesk")
    with Workspace.open(laptop, actor="Torture set-up (QA)") as ws:
        ctx.expected["bundle_changes"] = {"changes": export_bundle(ws, scratch / "laptop.rdsync", PASSPHRASE,
                                                                   everything=True).changes}
    ctx.bundle = scratch / "laptop.rdsync"
    base_copy = clean_copy(ctx.base, scratch / "laptop-setup" / "base.rdesk")
    with Workspace.open(base_copy, actor="Torture set-up (QA)") as ws:
        ctx.expected["base_changes"] = {"changes": export_bundle(ws, scratch / "laptop-setup" / "base.rdsync",
                                                                 PASSPHRASE, everything=True).changes}
    merged = clean_copy(ctx.base, scratch / "laptop-setup" / "merged.rdesk")
    with Workspace.open(merged, actor="Torture set-up (QA)") as ws:
        import_bundle(ws, ctx.bundle, PASSPHRASE)
    ctx.expected["sync_delta"] = difference(counts(merged), ctx.expected["demo"])
    join_workspace(scratch / "laptop-setup" / "joined.rdesk", ctx.bundle, PASSPHRASE,
                   actor="Torture set-up (QA)").close()
    ctx.expected["join"] = counts(scratch / "laptop-setup" / "joined.rdesk")
    shutil.rmtree(scratch / "laptop-setup")


def _bundle_args(ctx: TrialContext) -> list:
    return [ctx.bundle, "--passphrase-file", ctx.passphrase_file]


def difference(after: dict[str, int] | None, before: dict[str, int] | None) -> dict[str, int]:
    after, before = after or {}, before or {}
    return {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)
            if after.get(k, 0) != before.get(k, 0)}


def plus(before: dict[str, int], delta: dict[str, int]) -> dict[str, int]:
    result = dict(before)
    for k, v in delta.items():
        result[k] = result.get(k, 0) + v
    return result


def read_csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))[1:]


CRASHED_WRITER = """
import os, signal, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
columns = [r[1] for r in con.execute("PRAGMA table_info(organisation)")]
row = dict(zip(columns, con.execute("SELECT * FROM organisation LIMIT 1").fetchone()))
row.update(id=sys.argv[2], name=sys.argv[2], acronym="")
con.execute("BEGIN IMMEDIATE")
con.execute(f"INSERT INTO organisation ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
con.execute("COMMIT")
os.kill(os.getpid(), signal.SIGKILL)
"""


def commit_and_crash(ctx: TrialContext, ws: Path, name: str) -> Outcome:
    """Another process commits a row and dies by SIGKILL before anything checkpoints: the commit
    lives only in the ``-wal`` (a crashed app's last saved edit). Plain sqlite3: the trial needs
    a committed transaction left in the WAL, and this costs no interpreter start-up of the app."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", CRASHED_WRITER, str(ws), name], capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT)
    return Outcome(["crashed writer", name], proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def check(ctx: TrialContext, result: TrialResult, ws: Path, runner: Runner | None = None) -> Outcome:
    """``check`` must call the workspace healthy (exit 0): anything else is a refused workspace."""
    done = (runner or ctx.ordinary).run(["--workspace", ws, "check"])
    result.scan(done)
    if done.returncode != 0:
        result.note(f"check refuses {ws.name}", "refused", done)
    return done


# -- kill -9 at a random moment -----------------------------------------------------------------
@dataclass(frozen=True)
class KillPlan:
    """Everything random about one kill trial, drawn from the seed before it runs (so that trials
    can run side by side and a seed names the same trials)."""

    command: str
    index: int
    fraction: float  # of the command's usual duration: when to kill
    on_progress: bool  # count from the first growth of a file in the folder instead of the start
    crashed_writer: bool  # a process committed an edit and died just before (the -wal holds it)
    export_format: str = "csv"
    previous_file: bool = False  # an older export already at the destination


def draw_kill_plan(rng, command: str, index: int) -> KillPlan:
    return KillPlan(command, index, fraction=rng.uniform(0.0, 1.0), on_progress=rng.random() < 0.5,
                    crashed_writer=command not in NEW_WORKSPACE_COMMANDS and rng.random() < 0.5,
                    export_format=rng.choice(["csv", "xlsx"]), previous_file=rng.random() < 0.5)


def kill_trial(ctx: TrialContext, plan: KillPlan) -> TrialResult:
    """Kill the command at the plan's moment, judge what it left, run it again, judge again."""
    command, index = plan.command, plan.index
    result = TrialResult(f"kill -9 during {command}", f"{command}#{index}", kills=1)
    started = time.monotonic()
    folder = ctx.folder(f"kill-{command}")
    ws = folder / "ws.rdesk"
    expected_before: dict[str, int] | None = None
    if command not in NEW_WORKSPACE_COMMANDS:
        clean_copy(ctx.scratch / ("imported.rdesk" if command == "restore" else "base.rdesk"), ws)
        if plan.crashed_writer:
            died = commit_and_crash(ctx, ws, f"{MARKER_PREFIX}{command}-{index}")
            result.scan(died)
        expected_before = counts_of_snapshot(ws, ctx.scratch)
        if plan.crashed_writer and f"{MARKER_PREFIX}{command}-{index}" not in markers(expected_before):
            result.note("the stand-in's commit is not in the workspace before the trial", "failures")
    args, judge, output = _kill_plan(ctx, plan, folder, ws, expected_before, result)
    duration = ctx.duration(command)
    killed = ctx.runner.run_killed(["--workspace", ws, *args], delay=plan.fraction * duration,
                                   watch=output if plan.on_progress else None,
                                   after_progress=plan.fraction * 0.5 * duration)
    result.scan(killed)
    if killed.killed_at is None:
        result.kills = 0  # it finished first: still judged, not counted as a kill
    judge(killed, after_kill=True)
    again = ctx.ordinary.run(["--workspace", ws, *args])
    if again.returncode == 0:
        ctx.observed(command, again.seconds)
    result.scan(again)
    judge(again, after_kill=False)
    left = leftovers(folder)
    if left:
        result.note(f"left after the next run: {', '.join(left)}", "leftovers", amount=len(left))
    if ws.exists():
        check(ctx, result, ws)
    result.seconds = time.monotonic() - started
    moment = f"{killed.killed_at:.2f} s" if killed.killed_at is not None else "after it finished"
    result.findings = [f"{f} (killed at {moment}{', on progress' if plan.on_progress else ''}"
                       f"{', crashed writer before' if plan.crashed_writer else ''})" for f in result.findings]
    shutil.rmtree(folder, ignore_errors=True)
    return result


def _kill_plan(ctx, plan: KillPlan, folder, ws, before, result):
    """The command's arguments, a judge of the state after the kill / after the next run, and
    the folder whose growth is the command's progress."""
    scratch, command = ctx.scratch, plan.command
    if command == "demo":
        complete = ctx.expected["demo"]

        def judge(o: Outcome, after_kill: bool) -> None:
            now = counts_of_snapshot(ws, scratch)
            if after_kill:
                if ws.exists() and now != complete:
                    result.note("a killed demo left a workspace that is not the complete demo", "partial", o)
                return
            if o.returncode != 0 and not (o.one_line_error() and now == complete):
                result.note("the next demo fails", "refused", o)
            if now != complete:
                result.note("after the next demo the workspace is not the complete demo", "partial", o)

        return ctx.demo, judge, folder

    if command == "import":
        judge = _all_or_nothing(result, ws, scratch, before, plus(before, ctx.expected["import_delta"]),
                                "import", refusal_allowed=True)
        return ["import", "cases", ctx.import_file], judge, folder

    if command == "restore":
        source = clean_copy(scratch / "base.rdesk", folder / "older" / "backup.rdesk")
        restored = ctx.expected["demo"]

        def judge(o: Outcome, after_kill: bool) -> None:
            now = counts_of_snapshot(ws, scratch)
            if now is None:
                result.note("no readable workspace after the restore" + (" was killed" if after_kill else ""),
                            "refused", o)
            elif now not in (before, restored):
                result.note(f"the workspace is neither the old nor the new one: {_diff_text(now, restored)}",
                            "partial", o)
            if now != before and not _kept_somewhere(ws, folder, before, scratch):
                result.note("the replaced workspace's commits are nowhere (lost)", "lost_commits", o)
            if not after_kill and o.returncode != 0:
                result.note("the next restore fails", "refused", o)

        return ["restore", source], judge, folder

    if command == "backup":
        dest = folder / "copies" / "ws-backup.rdesk"
        dest.parent.mkdir()

        def judge(o: Outcome, after_kill: bool) -> None:
            made = counts(dest) if dest.exists() else None
            if dest.exists() and made != before:
                result.note(f"the backup file is not a complete copy: {_diff_text(made, before)}", "partial", o)
            now = counts_of_snapshot(ws, scratch)
            if now != before:
                result.note("the workspace changed under a backup", "lost_commits", o)
            if not after_kill and o.returncode != 0:
                result.note("the next backup fails", "refused", o)

        return ["backup", dest], judge, dest.parent

    if command == "export":
        out = folder / "out" / f"cases.{plan.export_format}"
        out.parent.mkdir()
        previous = b"previous export\n" if plan.previous_file else None
        if previous:
            out.write_bytes(previous)

        def judge(o: Outcome, after_kill: bool) -> None:
            if out.exists() and out.read_bytes() != previous and not _complete_export(out, ctx):
                result.note("the export file is incomplete", "partial", o)
            if not after_kill:
                if o.returncode != 0:
                    result.note("the next export fails", "refused", o)
                elif not _complete_export(out, ctx):
                    result.note("the next export's file is incomplete", "partial", o)
            if counts_of_snapshot(ws, scratch) != before:
                result.note("the workspace changed under an export", "lost_commits", o)

        return ["export", "cases", out], judge, out.parent

    if command == "report":
        out = folder / "out" / "report.pdf"
        out.parent.mkdir()

        def judge(o: Outcome, after_kill: bool) -> None:
            if out.exists() and not _complete_pdf(out):
                result.note("the report file is incomplete", "partial", o)
            if not after_kill:
                if o.returncode != 0:
                    result.note("the next report fails", "refused", o)
                elif not _complete_pdf(out):
                    result.note("the next report's file is incomplete", "partial", o)
            if counts_of_snapshot(ws, scratch) != before:
                result.note("the workspace changed under a report", "lost_commits", o)

        return ["report", "incident", "--out", out, "--as-of", AS_OF], judge, out.parent

    if command == "sync import":
        # Read again after a complete one, the bundle changes nothing: the next run must succeed.
        judge = _all_or_nothing(result, ws, scratch, before, plus(before, ctx.expected["sync_delta"]),
                                "sync import", refusal_allowed=False)
        return ["sync", "import", *_bundle_args(ctx)], judge, folder

    if command == "sync export":
        out = folder / "out" / "laptop.rdsync"
        out.parent.mkdir()
        previous = ctx.bundle.read_bytes() if plan.previous_file else None
        if previous:
            out.write_bytes(previous)

        def judge(o: Outcome, after_kill: bool) -> None:
            if out.exists() and out.read_bytes() != previous and not _complete_bundle(out, ctx):
                result.note("the bundle file is incomplete", "partial", o)
            if not after_kill:
                if o.returncode != 0:
                    result.note("the next sync export fails", "refused", o)
                elif not _complete_bundle(out, ctx):
                    result.note("the next sync export's bundle is incomplete", "partial", o)
            if counts_of_snapshot(ws, scratch) != before:
                result.note("the workspace changed under a sync export", "lost_commits", o)

        return (["sync", "export", "--all", "--out", out, "--passphrase-file", ctx.passphrase_file], judge,
                out.parent)

    if command == "join":
        complete = ctx.expected["join"]

        def judge(o: Outcome, after_kill: bool) -> None:
            now = counts_of_snapshot(ws, scratch)
            if after_kill:
                if ws.exists() and now != complete:
                    result.note(f"a killed join left a workspace that is not the whole one: {_diff_text(now, complete)}",
                                "partial", o)
                return
            # A join killed after it gave the file its name finished its work: the next one says the
            # file exists, in one line.
            if o.returncode != 0 and not (o.one_line_error() and now == complete):
                result.note("the next join fails", "refused", o)
            if now != complete:
                result.note(f"after the next join the workspace is not the whole one: {_diff_text(now, complete)}",
                            "partial", o)
            stray = sorted(p.name for p in folder.iterdir() if not p.name.startswith(ws.name))
            if stray:
                result.note(f"left beside the joined workspace: {', '.join(stray)}", "leftovers", o,
                            amount=len(stray))

        return ["join", *_bundle_args(ctx)], judge, folder
    raise ValueError(command)


def _all_or_nothing(result: TrialResult, ws: Path, scratch: Path, before, complete, what: str, *,
                    refusal_allowed: bool) -> Callable[[Outcome, bool], None]:
    """A judge of a command that writes in one transaction: after the kill the workspace is as
    before or complete (no committed edit lost); the next run completes it (``refusal_allowed``:
    or refuses in one line)."""

    def judge(o: Outcome, after_kill: bool) -> None:
        now = counts_of_snapshot(ws, scratch)
        if now is None:
            result.note(f"the workspace cannot be read after the {what}", "refused", o)
            return
        _markers_kept(result, before, now, o)
        if after_kill:
            if now not in (before, complete):
                result.note(f"partial {what}: {_diff_text(now, before)}", "partial", o)
            return
        if o.returncode != 0 and not (refusal_allowed and o.one_line_error()):
            result.note(f"the next {what} fails", "refused", o)
        if now != complete:
            result.note(f"after the next {what}: {_diff_text(now, complete)} from the complete {what}", "partial", o)

    return judge


def _markers_kept(result: TrialResult, before, now, o: Outcome) -> None:
    lost = markers(before) - markers(now)
    if lost:
        result.note(f"committed edit(s) lost: {', '.join(sorted(lost))}", "lost_commits", o)


def _kept_somewhere(ws: Path, folder: Path, before, scratch: Path) -> bool:
    """Is a file beside the workspace (a kept copy, a moved-aside set) the replaced workspace?"""
    for candidate in sorted(folder.rglob("*")):
        if (candidate == ws or not candidate.is_file() or candidate.parent.name == "older"
                or candidate.name.endswith(("-wal", "-shm", "-journal"))):
            continue
        if counts_of_snapshot(candidate, scratch) == before:
            return True
    return False


def _complete_export(path: Path, ctx: TrialContext) -> bool:
    try:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                return z.testzip() is None and any(n.startswith("xl/worksheets/") for n in z.namelist())
        return len(read_csv_rows(path)) == ctx.expected["export_rows"]
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, csv.Error):
        return False


def _complete_bundle(path: Path, ctx: TrialContext) -> bool:
    """Does the bundle open (passphrase, checksum) and carry every change of the base?"""
    from recovery_desk.domain.errors import RecoveryDeskError
    from recovery_desk.services.sync.bundle import open_bundle

    try:
        return open_bundle(path, PASSPHRASE).manifest["changes"] == ctx.expected["base_changes"]["changes"]
    except (OSError, RecoveryDeskError):
        return False


def _complete_pdf(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")


def _diff_text(now, reference) -> str:
    if now is None:
        return "unreadable"
    diff = difference(now, reference)
    return ", ".join(f"{k} {v:+d}" for k, v in sorted(diff.items())[:6]) or "same"


# -- the app and the CLI on one workspace -------------------------------------------------------
def deleted_fds(pid: int, ws: Path) -> list[str]:
    """The process's descriptors on the workspace's files that point to unlinked files."""
    return [t for t in open_fds(pid, ws) if t.endswith(" (deleted)")]


def open_fds(pid: int, ws: Path) -> list[str]:
    """Where the process's descriptors on ``ws`` (or anything under that path) point."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(ws)):
            found.append(target)
    return found


def beside_commands(ctx: TrialContext, folder: Path) -> dict[str, list]:
    """CLI commands a user runs while the app has the workspace open."""
    return {
        "export tasks": ["export", "tasks", folder / "tasks.csv"],
        "stats": ["stats", "--json"],
        "check": ["check"],
        "backup": ["backup", folder / "copy.rdesk"],
        "export cases xlsx": ["export", "cases", folder / "cases.xlsx"],
        "report": ["report", "incident", "--out", folder / "r.pdf", "--as-of", AS_OF],
        "import": ["import", "cases", ctx.import_file],
    }


def run_beside(ctx: TrialContext, result: TrialResult, app_pid: int, ws: Path, name: str, args: list) -> None:
    """Run a CLI command while the app holds ``ws``; it must work, and leave the app's files."""
    done = ctx.ordinary.run(["--workspace", ws, *args])
    result.scan(done)
    if done.returncode != 0:
        result.note(f"`{name}` beside the app fails", "failures", done)
    gone = deleted_fds(app_pid, ws)
    if gone:
        result.note(f"after `{name}` the app's {', '.join(sorted(gone))}", "failures")


def standin_beside_cli(ctx: TrialContext, index: int, commands: list[str]) -> TrialResult:
    """A process that opens the workspace exactly as the app does (``Workspace.open`` on a
    worker thread, ``backup_on_open`` on another) holds it while CLI commands run beside it;
    after each, its -wal/-shm must not be "(deleted)". Then it commits an edit, is killed -9,
    and the edit must be on disk."""
    result = TrialResult("app + CLI (stand-in, kill -9)", f"standin#{index}", kills=1)
    started = time.monotonic()
    folder = ctx.folder("app")
    ws = clean_copy(ctx.base, folder / "ws.rdesk")
    app = subprocess.Popen([sys.executable, "-m", "tests.torture.standin", str(ws)], env=ctx.runner.env,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if app.stdout.readline().strip() != "ready":
            result.note("the stand-in did not open the workspace: " + app.stderr.read()[-300:], "failures")
            return result
        if not any(t.endswith("-wal") for t in open_fds(app.pid, ws)):
            result.note("the stand-in holds no -wal open (not in WAL mode?)", "failures")
        table = beside_commands(ctx, folder)
        for i, name in enumerate(commands):
            run_beside(ctx, result, app.pid, ws, name, table[name])
            marker = f"{MARKER_PREFIX}app-{index}-{i}"
            app.stdin.write(f"edit {marker}\n")
            app.stdin.flush()
            if app.stdout.readline().strip() != f"committed {marker}":
                result.note(f"the stand-in could not commit after `{name}`", "failures")
        app.send_signal(signal.SIGKILL)
        app.wait()
        expected = {f"{MARKER_PREFIX}app-{index}-{i}" for i in range(len(commands))}
        now = counts_of_snapshot(ws, ctx.scratch)
        lost = expected - markers(now)
        if lost:
            result.note(f"edits the app committed are gone after kill -9: {', '.join(sorted(lost))}",
                        "lost_commits", amount=len(lost))
        err = app.stderr.read()
        if "Traceback" in err:
            result.note("traceback in the stand-in: " + err[-300:], "tracebacks")
        check(ctx, result, ws)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        for stream in (app.stdin, app.stdout, app.stderr):
            stream.close()
        result.seconds = time.monotonic() - started
        shutil.rmtree(folder, ignore_errors=True)
    return result


def real_app_beside_cli(ctx: TrialContext, index: int, commands: list[str]) -> TrialResult:
    """The real app (``gui``, offscreen) holds the workspace; its -wal/-shm must survive the CLI
    commands beside it (``/proc/<pid>/fd``); killed -9 at the end, the workspace is healthy."""
    result = TrialResult("app + CLI (real gui, kill -9)", f"gui#{index}", kills=1)
    started = time.monotonic()
    folder = ctx.folder("gui")
    ws = clean_copy(ctx.base, folder / "ws.rdesk")
    before = counts(ws)
    app = ctx.runner.popen(["--workspace", ws, "gui"])
    try:
        deadline = time.monotonic() + COMMAND_TIMEOUT
        backups = folder / "backups"
        while time.monotonic() < deadline and app.poll() is None:
            opened = any(t.endswith("-wal") for t in open_fds(app.pid, ws))
            made = [p.name for p in backups.iterdir()] if backups.is_dir() else []
            backed_up = any(n.endswith(".rdesk") for n in made) and not any(".part" in n for n in made)
            if opened and backed_up and not any(f"{folder}/backups" in t for t in open_fds(app.pid, folder)):
                break  # open, its automatic backup made and closed
            time.sleep(0.05)
        else:
            out, err = app.communicate(timeout=5) if app.poll() is not None else ("", "")
            result.note(f"the app did not open the workspace and back it up: {err[-300:]}", "failures")
            return result
        table = beside_commands(ctx, folder)
        for name in commands:
            run_beside(ctx, result, app.pid, ws, name, table[name])
        os.killpg(app.pid, signal.SIGKILL)
        _, err = app.communicate()
        if "Traceback" in err:
            result.note("traceback in the app: " + err[-300:], "tracebacks")
        now = counts_of_snapshot(ws, ctx.scratch)
        # Exactly what the import beside it adds (its cases, needs, audit record, change-log entry
        # and the copy's sync identity: the same as the set-up's import of the same file into a
        # copy of the base), or nothing.
        expected = plus(before, ctx.expected["import_delta"]) if "import" in commands else before
        if now != expected:
            result.note(f"the workspace after the app's kill: {_diff_text(now, expected)} against the expected",
                        "lost_commits")
        check(ctx, result, ws)
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
            app.communicate()
        result.seconds = time.monotonic() - started
        shutil.rmtree(folder, ignore_errors=True)
    return result


# -- states a crash leaves: a checkpoint cut short, a hot journal ---------------------------------
BULK_WRITER = """
import os, signal, sqlite3, sys
path, mode, marker = sys.argv[1], sys.argv[2], sys.argv[3]
con = sqlite3.connect(path, isolation_level=None)
if mode == "wal":
    con.execute("PRAGMA wal_autocheckpoint=0")  # everything stays in the -wal
else:
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("PRAGMA cache_size=5")  # spill changed pages into the file before the commit
columns = [r[1] for r in con.execute("PRAGMA table_info(organisation)")]
row = dict(zip(columns, con.execute("SELECT * FROM organisation LIMIT 1").fetchone()))
con.execute("BEGIN IMMEDIATE")
for i in range(3000):
    row.update(id=f"{marker}-{i}", name=f"torture-bulk-{i}" if i else marker, acronym="",
               notes="x" * 300)
    con.execute(f"INSERT INTO organisation ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                list(row.values()))
if mode == "wal":
    con.execute("COMMIT")
os.kill(os.getpid(), signal.SIGKILL)  # WAL: committed, not checkpointed; journal: mid-transaction
"""


def half_checkpoint(ws: Path) -> None:
    """Do the first step of a checkpoint and stop, as a crash would: copy the newest committed
    page 1 from the -wal into the file. The file's header now counts pages that are still only
    in the -wal (the file is "shorter than its header says"); SQLite finishes it on the next open."""
    wal = Path(f"{ws}-wal").read_bytes()
    page_size = int.from_bytes(wal[8:12], "big")
    frame, offset, page_one, pending = 24 + page_size, 32, None, None
    while offset + frame <= len(wal):
        number = int.from_bytes(wal[offset:offset + 4], "big")
        commit_size = int.from_bytes(wal[offset + 4:offset + 8], "big")
        if number == 1:
            pending = wal[offset + 24:offset + frame]
        if commit_size and pending is not None:
            page_one = pending
        offset += frame
    if page_one is None:
        raise RuntimeError("no committed page 1 in the -wal")
    with ws.open("r+b") as f:
        f.write(page_one)


CRASH_COMMANDS = ("check", "stats", "export", "report", "backup", "import", "restore")


def crash_state_trial(ctx: TrialContext, variant: str, commands=CRASH_COMMANDS) -> TrialResult:
    """``checkpoint``: a writer committed 3,000 rows into the -wal and died, and a checkpoint was
    cut short after page 1 (the file is shorter than its header says). ``hot-journal``: a writer
    under a rollback journal died mid-transaction with changed pages already in the file. Neither
    is damage: every command works (SQLite recovers), the committed rows stay (a restore keeps
    them in the replaced copy), and ``check`` calls the workspace healthy."""
    result = TrialResult(f"crash state ({variant})", variant)
    started = time.monotonic()
    folder = ctx.folder("crash")
    ws = clean_copy(ctx.base, folder / "ws.rdesk")
    marker = f"{MARKER_PREFIX}{variant}"
    wrote = subprocess.run([sys.executable, "-c", BULK_WRITER, str(ws), "wal" if variant == "checkpoint" else "journal",
                            marker], capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    if wrote.returncode != -signal.SIGKILL:
        result.note(f"the writer did not die as planned: {wrote.stderr[-300:]}", "failures")
        return result
    if variant == "checkpoint":
        half_checkpoint(ws)
    before = counts_of_snapshot(ws, ctx.scratch)
    if (variant == "checkpoint") != (marker in markers(before)):
        result.note("the crash state is not what the trial meant to make", "failures")
    older = clean_copy(ctx.base, folder / "older" / "backup.rdesk")
    args = {
        "check": ["check"],
        "stats": ["stats", "--json"],
        "export": ["export", "cases", folder / "cases.csv"],
        "report": ["report", "incident", "--out", folder / "r.pdf", "--as-of", AS_OF],
        "backup": ["backup", folder / "copies" / "copy.rdesk"],
        "import": ["import", "cases", ctx.import_file],
        "restore": ["restore", older],
    }
    expected = before
    for name in commands:
        o = ctx.ordinary.run(["--workspace", ws, *args[name]])
        result.scan(o)
        if o.returncode != 0:
            result.note(f"`{name}` refuses the workspace a crash left", "refused", o)
            continue
        if name == "import":
            expected = plus(expected, ctx.expected["import_delta"])
        if name == "backup" and counts(folder / "copies" / "copy.rdesk") != expected:
            result.note("the backup misses committed rows", "lost_commits", o)
        if name == "restore":
            if not _kept_somewhere(ws, folder, expected, ctx.scratch):
                result.note("the replaced workspace's committed rows are nowhere", "lost_commits", o)
            expected = counts(older)
    now = counts_of_snapshot(ws, ctx.scratch)
    if now != expected:
        result.note(f"the workspace afterwards: {_diff_text(now, expected)}", "lost_commits")
    check(ctx, result, ws)
    result.seconds = time.monotonic() - started
    shutil.rmtree(folder, ignore_errors=True)
    return result


# -- a lock held by another process ------------------------------------------------------------
LOCKER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
if sys.argv[2] == "exclusive-mode":
    con.execute("PRAGMA locking_mode=EXCLUSIVE")
con.execute("BEGIN EXCLUSIVE")
con.execute("CREATE TABLE IF NOT EXISTS torture_lock(x)")
con.execute("INSERT INTO torture_lock VALUES (1)")
print("locked", flush=True)
sys.stdin.read()
con.execute("ROLLBACK")
con.close()
"""
LOCK_COMMANDS = ("import", "restore", "backup", "export", "report", "stats", "check")
WRITERS = ("import", "restore")


def lock_trial(ctx: TrialContext, variant: str, commands=LOCK_COMMANDS, *,
               hang_after: float = COMMAND_TIMEOUT) -> TrialResult:
    """Another process holds ``BEGIN EXCLUSIVE`` (``variant="begin-exclusive"``: in WAL mode
    readers still read; ``"exclusive-mode"``: ``PRAGMA locking_mode=EXCLUSIVE`` too, so nobody
    else can even read). Every command that cannot proceed exits 1 with one line after a
    bounded wait; none hangs, none prints a traceback; nothing changes."""
    result = TrialResult(f"lock held ({variant})", variant)
    started = time.monotonic()
    folder = ctx.folder("lock")
    ws = clean_copy(ctx.base, folder / "ws.rdesk")
    source = clean_copy(ctx.scratch / "imported.rdesk", folder / "older" / "backup.rdesk")  # different rows
    before = counts(ws)
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(ws), variant], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        if locker.stdout.readline().strip() != "locked":
            result.note("the locker could not take the lock", "failures")
            return result
        args = {
            "import": ["import", "cases", ctx.import_file],
            "restore": ["restore", source],
            "backup": ["backup", folder / "copy.rdesk"],
            "export": ["export", "cases", folder / "cases.csv"],
            "report": ["report", "incident", "--out", folder / "r.pdf", "--as-of", AS_OF],
            "stats": ["stats", "--json"],
            "check": ["check"],
        }
        outcomes = run_parallel(ctx.runner, {name: ["--workspace", ws, *args[name]] for name in commands},
                                timeout=hang_after)
        for name, o in outcomes.items():
            result.scan(o)
            blocked = variant == "exclusive-mode" or name in WRITERS
            if o.hung:
                result.note(f"`{name}` hangs under the lock", "failures", o)
            elif blocked and not o.one_line_error():
                result.note(f"`{name}` under the lock: not exit 1 with one line", "failures", o)
            elif not blocked and o.returncode != 0 and not o.one_line_error():
                result.note(f"`{name}` beside a writer's lock fails", "failures", o)
    finally:
        locker.stdin.close()
        locker.wait()
        locker.stdout.close()
    after = counts(ws)
    after.pop("torture_lock", None)
    if after != before:
        result.note(f"the workspace changed under the lock: {_diff_text(after, before)}", "lost_commits")
    left = leftovers(folder)
    if left:
        result.note(f"left: {', '.join(left)}", "leftovers", amount=len(left))
    check(ctx, result, ws)
    result.seconds = time.monotonic() - started
    shutil.rmtree(folder, ignore_errors=True)
    return result


def run_parallel(runner: Runner, commands: dict[str, list], timeout: float = COMMAND_TIMEOUT) -> dict[str, Outcome]:
    """Start every command at once and collect them (each with the hang timeout)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        futures = {name: pool.submit(runner.run, args, timeout=timeout) for name, args in commands.items()}
        return {name: f.result() for name, f in futures.items()}


# -- a full disk --------------------------------------------------------------------------------
class SmallDisk:
    """A small tmpfs (root) — or, where mounting is impossible, ``prlimit --fsize`` (file size
    limit: writes fail with EFBIG, which CPython gets as an error since it ignores SIGXFSZ)."""

    def __init__(self, folder: Path, size_bytes: int):
        self.folder = folder
        self.size = size_bytes
        self.method = ""
        self.leave = 0

    def __enter__(self) -> SmallDisk:
        self.folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0777", "tmpfs",
                               str(self.folder)], capture_output=True, text=True)
        self.method = "tmpfs" if done.returncode == 0 else "prlimit --fsize"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.method == "tmpfs":
            subprocess.run(["umount", "-l", str(self.folder)], capture_output=True)

    def fill(self, leave: int) -> Path:
        """Fill the tmpfs with one file, leaving ``leave`` bytes free."""
        filler = self.folder / "filler.bin"
        self.leave = leave
        if self.method != "tmpfs":
            return filler
        st = os.statvfs(self.folder)
        free = st.f_bavail * st.f_frsize
        with filler.open("wb") as f:
            f.truncate(0)
            chunk = b"\0" * (1 << 20)
            remaining = max(0, free - leave)
            try:
                while remaining > 0:
                    remaining -= f.write(chunk[:min(len(chunk), remaining)])
            except OSError:
                pass
        return filler

    def runner(self, base: Runner) -> Runner:
        if self.method == "tmpfs":
            return base
        # No write may reach past the first 64 KiB (plus what the trial leaves free) of any file.
        return Runner(base.home, prefix=["prlimit", f"--fsize={65536 + self.leave}", "--"])


DISK_COMMANDS = ("import", "restore", "backup", "export", "report", "demo", "init")


def full_disk_trial(ctx: TrialContext, leave: int, commands=DISK_COMMANDS) -> TrialResult:
    """Each command writes onto a full disk: exit 1 with one line, nothing half-made left
    behind, the workspace unchanged and healthy once space is back."""
    folder = ctx.folder("disk")
    base_size = ctx.base.stat().st_size
    disk = SmallDisk(folder / "disk", base_size + 6 * 1024 * 1024)
    started = time.monotonic()
    with disk:
        result = TrialResult(f"full disk ({disk.method})", f"leave {leave} B")
        ws = clean_copy(ctx.base, disk.folder / "ws.rdesk")
        source = clean_copy(ctx.base, folder / "older" / "backup.rdesk")
        before = counts(ws)
        filler = disk.fill(leave)
        runner = disk.runner(ctx.ordinary)
        args = {
            "import": ["--workspace", ws, "import", "cases", ctx.import_file],
            "restore": ["--workspace", ws, "restore", source],
            "backup": ["--workspace", ws, "backup", disk.folder / "copy.rdesk"],
            "export": ["--workspace", ws, "export", "cases", disk.folder / "cases.csv"],
            "report": ["--workspace", ws, "report", "incident", "--out", disk.folder / "r.pdf"],
            "demo": ["--workspace", disk.folder / "new-demo.rdesk", *ctx.demo],
            "init": ["--workspace", disk.folder / "new-init.rdesk", "init", "--incident", "Torture"],
        }
        for name in commands:
            o = runner.run(args[name])
            result.scan(o)
            if o.hung:
                result.note(f"`{name}` hangs on a full disk", "failures", o)
            elif o.returncode not in (0, 1) or (o.returncode == 1 and not o.one_line_error()):
                result.note(f"`{name}` on a full disk: not exit 1 with one line", "failures", o)
            elif o.returncode == 0 and name in ("demo", "init"):
                made = disk.folder / ("new-demo.rdesk" if name == "demo" else "new-init.rdesk")
                if counts(made) is None:
                    result.note(f"`{name}` says it worked but left no workspace", "partial", o)
        filler.unlink(missing_ok=True)
        for name in ("new-demo.rdesk", "new-init.rdesk"):
            made = disk.folder / name
            if made.exists() and counts_of_snapshot(made, ctx.scratch) not in (None,) and name == "new-demo.rdesk" \
                    and counts_of_snapshot(made, ctx.scratch) != ctx.expected["demo"]:
                result.note("a half-made demo workspace is left on the full disk", "partial")
        now = counts_of_snapshot(ws, ctx.scratch)
        if now not in (before, plus(before, ctx.expected["import_delta"]), ctx.expected["demo"]):
            result.note(f"the workspace after the full disk: {_diff_text(now, before)}", "partial")
        if markers(before) - markers(now):
            result.note("committed edits lost", "lost_commits")
        left = [p for p in leftovers(disk.folder)]
        if left:
            result.note(f"left on the disk: {', '.join(left)}", "leftovers", amount=len(left))
        check(ctx, result, ws)
    result.seconds = time.monotonic() - started
    shutil.rmtree(folder, ignore_errors=True)
    return result


# -- read-only files and folders ----------------------------------------------------------------
READ_COMMANDS = ("stats", "check", "export", "report", "backup")
WRITE_COMMANDS = ("import", "restore")


class ReadOnly:
    """Make a folder or a single file read-only. As root (who ignores permission bits): bind-mount
    it on itself and remount the bind read-only, or, where mounting is impossible, run the
    commands as the user ``nobody`` on root's files. As anyone else: take away the write bits.
    ``method`` says which."""

    def __init__(self, target: Path):
        self.target = target
        self.method = ""
        self._mode = target.stat().st_mode

    def __enter__(self) -> ReadOnly:
        if os.geteuid() != 0:
            self.target.chmod(self._mode & ~0o222)
            self.method = "chmod a-w"
            return self
        bind = subprocess.run(["mount", "--bind", str(self.target), str(self.target)], capture_output=True)
        ro = bind.returncode == 0 and subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(self.target)], capture_output=True).returncode == 0
        if ro:
            self.method = "ro bind mount"
        else:
            if bind.returncode == 0:
                subprocess.run(["umount", "-l", str(self.target)], capture_output=True)
            self.method = "runuser -u nobody"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.method == "ro bind mount":
            subprocess.run(["umount", "-l", str(self.target)], capture_output=True)
        elif self.method == "chmod a-w":
            self.target.chmod(self._mode)


def nobody_runner(home: Path) -> Runner:
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o777)
    return Runner(home, prefix=["runuser", "-u", "nobody", "--"])


def read_only_trial(ctx: TrialContext, variant: str, commands: tuple[str, ...] | None = None) -> TrialResult:
    """``folder``: the workspace on a write-protected medium (folder and file read-only);
    ``file``: a read-only workspace file in a writable folder. Reading commands work (exit 0),
    writing ones exit 1 with one line, as does output into the read-only folder; nothing
    changes."""
    started = time.monotonic()
    folder = ctx.folder("ro")
    medium = folder / "medium"
    medium.mkdir()
    medium.chmod(0o777 if variant == "file" else 0o755)
    ws = clean_copy(ctx.base, medium / "ws.rdesk")  # closed cleanly: no -wal, no -shm beside it
    ws.chmod(0o644)
    before = counts_of_snapshot(ws, ctx.scratch)
    older = clean_copy(ctx.scratch / "imported.rdesk", folder / "older" / "backup.rdesk")
    older.parent.chmod(0o755)
    older.chmod(0o644)
    out = folder / "out"
    out.mkdir()
    out.chmod(0o777)
    args = {
        "stats": ["stats", "--json"],
        "check": ["check"],
        "export": ["export", "cases", out / "cases.csv"],
        "report": ["report", "incident", "--out", out / "r.pdf", "--as-of", AS_OF],
        "backup": ["backup", out / "copy.rdesk"],
        "import": ["import", "cases", ctx.import_file],
        "restore": ["restore", older],
    }
    if variant == "folder":
        args["export into it"] = ["export", "cases", medium / "cases.csv"]
        args["backup into it"] = ["backup", medium / "copy.rdesk"]
    with ReadOnly(medium if variant == "folder" else ws) as guard:
        runner = nobody_runner(folder / "home") if guard.method.startswith("runuser") else ctx.ordinary
        result = TrialResult(f"read-only {variant} ({guard.method})", variant)
        for name in commands or tuple(args):
            o = runner.run(["--workspace", ws, *args[name]])
            result.scan(o)
            if o.hung:
                result.note(f"`{name}` hangs on a read-only {variant}", "failures", o)
            elif name in READ_COMMANDS:
                if o.returncode != 0:
                    result.note(f"`{name}` refuses a read-only {variant}", "refused", o)
            elif not o.one_line_error():
                result.note(f"`{name}` on a read-only {variant}: not exit 1 with one line", "failures", o)
    after = counts_of_snapshot(ws, ctx.scratch)
    if after != before:
        result.note(f"the read-only workspace changed: {_diff_text(after, before)}", "lost_commits")
    left = leftovers(medium)
    if left:
        result.note(f"left: {', '.join(left)}", "leftovers", amount=len(left))
    result.seconds = time.monotonic() - started
    shutil.rmtree(folder, ignore_errors=True)
    return result


# -- corrupted pages ----------------------------------------------------------------------------
def corrupt_pages(path: Path, rng, extra: int = 3) -> list[int]:
    """Overwrite interior pages (the root pages of the case and task tables, and ``extra`` random
    others past the schema page) with random bytes; page 1 (header and schema) stays whole."""
    con = sqlite3.connect(path)
    try:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        page_count = con.execute("PRAGMA page_count").fetchone()[0]
        roots = [r[0] for r in con.execute(
            "SELECT rootpage FROM sqlite_master WHERE type='table' AND name IN ('case', 'task')")]
    finally:
        con.close()
    pages = sorted(set(roots) | {rng.randrange(2, page_count + 1) for _ in range(extra)})
    with path.open("r+b") as f:
        for page in pages:
            f.seek((page - 1) * page_size)
            f.write(rng.randbytes(page_size))
    return pages


CORRUPT_COMMANDS = ("stats", "export", "report", "import", "backup", "check", "restore from it", "restore over it")


def corrupt_trial(ctx: TrialContext, index: int, commands=CORRUPT_COMMANDS) -> TrialResult:
    """A workspace with corrupted interior pages: every command says so in one line and exits 1
    (``check`` lists the problems and exits 1; ``backup`` refuses it); restoring it is refused
    and changes nothing; restoring a good backup over it works and keeps its bytes aside."""
    result = TrialResult("corrupted pages", f"corrupt#{index}")
    started = time.monotonic()
    folder = ctx.folder("corrupt")
    bad = clean_copy(ctx.base, folder / "bad.rdesk")
    pages = corrupt_pages(bad, ctx.rng)
    bad_bytes = bad.read_bytes()
    good = clean_copy(ctx.base, folder / "good.rdesk")
    good_before = counts(good)
    older = clean_copy(ctx.base, folder / "older" / "backup.rdesk")
    args = {
        "stats": ["--workspace", bad, "stats", "--json"],
        "export": ["--workspace", bad, "export", "cases", folder / "cases.csv"],
        "report": ["--workspace", bad, "report", "incident", "--out", folder / "r.pdf"],
        "import": ["--workspace", bad, "import", "cases", ctx.import_file],
        "backup": ["--workspace", bad, "backup", folder / "copy.rdesk"],
        "check": ["--workspace", bad, "check"],
        "restore from it": ["--workspace", good, "restore", bad],
        "restore over it": ["--workspace", bad, "restore", older],
    }
    for name in commands:
        o = ctx.ordinary.run(args[name])
        result.scan(o)
        if o.hung:
            result.note(f"`{name}` hangs on corrupted pages {pages}", "failures", o)
        elif name == "check":
            if o.returncode != 1:
                result.note(f"`check` calls corrupted pages {pages} healthy", "failures", o)
        elif name == "restore over it":
            if o.returncode != 0:
                result.note("restoring a good backup over a corrupt workspace fails", "failures", o)
            elif not any(p.is_file() and p != bad and p.read_bytes() == bad_bytes for p in folder.rglob("*")):
                result.note("the corrupt workspace's bytes were not kept aside", "lost_commits", o)
        elif not o.one_line_error():
            if name == "backup" and o.returncode == 0:
                result.note(f"`backup` copies corrupted pages {pages} with exit 0", "failures", o)
            else:
                result.note(f"`{name}` on corrupted pages {pages}: not exit 1 with one line", "failures", o)
    if counts(good) != good_before:
        result.note("a refused restore changed the workspace", "lost_commits")
    result.seconds = time.monotonic() - started
    shutil.rmtree(folder, ignore_errors=True)
    return result

