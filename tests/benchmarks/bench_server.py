"""The server budgets on a 60,000-case workspace in PostgreSQL on this machine (medians):
cases view first rows < 300 ms, board of ~2,000 cards < 500 ms, `stats --json` < 1 s.

    tests/pg_server.sh .venv/bin/python tests/benchmarks/bench_server.py [URL]

Without URL a database ``bench60k`` is made on the test server (RD_TEST_PG_URL) and filled with
the 60,000-case demo (the seed and date of the file benchmarks) the first time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.common import (  # noqa: E402
    BENCH_AS_OF,
    BENCH_CASES,
    BENCH_SEED,
    measure,
    report,
    time_cases_page_first_rows,
)

SCOPE = "area:和倉 priority:urgent,high"  # about 2,000 open cards (as bench_board.py)


def server_workspace(url: str | None) -> str:
    if url:
        return url
    import psycopg

    from recovery_desk.services.demo import create_demo
    from tests.pg_helpers import PgServer

    server = PgServer(os.environ["RD_TEST_PG_URL"])
    url = server.url("bench60k")
    with server.admin() as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = 'bench60k'").fetchone():
            con.execute("CREATE DATABASE bench60k")
    with psycopg.connect(url) as con:
        filled = con.execute("SELECT to_regclass('workspace_info') IS NOT NULL").fetchone()[0]
    if not filled:
        started = time.perf_counter()
        create_demo(url, cases=BENCH_CASES, seed=BENCH_SEED, as_of=BENCH_AS_OF, actor="bench")
        print(f"  (demo of {BENCH_CASES} cases built on the server in {time.perf_counter() - started:.0f} s)")
        with psycopg.connect(url, autocommit=True) as con:
            con.execute("VACUUM ANALYZE")
    return url


def main() -> bool:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    url = server_workspace(sys.argv[1] if len(sys.argv) > 1 else None)
    ok = True

    def stats_process() -> None:
        subprocess.run([sys.executable, "-m", "recovery_desk.cli.main", "--workspace", url, "stats", "--json"],
                       check=True, stdout=subprocess.DEVNULL)

    ok &= report("stats --json, whole process (server)", measure(stats_process), 1.0)

    from PySide6.QtWidgets import QApplication

    from recovery_desk.services.board_query import BoardScope, load_board
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.worker import DatabaseWorker

    app = QApplication.instance() or QApplication([])
    worker = DatabaseWorker()
    ctx = AppContext(worker, lang="en")
    ws = Workspace.open(url, actor="bench")
    ctx.set_workspace(ws)
    try:
        first_rows, pages = time_cases_page_first_rows(app, ctx)
        ok &= report("cases view: first rows (server, 60,000 cases)", first_rows[1:], 0.3)

        with ws.session() as s:
            cards = len(load_board(s, BoardScope(SCOPE), today=BENCH_AS_OF).cards)
        print(f"  (board scope {SCOPE!r}: {cards} open cards)")

        def board() -> None:
            with ws.session() as s:
                load_board(s, BoardScope(SCOPE), today=BENCH_AS_OF)

        ok &= report("board query, ~2,000 open cards (server)", measure(board), 0.5)
    finally:
        ctx.set_workspace(None)
        worker.stop()
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
