"""The report lists agree with compute_stats and with a plain Python recount."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from recovery_desk.domain.vocabulary import CLOSED_TASK_STATUSES, OPEN_STAGES
from recovery_desk.services import report_data
from recovery_desk.services.stats import Period, compute_stats
from recovery_desk.storage.models import Case, Need, Task
from tests.conftest import DEMO_AS_OF

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


def test_lists_agree_with_stats_and_a_recount(demo_path: Path) -> None:
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo_path) as ws, ws.session() as s:
        stats = compute_stats(s, Period(None, DEMO_AS_OF), DEMO_AS_OF)
        cases = s.scalars(select(Case).where(Case.deleted_at.is_(None))).all()
        tasks = s.scalars(select(Task).where(Task.deleted_at.is_(None))).all()

        overdue = report_data.overdue_tasks(s, DEMO_AS_OF, limit=10)
        assert overdue.total == stats["tasks"]["overdue"] > 10 and len(overdue.rows) == 10
        days = [r["days_overdue"] for r in overdue.rows]
        assert days == sorted(days, reverse=True) and min(days) >= 1

        single = report_data.single_sector_cases(s, limit=5)
        assert single.total == stats["cases"]["single_sector_open"] and len(single.rows) == 5
        assert all(r["stage"] in OPEN_STAGES and r["sector"] for r in single.rows)

        cutoff = datetime.combine(DEMO_AS_OF - timedelta(days=14), datetime.min.time())
        expected = sorted((c.last_activity_at, c.reference) for c in cases
                          if c.stage in OPEN_STAGES and c.last_activity_at < cutoff)
        stalled = report_data.stalled_cases(s, DEMO_AS_OF, 14, limit=1000)
        assert stalled.total == len(expected) > 0
        assert [r["reference"] for r in stalled.rows] == [ref for _, ref in expected]

        areas = report_data.cases_by_area(s)
        assert sum(a["cases"] for a in areas) == stats["cases"]["total"]
        assert sum(a["open"] for a in areas) == stats["cases"]["open"]
        assert sum(a["unmet"] for a in areas) == sum(v["unmet"] for v in stats["needs"]["by_category"].values())
        assert len(s.scalars(select(Need)).all()) > 0

        orgs = report_data.organisation_load(s)
        assert len(orgs) == stats["organisations"]["engaged"]
        open_led = sum(1 for t in tasks if t.status not in CLOSED_TASK_STATUSES and t.lead_org_id)
        assert sum(o["open_tasks"] for o in orgs) == open_led
        assert sum(o["open_tasks"] for o in orgs) == sum(v["open_tasks"] for v in stats["load_by_sector"].values())
        loads = [o["open_tasks"] for o in orgs]
        assert loads == sorted(loads, reverse=True)
