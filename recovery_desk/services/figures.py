"""The figures the dashboard, ``stats`` and the reports print — computed in one place.

Plain SQL on the DB-API connection, so that the ``stats`` command answers without
importing SQLAlchemy, and aggregates run in SQL in a few scans (none per row): well
under a second on a 60,000-case / 300,000-task workspace. ``services.stats`` hands a
session's connection to :func:`compute_figures`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

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
    VULNERABILITY,
)


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None


def _zeros(codes: list[str] | tuple[str, ...]) -> dict[str, int]:
    return {c: 0 for c in codes}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# Rows of deleted cases do not count. The set of deleted cases is small, so one NOT IN
# against it (SQLite builds it once) is far cheaper than joining every row to its case.
_NOT_DELETED_CASE = 'case_id NOT IN (SELECT id FROM "case" WHERE deleted_at IS NOT NULL)'


def compute_figures(con: sqlite3.Connection, period: Period | None = None,
                    today: date | None = None) -> dict[str, Any]:
    """Every figure of ``stats --json``, the dashboard and the reports, in six scans."""
    period = period or Period()
    today = today or date.today()
    # Overdue is judged at the end of the period when it lies in the past.
    as_of = min(period.end, today) if period.end else today
    in_period = _period_sql(period)
    params = {"start": _iso(period.start), "end": _iso(period.end), "as_of": as_of.isoformat()}

    by_stage = _zeros(STAGE.codes)
    by_priority = _zeros(PRIORITY.codes)
    by_support = _zeros([*SUPPORT_CLASS.codes, "unknown"])
    by_damage = _zeros([*DAMAGE_LEVEL.codes, "unknown"])
    opened = closed_in_period = 0
    for stage, priority, support, damage, was_opened, was_closed, n in con.execute(f"""
        SELECT stage, priority, coalesce(support_class, 'unknown'), coalesce(damage_level, 'unknown'),
               {in_period.format(column="opened_on")}, stage = 'closed' AND {in_period.format(column="closed_on")},
               count(*)
        FROM "case" WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6""", params):
        by_stage[stage] += n
        by_priority[priority] += n
        by_support[support] += n
        by_damage[damage] += n
        opened += n if was_opened else 0
        closed_in_period += n if was_closed else 0
    cases_total = sum(by_stage.values())
    # Coded 要配慮者 categories: a case counts once in each of its categories.
    by_vulnerability = _zeros(VULNERABILITY.codes)
    for codes, n in con.execute("""SELECT vulnerable_categories, count(*) FROM "case"
                                   WHERE deleted_at IS NULL AND vulnerable_categories != '' GROUP BY 1"""):
        for code in codes.split():
            if code in by_vulnerability:
                by_vulnerability[code] += n

    # Per case: how many distinct Pestoff sectors take part, and the sectors of its leads.
    # Organisations are few; mapping them to sectors in Python spares a join per row.
    sector_of = dict(con.execute("SELECT id, sector FROM organisation WHERE deleted_at IS NULL"))
    pestoff = set(PESTOFF_SECTORS)
    sectors_of_case: dict[str, set[str]] = {}
    cases_led = dict.fromkeys(SECTOR.codes, 0)
    led: set[tuple[str, str]] = set()
    for case_id, organisation_id, role in con.execute(f"""
            SELECT case_id, organisation_id, role FROM participation
            WHERE deleted_at IS NULL AND {_NOT_DELETED_CASE}"""):
        sector = sector_of.get(organisation_id)
        if sector is None:
            continue
        if sector in pestoff:
            sectors_of_case.setdefault(case_id, set()).add(sector)
        if role == "lead" and (case_id, sector) not in led:
            led.add((case_id, sector))
            cases_led[sector] += 1
    closed_stages = ", ".join(f"'{s}'" for s in CLOSED_STAGES)
    not_open = {row[0] for row in con.execute(
        f'SELECT id FROM "case" WHERE deleted_at IS NULL AND stage IN ({closed_stages})')}
    by_sectors = {str(n): 0 for n in range(5)}
    single_sector_open = 0
    for case_id, sectors in sectors_of_case.items():
        by_sectors[str(len(sectors))] += 1
        if len(sectors) == 1 and case_id not in not_open:
            single_sector_open += 1
    by_sectors["0"] = cases_total - sum(by_sectors.values())

    needs = {c: _zeros(NEED_STATE.codes) for c in NEED_CATEGORY.codes}
    for category, state, n in con.execute(f"""
        SELECT category, state, count(*) FROM need
        WHERE deleted_at IS NULL AND {_NOT_DELETED_CASE} GROUP BY 1, 2"""):
        needs.setdefault(category, _zeros(NEED_STATE.codes))[state] += n

    tasks_by_status = _zeros(TASK_STATUS.codes)
    overdue = 0
    open_tasks_led = dict.fromkeys(SECTOR.codes, 0)
    for status, lead_org_id, late, n in con.execute(f"""
        SELECT status, lead_org_id, due_date < :as_of, count(*) FROM task
        WHERE deleted_at IS NULL AND {_NOT_DELETED_CASE} GROUP BY 1, 2, 3""", params):
        tasks_by_status[status] += n
        if status not in CLOSED_TASK_STATUSES:
            overdue += n if late else 0
            sector = sector_of.get(lead_org_id)
            if sector:
                open_tasks_led[sector] += n

    (engaged,) = con.execute(f"""
        SELECT count(*) FROM organisation o WHERE o.deleted_at IS NULL AND EXISTS (
            SELECT 1 FROM participation p WHERE p.organisation_id = o.id AND p.deleted_at IS NULL
            AND p.{_NOT_DELETED_CASE})""").fetchone()
    orgs_by_sector = _zeros(SECTOR.codes)
    for sector, n in con.execute("SELECT sector, count(*) FROM organisation WHERE deleted_at IS NULL GROUP BY 1"):
        orgs_by_sector[sector] = n
    (people,) = con.execute("SELECT count(*) FROM person WHERE deleted_at IS NULL").fetchone()
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
            "by_vulnerability": by_vulnerability,
        },
        "needs": {"by_category": needs},
        "tasks": {
            "total": sum(tasks_by_status.values()),
            "open": sum(n for s, n in tasks_by_status.items() if s not in CLOSED_TASK_STATUSES),
            "by_status": tasks_by_status,
            "overdue": overdue,
        },
        "organisations": {
            "total": sum(orgs_by_sector.values()),
            "engaged": engaged,
            "by_sector": orgs_by_sector,
        },
        "load_by_sector": {s: {"open_tasks": open_tasks_led[s], "cases_led": cases_led[s]} for s in SECTOR.codes},
        "people": {"total": people},
    }


def _period_sql(period: Period) -> str:
    """A SQL test that ``{column}`` lies in the period (a template for str.format)."""
    conditions = ["{column} IS NOT NULL"]
    if period.start:
        conditions.append("{column} >= :start")
    if period.end:
        conditions.append("{column} <= :end")
    return "(" + " AND ".join(conditions) + ")"
