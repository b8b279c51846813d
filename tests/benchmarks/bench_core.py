"""Issue 2 budgets: `demo --cases 60000` under 60 s; `stats --json` on it under 1 s (median)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import (
    BENCH_AS_OF,
    BENCH_CASES,
    BENCH_SEED,
    big_workspace,
    measure,
    report,
)


def main() -> bool:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.rdesk"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "recovery_desk", "--workspace", str(path), "demo", "--cases",
                        str(BENCH_CASES), "--seed", str(BENCH_SEED), "--as-of", str(BENCH_AS_OF)],
                       check=True, capture_output=True)
        demo_seconds = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
    ok &= report(f"demo --cases {BENCH_CASES} (one run, {size_mb:.0f} MB)", [demo_seconds], budget=60.0)

    workspace = str(big_workspace())
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # The whole command as a user runs it: interpreter start, imports, open, queries, JSON.
    ok &= report("stats --json (process, 60k cases)", measure(
        lambda: subprocess.run([sys.executable, "-m", "recovery_desk", "--workspace", workspace, "stats", "--json"],
                               check=True, capture_output=True, env=env), repeat=7), budget=1.0)

    from recovery_desk.services.stats import compute_stats
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(Path(workspace)) as ws:
        def figures() -> None:
            with ws.session() as session:
                compute_stats(session)
        ok &= report("compute_stats in-process (60k cases)", measure(figures, repeat=7), budget=1.0)
    return ok


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(0 if main() else 1)
