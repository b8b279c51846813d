"""Regenerate the sample PDFs in docs/samples/ from a 2,000-case demo workspace.

    .venv/bin/python -m tests.benchmarks.make_samples

Writes the incident progress report and the status report of one busy case, in English
and Japanese, with personal data redacted (the default).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs" / "samples"
AS_OF = date(2024, 6, 30)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from recovery_desk.reports.case import build_case_report
    from recovery_desk.reports.incident import build_incident_report
    from recovery_desk.services.demo import create_demo
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.models import Case, Conference, Task

    SAMPLES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.rdesk"
        create_demo(path, cases=2000, seed=1, as_of=AS_OF, actor="Demo")
        with Workspace.open(path, actor="七尾市社会福祉協議会 災害ボランティアセンター") as ws:
            with ws.session() as s:
                # a case in support with a case conference and the most tasks
                reference = s.execute(
                    select(Case.reference).join(Task, Task.case_id == Case.id)
                    .where(Case.stage == "in_support", Case.id.in_(select(Conference.case_id)))
                    .group_by(Case.id).order_by(func.count().desc(), Case.reference).limit(1)).scalar_one()
            for lang in ("en", "ja"):
                incident = SAMPLES / f"incident-report-{lang}.pdf"
                build_incident_report(ws, incident, end=AS_OF, lang=lang, today=AS_OF)
                case = SAMPLES / f"case-report-{lang}.pdf"
                build_case_report(ws, reference, case, lang=lang, today=AS_OF)
                for pdf in (incident, case):
                    print(f"{pdf.relative_to(ROOT)}  {pdf.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
