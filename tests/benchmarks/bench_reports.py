"""Issue 5 budgets on the 60,000-case workspace: the incident report under 10 s and a case
report under 0.5 s (medians), measured in-process from an open workspace to the renamed file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.benchmarks.common import BENCH_AS_OF, big_workspace, measure, report


def main() -> bool:
    from sqlalchemy import func, select

    from recovery_desk.reports.case import build_case_report
    from recovery_desk.reports.incident import build_incident_report
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.models import Case, Task

    ok = True
    with tempfile.TemporaryDirectory() as tmp, Workspace.open(big_workspace(), actor="bench") as ws:
        out = Path(tmp)
        with ws.session() as s:
            # the busiest case: the one with the most tasks
            reference = s.execute(select(Case.reference).join(Task, Task.case_id == Case.id)
                                  .group_by(Case.id).order_by(func.count().desc()).limit(1)).scalar_one()
        for lang in ("en", "ja"):
            ok &= report(f"report incident --lang {lang} (60k cases)", measure(
                lambda lang=lang: build_incident_report(ws, out / f"incident-{lang}.pdf", end=BENCH_AS_OF,
                                                        lang=lang, today=BENCH_AS_OF),
                repeat=3), budget=10.0)
        pages = (out / "incident-en.pdf").read_bytes().count(b"/Type /Page\n")
        size_kb = (out / "incident-en.pdf").stat().st_size // 1024
        print(f"  (incident report: {size_kb} KB, about {pages} pages)")
        ok &= report(f"report case {reference} (60k cases)", measure(
            lambda: build_case_report(ws, reference, out / "case.pdf", lang="ja", include_pii=True,
                                      today=BENCH_AS_OF), repeat=7), budget=0.5)
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
