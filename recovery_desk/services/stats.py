"""The figures the dashboard, ``stats`` and the reports print — computed in one place.

Aggregates run in SQL (one query per figure group, none per row), so the whole set
answers in well under a second on a 60,000-case / 300,000-task workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, distinct, func, select, text
from sqlalchemy.orm import Session

from recovery_desk.domain.vocabulary import (
    CLOSED_STAGES,
    CLOSED_TASK_STATUSES,
    DAMAGE_LEVEL,
    NEED_CATEGORY,
    NEED_STATE,
    OPEN_STAGES,
    PESTOFF_SECTORS,
    PRIORITY,
    SECTOR,
    STAGE,
    SUPPORT_CLASS,
    TASK_STATUS,
)
from recovery_desk.storage.models import Case, Organisation, Participation, Person, Task


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None

    def contains(self, column: Any) -> Any:
        conditions = []
        if self.start:
            conditions.append(column >= self.start)
        if self.end:
            conditions.append(column <= self.end)
        return and_(column.is_not(None), *conditions)


def _zeros(codes: list[str] | tuple[str, ...]) -> dict[str, int]:
    return {c: 0 for c in codes}


def _grouped(session: Session, column: Any, *where: Any, codes: list[str] | tuple[str, ...]) -> dict[str, int]:
    counts = _zeros(codes)
    for key, n in session.execute(select(column, func.count()).where(*where).group_by(column)):
        if key is not None:
            counts[key] = counts.get(key, 0) + n
    return counts


LIVE_CASE = Case.deleted_at.is_(None)
OPEN_CASE = Case.stage.in_(OPEN_STAGES)


def live_tasks() -> Any:
    """Tasks that count: not deleted, on a case that is not deleted."""
    return select(Task).join(Case, Case.id == Task.case_id).where(Task.deleted_at.is_(None), LIVE_CASE)


def sectors_per_case(session: Session, *where: Any) -> Any:
    """A subquery: each live case with the number of distinct Pestoff sectors taking part."""
    sector = case((and_(Organisation.sector.in_(PESTOFF_SECTORS), Organisation.deleted_at.is_(None)),
                   Organisation.sector))
    return (
        select(Case.id.label("case_id"), func.count(distinct(sector)).label("sectors"))
        .select_from(Case)
        .outerjoin(Participation, and_(Participation.case_id == Case.id, Participation.deleted_at.is_(None)))
        .outerjoin(Organisation, Organisation.id == Participation.organisation_id)
        .where(LIVE_CASE, *where)
        .group_by(Case.id)
        .subquery()
    )


# Rows of deleted cases do not count. The set of deleted cases is small, so one NOT IN
# against it (SQLite builds it once) is far cheaper than joining every row to its case.
_NOT_DELETED_CASE = 'case_id NOT IN (SELECT id FROM "case" WHERE deleted_at IS NOT NULL)'


def compute_stats(session: Session, period: Period | None = None, today: date | None = None) -> dict[str, Any]:
    """Every figure of ``stats --json``, the dashboard and the reports, in six scans."""
    period = period or Period()
    today = today or date.today()
    # Overdue is judged at the end of the period when it lies in the past.
    as_of = min(period.end, today) if period.end else today
    in_period = _period_sql(period)
    params = {"start": period.start, "end": period.end, "as_of": as_of}

    by_stage = _zeros(STAGE.codes)
    by_priority = _zeros(PRIORITY.codes)
    by_support = _zeros([*SUPPORT_CLASS.codes, "unknown"])
    by_damage = _zeros([*DAMAGE_LEVEL.codes, "unknown"])
    opened = closed_in_period = 0
    for stage, priority, support, damage, was_opened, was_closed, n in session.execute(text(f"""
        SELECT stage, priority, coalesce(support_class, 'unknown'), coalesce(damage_level, 'unknown'),
               {in_period.format(column="opened_on")}, stage = 'closed' AND {in_period.format(column="closed_on")},
               count(*)
        FROM "case" WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6"""), params):
        by_stage[stage] += n
        by_priority[priority] += n
        by_support[support] += n
        by_damage[damage] += n
        opened += n if was_opened else 0
        closed_in_period += n if was_closed else 0
    cases_total = sum(by_stage.values())

    # Per case: how many distinct Pestoff sectors take part, and the sectors of its leads.
    # Organisations are few; mapping them to sectors in Python spares a join per row.
    sector_of = dict(session.execute(text("SELECT id, sector FROM organisation WHERE deleted_at IS NULL")).all())
    pestoff = set(PESTOFF_SECTORS)
    sectors_of_case: dict[str, set[str]] = {}
    cases_led = dict.fromkeys(SECTOR.codes, 0)
    led: set[tuple[str, str]] = set()
    # ~3 rows per case: read them with the driver's cursor, a tenth of the cost of Result rows.
    cursor = session.connection().connection.driver_connection.execute(f"""
        SELECT case_id, organisation_id, role FROM participation
        WHERE deleted_at IS NULL AND {_NOT_DELETED_CASE}""")
    for case_id, organisation_id, role in cursor:
        sector = sector_of.get(organisation_id)
        if sector is None:
            continue
        if sector in pestoff:
            sectors_of_case.setdefault(case_id, set()).add(sector)
        if role == "lead" and (case_id, sector) not in led:
            led.add((case_id, sector))
            cases_led[sector] += 1
    not_open = set(session.scalars(select(Case.id).where(LIVE_CASE, Case.stage.in_(CLOSED_STAGES))))
    by_sectors = {str(n): 0 for n in range(5)}
    single_sector_open = 0
    for case_id, sectors in sectors_of_case.items():
        by_sectors[str(len(sectors))] += 1
        if len(sectors) == 1 and case_id not in not_open:
            single_sector_open += 1
    by_sectors["0"] = cases_total - sum(by_sectors.values())

    needs = {c: _zeros(NEED_STATE.codes) for c in NEED_CATEGORY.codes}
    for category, state, n in session.execute(text(f"""
        SELECT category, state, count(*) FROM need
        WHERE deleted_at IS NULL AND {_NOT_DELETED_CASE} GROUP BY 1, 2""")):
        needs.setdefault(category, _zeros(NEED_STATE.codes))[state] += n

    tasks_by_status = _zeros(TASK_STATUS.codes)
    overdue = 0
    open_tasks_led = dict.fromkeys(SECTOR.codes, 0)
    for status, lead_org_id, late, n in session.execute(text(f"""
        SELECT status, lead_org_id, due_date < :as_of, count(*) FROM task
        WHERE deleted_at IS NULL AND {_NOT_DELETED_CASE} GROUP BY 1, 2, 3"""), params):
        tasks_by_status[status] += n
        if status not in CLOSED_TASK_STATUSES:
            overdue += n if late else 0
            sector = sector_of.get(lead_org_id)
            if sector:
                open_tasks_led[sector] += n

    engaged = session.scalar(text(f"""
        SELECT count(*) FROM organisation o WHERE o.deleted_at IS NULL AND EXISTS (
            SELECT 1 FROM participation p WHERE p.organisation_id = o.id AND p.deleted_at IS NULL
            AND p.{_NOT_DELETED_CASE})""")) or 0
    live_org = Organisation.deleted_at.is_(None)
    return {
        "period": {"from": period.start.isoformat() if period.start else None,
                   "to": period.end.isoformat() if period.end else None,
                   "as_of": as_of.isoformat()},
        "cases": {
            "total": cases_total,
            "open": sum(by_stage[s] for s in OPEN_STAGES),
            "closed": by_stage["closed"],
            "by_stage": by_stage,
            "by_priority": by_priority,
            "by_support_class": by_support,
            "by_damage_level": by_damage,
            "opened_in_period": opened,
            "closed_in_period": closed_in_period,
            "by_sectors_engaged": by_sectors,
            "single_sector_open": single_sector_open,
        },
        "needs": {"by_category": needs},
        "tasks": {
            "total": sum(tasks_by_status.values()),
            "open": sum(n for s, n in tasks_by_status.items() if s not in CLOSED_TASK_STATUSES),
            "by_status": tasks_by_status,
            "overdue": overdue,
        },
        "organisations": {
            "total": session.scalar(select(func.count()).select_from(Organisation).where(live_org)) or 0,
            "engaged": engaged,
            "by_sector": _grouped(session, Organisation.sector, live_org, codes=SECTOR.codes),
        },
        "load_by_sector": {s: {"open_tasks": open_tasks_led[s], "cases_led": cases_led[s]} for s in SECTOR.codes},
        "people": {"total": session.scalar(select(func.count()).select_from(Person).where(
            Person.deleted_at.is_(None))) or 0},
    }


def _period_sql(period: Period) -> str:
    """A SQL test that ``{column}`` lies in the period (a template for str.format)."""
    conditions = ["{column} IS NOT NULL"]
    if period.start:
        conditions.append("{column} >= :start")
    if period.end:
        conditions.append("{column} <= :end")
    return "(" + " AND ".join(conditions) + ")"
