"""``make bench``: run every bench_*.py in this folder and print their figures.

Not part of ``make test``: the figures are medians on a shared, noisy machine, quoted in
the issues' closing notes; the budgets are printed next to them.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE.parent.parent))
    only = sys.argv[1:]
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        if only and not any(name in script.stem for name in only):
            continue
        print(f"\n== {script.stem}")
        result = runpy.run_path(str(script), run_name="__bench__")
        if not result["main"]():
            failures += 1
    print(f"\n{failures} benchmark group(s) over budget" if failures else "\nall benchmark groups within budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
