"""Resource mapping budgets on the 60,000-case / ~300,000-task workspace (issue 13):

- ``match REF --json`` as a process < 300 ms; ``gaps --json`` as a process < 1.5 s;
- the Resource map page paints < 500 ms: from asking for its data to the heat map painted
  (the gaps without the single-sector cases read on the worker, then the paint; the summary's
  single-sector count follows in a second job, timed apart); the map mode reads its 50,000
  points when first shown (timed apart) and paints < 500 ms;
- the case editor's candidate list appears < 150 ms (the read on the worker and the tree filled).

Medians; processes are also reported with their CPU time (user + system), which the other
agents on the machine inflate less than the wall clock.

    .venv/bin/python tests/benchmarks/bench_mapping.py [WORKSPACE | URL] [--only cli|ui]

With a server URL (a PostgreSQL workspace of the same 60,000-case demo, e.g. a copy of the
lead's ``bench60k``) the same figures are taken on the server, named "(server)"; the CPU
time of a process is then the client's only (the server's work shows in the wall clock).
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import big_workspace, report  # noqa: E402

RUNS = 5


def cli_times(path: Path | str, *argv: str) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) of ``recovery-desk --workspace path argv`` as a process."""
    exe = Path(sys.executable).with_name("recovery-desk")
    walls, cpus = [], []
    for i in range(RUNS + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([str(exe), "--workspace", str(path), *argv], check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i:  # the first run warms the page cache
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def sample_case(where: Path | str) -> tuple[str, str]:
    """(reference, id) of an open case with several unmet needs (deterministic: the same case
    of the same demo on a file and on a server)."""
    if isinstance(where, str):
        import psycopg

        con = psycopg.connect(where)
    else:
        con = sqlite3.connect(f"{where.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return tuple(con.execute("""SELECT c.reference, c.id FROM "case" c JOIN need n ON n.case_id = c.id
                                    WHERE n.state = 'unmet' AND c.stage NOT IN ('closed', 'transferred')
                                    GROUP BY c.id, c.reference, c.sequence HAVING count(*) >= 2
                                    ORDER BY c.sequence LIMIT 1 OFFSET 100""").fetchone())
    finally:
        con.close()


def bench_cli(path: Path | str, reference: str, on: str = "") -> bool:
    ok = True
    # Baselines in the same run (the machine's load changes by the minute): the interpreter and
    # the command line starting, and `stats --json` (0.67 s wall on a quiet machine, README).
    for name, argv in (("baseline: --version (process)", ("--version",)), (f"baseline: stats --json (process{on})",
                                                                           ("stats", "--json"))):
        walls, cpus = cli_times(path, *argv)
        report(name, walls)
        report("  CPU time", cpus)
    for name, argv, budget in ((f"match REF --json (process{on})", ("match", reference, "--json"), 0.3),
                               (f"gaps --json (process{on})", ("gaps", "--json"), 1.5)):
        walls, cpus = cli_times(path, *argv)
        ok &= report(name, walls, budget)
        report(f"  {name.split(' (')[0]}: CPU time", cpus)
    return ok


def measure_cpu(fn, repeat: int = 5) -> tuple[list[float], list[float]]:
    """(wall, CPU of the whole process — the worker thread included) of ``repeat`` runs after one."""
    fn()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def report_both(name: str, fn, budget: float, repeat: int = 5) -> bool:
    walls, cpus = measure_cpu(fn, repeat)
    ok = report(name, walls, budget)
    report("  CPU time", cpus)
    return ok


def bench_ui(path: Path | str, case_id: str, on: str = "") -> bool:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    import recovery_desk.ui  # noqa: F401  (the refcount guard)
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.pages.resource_map_page import (
        ResourceMapPage,
        load_map_data,
        load_map_points,
    )
    from recovery_desk.ui.pages.suggestions import SuggestionsPanel
    from recovery_desk.ui.worker import DatabaseWorker

    app = QApplication.instance() or QApplication([])
    worker = DatabaseWorker()
    ctx = AppContext(worker, lang="ja")
    ctx.set_workspace(Workspace.open(path, actor="bench", upgrade=False))
    ok = True
    page = panel = None
    try:
        ws = ctx.workspace
        report_both(f"resource map: gaps read (worker job{on})", lambda: _read(ws, load_map_data), 10)
        page = ResourceMapPage(ctx)
        page.resize(1400, 900)

        def page_shown() -> tuple[float, float, float, float]:
            """(wall, CPU) until the heat map is painted, then until the summary is complete
            (the single-sector cases: a second worker job); CPU of the whole process."""
            loop = QEventLoop()
            marks: list[tuple[float, float]] = []

            def painted() -> None:
                page.heat.grab()
                marks.append((time.perf_counter(), time.process_time()))

            page.loaded.connect(painted)
            page.summary_complete.connect(loop.quit)
            wall, cpu = time.perf_counter(), time.process_time()
            page.reload()
            loop.exec()
            done = (time.perf_counter(), time.process_time())
            page.loaded.disconnect(painted)
            page.summary_complete.disconnect(loop.quit)
            return marks[0][0] - wall, marks[0][1] - cpu, done[0] - wall, done[1] - cpu

        page_shown()
        runs = [page_shown() for _ in range(5)]
        ok &= report(f"resource map appears (gaps read + heat map painted{on})", [r[0] for r in runs], 0.5)
        report("  CPU time", [r[1] for r in runs])
        report("  its summary complete (single-sector cases counted)", [r[2] for r in runs])
        report("  CPU time", [r[3] for r in runs])
        ok &= report_both("  heat map painted alone", page.heat.grab, 0.5)
        report_both(f"map mode: points read (worker job, when first shown{on})", lambda: _read(ws, load_map_points),
                    10)
        page.data.points, page.data.labels = _read(ws, load_map_points)
        page.map.set_data(page.data.points, page.data.labels)
        page.set_mode("map")
        page.map.resize(900, 800)
        def fresh_map() -> None:
            page.map._groups_for = None  # as after new data or a resize: project every case again
            page.map.grab()

        ok &= report_both("resource map: map of 50,000 open cases painted", fresh_map, 0.5)
        report_both("resource map: map repainted (selection unchanged)", page.map.grab, 0.5)

        panel = SuggestionsPanel(ctx)
        panel.resize(900, 400)

        def show_candidates() -> None:
            # wait in an event loop, not a busy one: the CPU time is the read and the fill only
            loop = QEventLoop()
            panel.loaded.connect(loop.quit)
            panel.show_for(case_id)
            loop.exec()
            panel.loaded.disconnect(loop.quit)

        ok &= report_both(f"case editor: candidate list appears (read + fill{on})", show_candidates, 0.15)
    finally:
        from PySide6.QtCore import QCoreApplication, QEvent

        def idle() -> None:
            while worker.busy:
                app.processEvents()

        idle()
        for widget in (page, panel):
            if widget is not None:
                widget.close()
                widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        ctx.set_workspace(None)  # the worker closes it
        idle()
        worker.stop()
    return ok


def _read(ws, fn):
    with ws.session() as s:
        return fn(s)


def main(argv: list[str] | None = None) -> bool:
    """``[WORKSPACE | URL] [--only cli|ui]``; the cached 60,000-case demo file by default."""
    import compileall

    # Processes are timed as installed, reading compiled modules: with PYTHONDONTWRITEBYTECODE
    # set (as on the shared machine) every process would otherwise compile each module it imports.
    compileall.compile_dir(ROOT / "recovery_desk", quiet=1)
    argv = list(sys.argv[1:] if argv is None else argv)
    only = argv[argv.index("--only") + 1] if "--only" in argv else None
    paths = [a for a in argv if a not in ("--only", only)]
    from recovery_desk.storage.engines import is_server_url

    server = bool(paths) and is_server_url(paths[0])
    path: Path | str = paths[0] if server else Path(paths[0]) if paths else big_workspace()
    on = ", server" if server else ""
    reference, case_id = sample_case(path)
    name = path if server else path.name
    print(f"  workspace {name}, case {reference}; medians of {RUNS} (the machine is shared: noisy)")
    ok = True
    if only in (None, "cli"):
        ok &= bench_cli(path, reference, on)
    if only in (None, "ui"):
        ok &= bench_ui(path, case_id, on)
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)


