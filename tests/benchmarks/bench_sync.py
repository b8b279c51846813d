"""Issue 11 budgets: a day's work of 1,000 edits exports and imports in under 1 s each;
joining a laptop to the 60,000-case / 300,000-task workspace takes under 60 s and its whole
bundle is under 100 MB; the app's writes get no more than 15 % slower with the change log.

"Before" for the writes is the code just before the change log (``BASELINE``, taken from
git into a temporary folder), running the same edits on a workspace it built itself; the
two are run in turns and compared by their medians.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import big_workspace, report

BASELINE = "06a5652"  # main just before the change log (case/task commands only)
ROOT = Path(__file__).resolve().parent.parent.parent
PASSPHRASE = "benchmark passphrase"
EDITS = 1000


def day_of_edits(ws, count: int, offset: int = 0) -> None:
    """Typical edits: case fields, needs, card moves, comments (as the app makes them)."""
    from sqlalchemy import select

    from recovery_desk.services import cases, tasks
    from recovery_desk.storage.models import Case, Task

    with ws.session() as s:
        case_ids = s.scalars(select(Case.id).where(Case.deleted_at.is_(None)).order_by(Case.id).limit(400)).all()
        task_ids = s.scalars(select(Task.id).where(Task.deleted_at.is_(None), Task.status == "received")
                             .order_by(Task.id).limit(400)).all()
    priorities = ("urgent", "high", "normal", "low")
    for i in range(count):
        n = i + offset
        kind = n % 4
        if kind == 0:
            cases.update_case(ws, case_ids[n % len(case_ids)], priority=priorities[n % 4])
        elif kind == 1:
            cases.update_case(ws, case_ids[n % len(case_ids)], notes=f"visit {n}")
        elif kind == 2:
            tasks.move_task(ws, task_ids[n % len(task_ids)], ("matched", "in_progress", "received")[n % 3])
        else:
            tasks.add_comment(ws, task_ids[n % len(task_ids)], f"comment {n}")


WORKLOAD = r'''
import json, sys, time, statistics
from datetime import date
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import recovery_desk
from recovery_desk.services.demo import create_demo
from recovery_desk.services.workspace import Workspace
from tests.benchmarks.bench_sync import day_of_edits
path = Path(sys.argv[1])
if not path.exists():
    create_demo(path, cases=2000, seed=5, as_of=date(2024, 6, 30), actor="bench")
times = []
with Workspace.open(path, actor="bench") as ws:
    day_of_edits(ws, 50, offset=int(sys.argv[2]))  # warm up
    for batch in range(3):
        started = time.perf_counter()
        day_of_edits(ws, 100, offset=int(sys.argv[2]) + 1000 * batch)
        times.append((time.perf_counter() - started) / 100)
print(json.dumps({"per_edit": statistics.median(times), "module": recovery_desk.__file__}))
'''


def write_speed(tmp: Path) -> bool:
    baseline = tmp / "baseline"
    baseline.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BASELINE, "recovery_desk"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive, check=True)
    runs: dict[str, list[float]] = {"before": [], "after": []}
    for turn in range(5):
        for label, tree in (("before", baseline), ("after", ROOT)):
            env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{ROOT}"}
            out = subprocess.run([sys.executable, "-c", WORKLOAD, str(tmp / f"{label}.rdesk"), str(turn * 5000),
                                  str(tree)], check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout
            result = json.loads(out.strip().splitlines()[-1])
            assert result["module"].startswith(str(tree)), result
            runs[label].append(result["per_edit"])
    before, after = statistics.median(runs["before"]), statistics.median(runs["after"])
    report("one typical edit, before the change log", runs["before"])
    report("one typical edit, with the change log", runs["after"])
    slower = after / before - 1
    within = slower <= 0.15
    print(f"{'writes slower with the change log':<48} {slower * 100:+.1f} %  budget +15 %: {'OK' if within else 'OVER'}")
    return within


def exchange_of_a_day(tmp: Path, big: Path) -> bool:
    from recovery_desk.services.sync.exchange import export_bundle, import_bundle
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.database import backup_file

    # Two laptops that share the whole workspace: two copies (each takes its own identity).
    a = Workspace.open(backup_file(big, tmp / "a.rdesk"), actor="A")
    b = Workspace.open(backup_file(big, tmp / "b.rdesk"), actor="B")
    export_bundle(b, tmp / "hello.rdsync", PASSPHRASE, for_replica=None, everything=False)
    import_bundle(a, tmp / "hello.rdsync", PASSPHRASE)  # a now knows what b has
    exports, imports, sizes = [], [], []
    for day in range(5):
        day_of_edits(a, EDITS, offset=day * EDITS)
        path = tmp / f"day{day}.rdsync"
        started = time.perf_counter()
        export_bundle(a, path, PASSPHRASE, for_replica=b.replica_id)
        exports.append(time.perf_counter() - started)
        sizes.append(path.stat().st_size)
        started = time.perf_counter()
        summary = import_bundle(b, path, PASSPHRASE)
        imports.append(time.perf_counter() - started)
        assert summary.changes >= EDITS, summary
        export_bundle(b, tmp / "ack.rdsync", PASSPHRASE, for_replica=a.replica_id)
        import_bundle(a, tmp / "ack.rdsync", PASSPHRASE)
    a.close()
    b.close()
    ok = report(f"sync export of {EDITS} edits (bundle ~{statistics.median(sizes) / 1e3:.0f} kB)", exports, budget=1.0)
    return report(f"sync import of {EDITS} edits", imports, budget=1.0) and ok


def join_the_big_workspace(tmp: Path, big: Path) -> bool:
    from recovery_desk.services.sync.exchange import export_bundle, join_workspace
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.database import backup_file

    home = Workspace.open(backup_file(big, tmp / "home.rdesk"), actor="home")
    started = time.perf_counter()
    export_bundle(home, tmp / "all.rdsync", PASSPHRASE, everything=True)
    written = time.perf_counter() - started
    home.close()
    size_mb = (tmp / "all.rdsync").stat().st_size / 1e6
    ok = report("sync export --all of the 60k workspace", [written])
    started = time.perf_counter()
    join_workspace(tmp / "joined.rdesk", tmp / "all.rdsync", PASSPHRASE, actor="new laptop").close()
    joined = time.perf_counter() - started
    ok &= report("join from that bundle (one run)", [joined], budget=60.0)
    within = size_mb < 100
    print(f"{'bundle of the whole 60k workspace':<48} {size_mb:9.1f} MB  budget 100 MB: {'OK' if within else 'OVER'}")
    return ok and within


def main() -> bool:
    big = big_workspace()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        ok = join_the_big_workspace(tmp, big)
        ok &= exchange_of_a_day(tmp, big)
        ok &= write_speed(tmp)
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
