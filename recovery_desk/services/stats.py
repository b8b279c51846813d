"""The figures the dashboard, ``stats`` and the reports print — computed in one place.

Aggregates run in SQL (one query per figure group, none per row), so the whole set
answers in well under a second on a 60,000-case / 300,000-task workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from recovery_desk.domain.vocabulary import (
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
from recovery_desk.storage.models import Case, Need, Organisation, Participation, Person, Task


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


def compute_stats(session: Session, period: Period | None = None, today: date | None = None) -> dict[str, Any]:
    period = period or Period()
    today = today or date.today()
    # Overdue is judged at the end of the period when it lies in the past.
    as_of = min(period.end, today) if period.end else today

    cases_total = session.scalar(select(func.count()).select_from(Case).where(LIVE_CASE)) or 0
    by_stage = _grouped(session, Case.stage, LIVE_CASE, codes=STAGE.codes)
    per_case = sectors_per_case(session)
    by_sectors = {str(n): 0 for n in range(5)}
    for n, count in session.execute(select(per_case.c.sectors, func.count()).group_by(per_case.c.sectors)):
        by_sectors[str(min(n, 4))] += count
    open_per_case = sectors_per_case(session, OPEN_CASE)
    single_sector_open = session.scalar(
        select(func.count()).select_from(open_per_case).where(open_per_case.c.sectors == 1)) or 0

    needs = {c: _zeros(NEED_STATE.codes) for c in NEED_CATEGORY.codes}
    for category, state, n in session.execute(
        select(Need.category, Need.state, func.count()).join(Case, Case.id == Need.case_id)
        .where(Need.deleted_at.is_(None), LIVE_CASE).group_by(Need.category, Need.state)
    ):
        needs.setdefault(category, _zeros(NEED_STATE.codes))[state] += n

    task_rows = live_tasks().subquery()
    tasks_by_status = _zeros(TASK_STATUS.codes)
    for status, n in session.execute(select(task_rows.c.status, func.count()).group_by(task_rows.c.status)):
        tasks_by_status[status] = n
    open_task = task_rows.c.status.not_in(CLOSED_TASK_STATUSES)
    overdue = session.scalar(select(func.count()).select_from(task_rows).where(
        open_task, task_rows.c.due_date.is_not(None), task_rows.c.due_date < as_of)) or 0

    live_org = Organisation.deleted_at.is_(None)
    engaged = session.scalar(
        select(func.count(distinct(Participation.organisation_id)))
        .join(Case, Case.id == Participation.case_id)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Participation.deleted_at.is_(None), LIVE_CASE, live_org)) or 0

    load = {s: {"open_tasks": 0, "cases_led": 0} for s in SECTOR.codes}
    for sector, n in session.execute(
        select(Organisation.sector, func.count()).select_from(task_rows)
        .join(Organisation, Organisation.id == task_rows.c.lead_org_id)
        .where(open_task).group_by(Organisation.sector)
    ):
        load[sector]["open_tasks"] = n
    for sector, n in session.execute(
        select(Organisation.sector, func.count(distinct(Participation.case_id)))
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .join(Case, Case.id == Participation.case_id)
        .where(Participation.role == "lead", Participation.deleted_at.is_(None), LIVE_CASE)
        .group_by(Organisation.sector)
    ):
        load[sector]["cases_led"] = n

    open_cases = sum(by_stage[s] for s in OPEN_STAGES)
    return {
        "period": {"from": period.start.isoformat() if period.start else None,
                   "to": period.end.isoformat() if period.end else None,
                   "as_of": as_of.isoformat()},
        "cases": {
            "total": cases_total,
            "open": open_cases,
            "closed": by_stage["closed"],
            "by_stage": by_stage,
            "by_priority": _grouped(session, Case.priority, LIVE_CASE, codes=PRIORITY.codes),
            "by_support_class": _grouped(session, func.coalesce(Case.support_class, "unknown"), LIVE_CASE,
                                         codes=[*SUPPORT_CLASS.codes, "unknown"]),
            "by_damage_level": _grouped(session, func.coalesce(Case.damage_level, "unknown"), LIVE_CASE,
                                        codes=[*DAMAGE_LEVEL.codes, "unknown"]),
            "opened_in_period": session.scalar(select(func.count()).select_from(Case).where(
                LIVE_CASE, period.contains(Case.opened_on))) or 0,
            "closed_in_period": session.scalar(select(func.count()).select_from(Case).where(
                LIVE_CASE, Case.stage == "closed", period.contains(Case.closed_on))) or 0,
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
        "load_by_sector": load,
        "people": {"total": session.scalar(select(func.count()).select_from(Person).where(
            Person.deleted_at.is_(None))) or 0},
    }
