"""Shared by the benchmark scripts: the big workspace, and honest timing (medians).

The 60,000-case / 300,000-task demo workspace is built once and cached in
``$RECOVERY_DESK_BENCH_DIR`` (default: the system temp folder), keyed by its size, seed,
as-of date and the schema head, so each benchmark measures its own work, not the set-up.
"""

from __future__ import annotations

import fcntl
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

BENCH_CASES = int(os.environ.get("RECOVERY_DESK_BENCH_CASES", "60000"))
BENCH_SEED = 2024
BENCH_AS_OF = date(2024, 6, 30)


def bench_dir() -> Path:
    path = Path(os.environ.get("RECOVERY_DESK_BENCH_DIR", Path(tempfile.gettempdir()) / "recovery-desk-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def schema_fingerprint() -> str:
    """Changes whenever a migration or the demo generator changes (so the cache is rebuilt)."""
    import hashlib

    from recovery_desk.services import demo
    from recovery_desk.storage.database import MIGRATIONS_DIR, head_revision

    digest = hashlib.sha256(Path(demo.__file__).read_bytes())
    for script in sorted(MIGRATIONS_DIR.rglob("*.py")):
        digest.update(script.read_bytes())
    return f"{head_revision()}-{digest.hexdigest()[:8]}"


def big_workspace(cases: int = BENCH_CASES) -> Path:
    """The cached demo workspace of ``cases`` cases (built on first use)."""
    from recovery_desk.services.demo import create_demo
    path = bench_dir() / f"demo-{cases}-{BENCH_SEED}-{BENCH_AS_OF}-{schema_fingerprint()}.rdesk"
    # Several benchmark processes may ask at once: one builds (under a lock, into a
    # temporary name renamed at the end), the others wait and reuse it.
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            partial = path.with_name(path.name + ".building")
            for leftover in bench_dir().glob(partial.name + "*"):
                leftover.unlink()
            started = time.perf_counter()
            create_demo(partial, cases=cases, seed=BENCH_SEED, as_of=BENCH_AS_OF, actor="bench")
            partial.rename(path)
            print(f"  (built {path.name} in {time.perf_counter() - started:.1f} s)")
    return path


def measure(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def report(name: str, times: list[float], budget: float | None = None) -> bool:
    """Print median / min / max; returns whether the median is within the budget."""
    median = statistics.median(times)
    within = budget is None or median <= budget
    verdict = "" if budget is None else f"  budget {budget * 1000:.0f} ms: {'OK' if within else 'OVER'}"
    print(f"{name:<48} median {median * 1000:9.1f} ms  (min {min(times) * 1000:.1f}, "
          f"max {max(times) * 1000:.1f}, n={len(times)}){verdict}")
    return within
