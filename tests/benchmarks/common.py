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
from typing import Any

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


COORDINATOR = {"ja": "山田 花子 (七尾市社会福祉協議会)", "en": "Hanako Yamada (Nanao Social Welfare Council)"}


def screenshot_env(tmp: str) -> dict[str, str]:
    """The environment of a screenshot run: settings, user data and logs inside ``tmp``."""
    return dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=f"{tmp}/config", XDG_DATA_HOME=f"{tmp}/data",
                RECOVERY_DESK_CONFIG_DIR=f"{tmp}/config/RecoveryDesk", RECOVERY_DESK_ACTOR="screenshots",
                RECOVERY_DESK_LOG_DIR=f"{tmp}/log")


def build_screenshot_demo(demo: Path, env: dict[str, str], *, cases: int, seed: int) -> None:
    """A demo workspace as of 2024-06-30, built in its own process (as a user's CLI would)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]);"
                    "from datetime import date; from pathlib import Path;"
                    "from recovery_desk.services.demo import create_demo;"
                    "create_demo(Path(sys.argv[2]), cases=int(sys.argv[3]), seed=int(sys.argv[4]),"
                    " as_of=date(2024, 6, 30), actor='demo')", str(root), str(demo), str(cases), str(seed)],
                   check=True, env=env)


def screenshot_main(script: str, shoot: Callable[[str, Path, Path], list[Path]], *, cases: int = 300,
                    seed: int = 3, prepare: Callable[[Path], None] | None = None) -> int:
    """The command line of the take_screenshots_* scripts: ``[--cases N] [--out DIR]`` builds a demo
    workspace (as of 2024-06-30) in a temporary folder with isolated settings, then runs ``script
    --lang L --demo D`` once per language, each in its own process (the app font and Qt's
    translations are chosen at start), which calls ``shoot(lang, demo, out)``."""
    import argparse
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=cases)
    parser.add_argument("--out", type=Path, default=root / "docs" / "screenshots")
    parser.add_argument("--lang")
    parser.add_argument("--demo", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.lang:
        for path in shoot(args.lang, args.demo, args.out):
            print(path)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        env = screenshot_env(tmp)
        demo = Path(tmp) / "demo.rdesk"
        build_screenshot_demo(demo, env, cases=args.cases, seed=seed)
        if prepare is not None:
            prepare(demo)
        for lang in ("en", "ja"):
            subprocess.run([sys.executable, script, "--lang", lang, "--demo", str(demo), "--out", str(args.out)],
                           check=True, env=env)
    return 0


def wait(app: Any, predicate: Callable[[], object], timeout: float = 30.0) -> None:
    """Process events until ``predicate()`` holds (a screenshot script, not a test: it may poll)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if predicate():
            return
        time.sleep(0.01)
    raise TimeoutError("screenshot: timed out waiting for the window")


def settle(app: Any, ctx: Any, rounds: int = 3) -> None:
    """Until the worker is idle and the views have painted what it delivered, ``rounds`` times
    (a delivered result often queues the next load)."""
    for _ in range(rounds):
        wait(app, lambda: not ctx.worker.busy)
        for _ in range(20):
            app.processEvents()
            time.sleep(0.01)


def open_window(lang: str) -> tuple[Any, Any, Any]:
    """(app, ctx, main window) in ``lang`` with its font and Qt's translations, shown at
    1360×860, with no workspace open yet."""
    from PySide6.QtWidgets import QApplication

    from recovery_desk.i18n import set_language
    from recovery_desk.ui import app as app_module
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.main_window import MainWindow
    from recovery_desk.ui.worker import DatabaseWorker

    app = QApplication.instance() or QApplication([])
    set_language(lang)
    app_module.setup_fonts(lang)
    app._translators = app_module.load_qt_translations(app, lang)
    ctx = AppContext(DatabaseWorker(), lang=lang)
    window = MainWindow(ctx)
    window.resize(1360, 860)
    window.show()
    return app, ctx, window


def close_window(app: Any, ctx: Any, window: Any) -> None:
    """The end of a screenshot run: the window closed, the workspace closed, the worker stopped."""
    window.close()
    ctx.set_workspace(None)
    settle(app, ctx)
    ctx.worker.stop()


def screenshot_window(lang: str, demo: Path) -> tuple[Any, Any, Any]:
    """:func:`open_window` on the demo workspace, signed by a coordinator of the demo's social
    welfare council."""
    from recovery_desk.services.workspace import Workspace

    app, ctx, window = open_window(lang)
    ctx.set_workspace(Workspace.open(demo, actor=COORDINATOR[lang]))
    return app, ctx, window


def time_cases_page_first_rows(app: Any, ctx: Any, rounds: int = 6) -> tuple[list[float], list[Any]]:
    """Seconds from creating a cases page to its first rows on screen, ``rounds`` times (the first
    run warms the caches: callers report ``times[1:]``), with the pages (kept alive, fully loaded)."""
    from recovery_desk.ui.pages.cases_page import CasesPage

    times, pages = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        page = CasesPage(ctx)
        while page.model.rowCount() == 0 or not page.model.rows:
            app.processEvents()
            time.sleep(0.0005)
        times.append(time.perf_counter() - started)
        while not page.model.complete:
            app.processEvents()
            time.sleep(0.0005)
        pages.append(page)
    return times, pages
