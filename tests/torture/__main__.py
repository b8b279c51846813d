"""``python -m tests.torture [--trials N] [--seed S]`` (``make torture``): run the fault trials
and print the table.

N kill -9 trials at random moments (seeded; the seed is printed) during demo / import /
restore / backup / export / report / sync import / sync export / join, then the app (a stand-in that opens the workspace the way
the app does, and the real ``gui`` offscreen) beside CLI commands, a lock held by another
process, a full disk, read-only files and folders, and corrupted pages. The exit code is 0 only
when every count in the table is zero. ``--findings FILE`` writes every failure, one per line.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tests.torture import trials
from tests.torture.harness import TrialResult

COLUMNS = [("trials", "trials"), ("kills", "kill -9"), ("refused", "refused workspaces"),
           ("lost_commits", "lost commits"), ("partial", "partial imports/files"),
           ("leftovers", "leftovers after next run"), ("tracebacks", "tracebacks"),
           ("failures", "other failures")]


def table(results: list[TrialResult]) -> str:
    """Markdown: one row per trial class, then the totals."""
    rows: dict[str, dict[str, float]] = {}
    for r in results:
        row = rows.setdefault(r.trial_class, {key: 0 for key, _ in COLUMNS} | {"seconds": 0.0})
        row["trials"] += 1
        row["seconds"] += r.seconds
        for key, _ in COLUMNS[1:]:
            row[key] += getattr(r, key)
    total = {key: sum(row[key] for row in rows.values()) for key, _ in COLUMNS} | {
        "seconds": sum(row["seconds"] for row in rows.values())}
    header = "| trial class | " + " | ".join(label for _, label in COLUMNS) + " | time (s) |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 2)]
    for name, row in [*rows.items(), ("**total**", total)]:
        lines.append(f"| {name} | " + " | ".join(str(int(row[key])) for key, _ in COLUMNS)
                     + f" | {row['seconds']:.0f} |")
    return "\n".join(lines)


def plan(trial_count: int, rng: random.Random, start: int = 0) -> list[trials.KillPlan]:
    """``trial_count`` kill trials spread evenly over the commands, shuffled, drawn from the seed."""
    commands = [trials.KILL_COMMANDS[i % len(trials.KILL_COMMANDS)] for i in range(trial_count)]
    rng.shuffle(commands)
    return [trials.draw_kill_plan(rng, command, start + i) for i, command in enumerate(commands)]


def run_kill_trials(ctx, wanted: int, jobs: int, rng: random.Random, record) -> None:
    """Run kill trials (``jobs`` at a time) until ``wanted`` of them killed their command (one
    that finished before its moment is judged but not counted), at most twice as many."""
    from concurrent.futures import ThreadPoolExecutor

    kills = started = 0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while kills < wanted and started < 2 * wanted:
            batch = plan(max(jobs, min(wanted - kills, 2 * wanted - started)), rng, start=started)
            started += len(batch)
            for result in pool.map(lambda p: trials.kill_trial(ctx, p), batch):
                record(result)
                kills += result.kills


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.torture", description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=120, help="kill -9 trials (default 120)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    parser.add_argument("--scratch", type=Path, default=None, help="folder for the trials' files")
    parser.add_argument("--findings", type=Path, default=None, help="write every failure to this file")
    parser.add_argument("--jobs", type=int, default=2, help="kill trials run side by side (default 2)")
    parser.add_argument("--only", default="", help="comma-separated classes: kill,app,crash,lock,disk,ro,corrupt")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time()) % 100_000
    rng = random.Random(seed)
    only = set(filter(None, args.only.split(","))) or {"kill", "app", "crash", "lock", "disk", "ro", "corrupt"}
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="rd-torture-"))
    scratch.mkdir(parents=True, exist_ok=True)
    scratch.chmod(0o755)
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {message}", flush=True)

    log(f"seed {seed}; {args.trials} kill trials; scratch {scratch}; pid {os.getpid()}")
    ctx = trials.prepare(scratch, rng, log)
    results: list[TrialResult] = []

    def record(result: TrialResult) -> None:
        results.append(result)
        status = "ok" if result.ok else "FAIL: " + "; ".join(result.findings)[:600]
        log(f"{result.trial_class} / {result.name} ({result.seconds:.1f} s): {status}")

    if "kill" in only and args.trials:
        run_kill_trials(ctx, args.trials, args.jobs, rng, record)
    if "app" in only:
        every = list(trials.beside_commands(ctx, scratch))
        for i in range(3):
            record(trials.standin_beside_cli(ctx, i, rng.sample(every, k=len(every))))
        record(trials.real_app_beside_cli(ctx, 0, every))
    if "crash" in only:
        for variant in ("checkpoint", "hot-journal"):
            record(trials.crash_state_trial(ctx, variant))
    if "lock" in only:
        for variant in ("begin-exclusive", "exclusive-mode"):
            record(trials.lock_trial(ctx, variant))
    if "disk" in only:
        for leave in (0, rng.randrange(4096, 65536)):
            record(trials.full_disk_trial(ctx, leave))
    if "ro" in only:
        for variant in ("folder", "file"):
            record(trials.read_only_trial(ctx, variant))
    if "corrupt" in only:
        for i in range(2):
            record(trials.corrupt_trial(ctx, i))

    elapsed = time.monotonic() - started
    print()
    print(f"Torture table — seed {seed}, {sum(r.kills for r in results)} kill -9 "
          f"({args.trials} kill trials planned), {elapsed / 60:.1f} min on {os.cpu_count()} cores")
    print()
    print(table(results))
    failures = [f"- {r.trial_class} / {r.name}: {f}" for r in results for f in r.findings]
    if failures:
        print()
        print("Failures:")
        print("\n".join(failures))
    if args.findings:
        args.findings.write_text(f"seed {seed}\n\n{table(results)}\n\n" + "\n".join(failures) + "\n",
                                 encoding="utf-8")
    if args.scratch is None:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
