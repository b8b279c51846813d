"""Resource mapping budgets on the 60,000-case / ~300,000-task workspace (issue 13):

- ``match REF --json`` as a process < 300 ms; ``gaps --json`` as a process < 1.5 s;
- the Resource map page paints < 500 ms (heat map and map; the gaps are read on the worker
  first, timed apart);
- the case editor's candidate list appears < 150 ms (the read on the worker and the tree filled).

Medians; processes are also reported with their CPU time (user + system), which the other
agents on the machine inflate less than the wall clock.

    .venv/bin/python tests/benchmarks/bench_mapping.py [WORKSPACE]
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

from tests.benchmarks.common import big_workspace, measure, report  # noqa: E402

RUNS = 5


def cli_times(path: Path, *argv: str) -> tuple[list[float], list[float]]:
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


def sample_case(path: Path) -> tuple[str, str]:
    """(reference, id) of an open case with several unmet needs (deterministic)."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("""SELECT c.reference, c.id FROM "case" c JOIN need n ON n.case_id = c.id
                              WHERE n.state = 'unmet' AND c.stage NOT IN ('closed', 'transferred')
                              GROUP BY c.id HAVING count(*) >= 2 ORDER BY c.sequence LIMIT 1 OFFSET 100""").fetchone()
    finally:
        con.close()


def bench_cli(path: Path, reference: str) -> bool:
    ok = True
    for name, argv, budget in (("match REF --json (process)", ("match", reference, "--json"), 0.3),
                               ("gaps --json (process)", ("gaps", "--json"), 1.5)):
        walls, cpus = cli_times(path, *argv)
        ok &= report(name, walls, budget)
        report(f"  {name.split(' (')[0]}: CPU time", cpus)
    return ok


def bench_ui(path: Path, case_id: str) -> bool:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    import recovery_desk.ui  # noqa: F401  (the refcount guard)
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.pages.resource_map_page import ResourceMapPage, load_map_data
    from recovery_desk.ui.pages.suggestions import SuggestionsPanel
    from recovery_desk.ui.worker import DatabaseWorker

    app = QApplication.instance() or QApplication([])
    worker = DatabaseWorker()
    ctx = AppContext(worker, lang="ja")
    ctx.set_workspace(Workspace.open(path, actor="bench", upgrade=False))
    ok = True
    try:
        def until(done) -> None:
            while not done():
                app.processEvents()

        ws = ctx.workspace
        with ws.session() as s:
            data = load_map_data(s)
        report("resource map: gaps and points read (worker job)",
               measure(lambda: _read(ws, load_map_data), repeat=3))
        page = ResourceMapPage(ctx)
        page.resize(1400, 900)
        page.show_data(data)
        ok &= report("resource map: heat map painted", measure(lambda: page.heat.grab()), 0.5)
        page.set_mode("map")
        page.map.resize(900, 800)
        ok &= report("resource map: map of 50,000 open cases painted", measure(lambda: page.map.grab()), 0.5)

        panel = SuggestionsPanel(ctx)
        panel.resize(900, 400)

        def show_candidates() -> None:
            loaded = []
            panel.loaded.connect(lambda: loaded.append(1))
            panel.show_for(case_id)
            until(lambda: loaded)
            panel.loaded.disconnect()

        ok &= report("case editor: candidate list appears (read + fill)", measure(show_candidates), 0.15)
    finally:
        ctx.set_workspace(None)
        worker.stop()
    return ok


def _read(ws, fn):
    with ws.session() as s:
        return fn(s)


def main(argv: list[str] | None = None) -> bool:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else big_workspace()
    reference, case_id = sample_case(path)
    print(f"  workspace {path.name}, case {reference}; medians of {RUNS} (the machine is shared: noisy)")
    ok = bench_cli(path, reference)
    ok &= bench_ui(path, case_id)
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)


