"""``make bench``: run every bench_*.py in this folder and print their figures.

Not part of ``make test``: the figures are medians on a shared, noisy machine, quoted in
the issues' closing notes; the budgets are printed next to them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    only = sys.argv[1:]
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        if only and not any(name in script.stem for name in only):
            continue
        print(f"\n== {script.stem}", flush=True)
        # Each group in its own interpreter: peak-memory figures (VmHWM) and import costs
        # must not carry over from another group.
        code = f"import sys; from tests.benchmarks.{script.stem} import main; sys.exit(0 if main() else 1)"
        if subprocess.run([sys.executable, "-c", code], cwd=HERE.parent.parent).returncode != 0:
            failures += 1
    print(f"\n{failures} benchmark group(s) over budget" if failures else "\nall benchmark groups within budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
