"""The figures the dashboard, ``stats`` and the reports print — computed in one place.

Plain SQL on the DB-API connection (sqlite3 or psycopg: the same SQL serves both), so that the ``stats`` command answers without
importing SQLAlchemy, and aggregates run in SQL in a few scans (none per row): well
under a second on a 60,000-case / 300,000-task workspace. ``services.stats`` hands a
session's connection to :func:`compute_figures`.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
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
from recovery_desk.storage.engines import dialect_of, run_query


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


def compute_figures(con: Any, period: Period | None = None,
                    today: date | None = None, *, beside: Any = None) -> dict[str, Any]:
    """Every figure of ``stats --json``, the dashboard and the reports, in six scans.

    ``beside``: a second connection to the same server database whose transaction shares the
    snapshot of ``con``'s (``storage.postgres.sharing_snapshot``). The scans of cases, tasks and
    needs then run on it in a thread while ``con`` makes the sector masks (the longest scan) and
    counts care needs, organisations and people (each half ~0.2 s on 60,000 cases): the server
    works on two of its cores at once, and the figures still come from one snapshot. Without
    it every scan runs on ``con`` in turn."""
    period = period or Period()
    today = today or date.today()
    # Overdue is judged at the end of the period when it lies in the past.
    as_of = min(period.end, today) if period.end else today
    params = {"start": _iso(period.start), "end": _iso(period.end), "as_of": as_of.isoformat()}

    def other_scans(c: Any) -> tuple[list, list, list]:
        return (_case_rows(c, period, params), live_task_counts(c, params["as_of"]),
                run_query(c, f"""SELECT category, state, count(*) FROM need
                                 WHERE deleted_at IS NULL AND {_NOT_DELETED_CASE} GROUP BY 1, 2""").fetchall())

    # psycopg lets the GIL go while the server works: the other half runs on ``beside`` in a
    # thread meanwhile, and leaving the block waits for it, whatever happens on ``con``.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="figures-lane") as lane:
        other_half = lane.submit(other_scans, beside) if beside is not None else None
        sector_of = dict(run_query(con, "SELECT id, sector FROM organisation WHERE deleted_at IS NULL").fetchall())
        sector_masks = _sector_masks(con, sector_of)
        vulnerability_rows = _vulnerability_counts(con)
        engaged, orgs_by_sector, people = _organisation_and_people_counts(con)
    case_rows, task_rows, need_rows = other_half.result() if other_half is not None else other_scans(con)

    by_stage = _zeros(STAGE.codes)
    by_priority = _zeros(PRIORITY.codes)
    by_support = _zeros([*SUPPORT_CLASS.codes, "unknown"])
    by_damage = _zeros([*DAMAGE_LEVEL.codes, "unknown"])
    opened = closed_in_period = 0
    for stage, priority, support, damage, was_opened, was_closed, n in case_rows:
        by_stage[stage] += n
        by_priority[priority] += n
        by_support[support] += n
        by_damage[damage] += n
        opened += n if was_opened else 0
        closed_in_period += n if was_closed else 0
    cases_total = sum(by_stage.values())
    # Coded 要配慮者 categories: a case counts once in each of its categories.
    by_vulnerability = _zeros(VULNERABILITY.codes)
    for codes, n in vulnerability_rows:
        for code in codes.split():
            if code in by_vulnerability:
                by_vulnerability[code] += n

    by_sectors = {str(n): 0 for n in range(5)}
    single_sector_open = 0
    cases_led = dict.fromkeys(SECTOR.codes, 0)
    for (taking_part, led_by, closed), n in sector_masks.items():
        if taking_part:
            sectors = taking_part.bit_count()
            by_sectors[str(sectors)] += n
            if sectors == 1 and not closed:
                single_sector_open += n
        for bit, sector in enumerate(SECTOR.codes):
            if led_by >> bit & 1:
                cases_led[sector] += n
    by_sectors["0"] = cases_total - sum(by_sectors.values())

    needs = {c: _zeros(NEED_STATE.codes) for c in NEED_CATEGORY.codes}
    for category, state, n in need_rows:
        needs.setdefault(category, _zeros(NEED_STATE.codes))[state] += n

    tasks_by_status = _zeros(TASK_STATUS.codes)
    overdue = 0
    open_tasks_led = dict.fromkeys(SECTOR.codes, 0)
    for status, lead_org_id, n, late in task_rows:
        tasks_by_status[status] += n
        if status not in CLOSED_TASK_STATUSES:
            overdue += late
            sector = sector_of.get(lead_org_id)
            if sector:
                open_tasks_led[sector] += n
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


def _case_rows(con: Any, period: Period, params: dict[str, Any]) -> list[tuple]:
    """Live cases counted by stage, priority, support class, damage level, opened and closed in the period."""
    in_period = _period_sql(period)
    return run_query(con, f"""
        SELECT stage, priority, coalesce(support_class, 'unknown'), coalesce(damage_level, 'unknown'),
               {in_period.format(column="opened_on")}, stage = 'closed' AND {in_period.format(column="closed_on")},
               count(*)
        FROM {_whole_table(con, '"case"')} WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6""", params).fetchall()


def _whole_table(con: Any, table: str) -> str:
    """``table``, read from start to end on a file. SQLite (3.40) otherwise scans it through an
    index that holds some of the columns (``ix_case_stage``, ``ix_participation_sectors``) and
    looks each row up in the table: on 60,000 cases that random access cost 1.5-1.8x the
    sequential scan of the whole table (a partial index's WHERE column does not count as
    covered, so no index covers these scans)."""
    return f"{table} NOT INDEXED" if dialect_of(con) == "sqlite" else table


def live_task_counts(con: Any, as_of: str) -> list[tuple]:
    """Live tasks of live cases counted by status and leading organisation: (status, lead_org_id,
    tasks, tasks due before ``as_of``), where rows with negative counts take away what others
    counted. The Organisations page counts its open tasks per organisation with the same SQL
    (services/org_queries.py)."""
    return run_query(con, LIVE_TASK_COUNTS_SQL, {"as_of": as_of}).fetchall()


# The live tasks grouped in the order of their index (ix_task_stats: no hashing on a server, no
# temporary B-tree on a file; lateness counted rather than grouped by), less the few of deleted
# cases (found by case), rather than a test of each of 300,000 tasks against the deleted cases:
# twice as fast on a server, 3-4x on a file (270-370 ms -> 63-99 ms on 60,000 cases).
LIVE_TASK_COUNTS_SQL = """
    SELECT status, lead_org_id, count(*), count(*) FILTER (WHERE due_date < :as_of) FROM task
    WHERE deleted_at IS NULL GROUP BY 1, 2
    UNION ALL
    SELECT status, lead_org_id, -count(*), -count(*) FILTER (WHERE due_date < :as_of) FROM task
    WHERE deleted_at IS NULL AND case_id IN (SELECT id FROM "case" WHERE deleted_at IS NOT NULL) GROUP BY 1, 2"""


def _organisation_and_people_counts(con: Any) -> tuple[int, dict[str, int], int]:
    """(organisations engaged in a live case, live organisations by sector, live people)."""
    (engaged,) = run_query(con, f"""
        SELECT count(*) FROM organisation o WHERE o.deleted_at IS NULL AND EXISTS (
            SELECT 1 FROM participation p WHERE p.organisation_id = o.id AND p.deleted_at IS NULL
            AND p.{_NOT_DELETED_CASE})""").fetchone()
    orgs_by_sector = _zeros(SECTOR.codes)
    for sector, n in run_query(con, "SELECT sector, count(*) FROM organisation WHERE deleted_at IS NULL GROUP BY 1"):
        orgs_by_sector[sector] = n
    (people,) = run_query(con, "SELECT count(*) FROM person WHERE deleted_at IS NULL").fetchone()
    return engaged, orgs_by_sector, people


def _vulnerability_counts(con: Any) -> list[tuple[str, int]]:
    """(categories, cases) of the live cases with care-needs categories. A viewer on a server
    reads them blanked row by row and counts them from an aggregate view instead, which its
    search path finds (storage/server_access.py); everyone else counts the rows."""
    if dialect_of(con) != "sqlite":
        (view,) = con.execute("SELECT to_regclass('case_vulnerability_counts') IS NOT NULL").fetchone()
        if view:
            return con.execute("SELECT vulnerable_categories, cases FROM case_vulnerability_counts").fetchall()
    return con.execute("""SELECT vulnerable_categories, count(*) FROM "case"
                          WHERE deleted_at IS NULL AND vulnerable_categories != '' GROUP BY 1""").fetchall()


def _sector_masks(con: Any, sector_of: dict[str, str]) -> Counter[tuple[int, int, bool]]:
    """Each live case with a live participation of a live organisation, counted by: the Pestoff
    sectors taking part (bit i = PESTOFF_SECTORS[i]), the sectors leading it (bit i =
    SECTOR.codes[i]) and whether it is closed.

    On a file the participation rows are read and folded here (sqlite3 yields rows at C speed,
    and its SQL evaluates such masks more slowly than Python). On a server the masks are made
    in SQL and a few dozen rows come back: fetching its 166,000 rows (60,000 cases) cost the
    client more than the server's whole scan."""
    if dialect_of(con) != "sqlite":
        return Counter({(taking_part, led_by, bool(closed)): n
                        for taking_part, led_by, closed, n in run_query(con, _SECTOR_MASKS_SQL).fetchall()})
    pestoff_bit = {sector: 1 << i for i, sector in enumerate(PESTOFF_SECTORS)}
    lead_bit = {sector: 1 << i for i, sector in enumerate(SECTOR.codes)}
    masks: dict[str, list[int]] = {}
    for case_id, organisation_id, role in run_query(con, f"""
            SELECT case_id, organisation_id, role FROM {_whole_table(con, "participation")}
            WHERE deleted_at IS NULL AND {_NOT_DELETED_CASE}"""):
        sector = sector_of.get(organisation_id)
        if sector is None:
            continue
        mask = masks.setdefault(case_id, [0, 0])
        mask[0] |= pestoff_bit.get(sector, 0)
        if role == "lead":
            mask[1] |= lead_bit[sector]
    closed = {row[0] for row in run_query(con, _CLOSED_CASES_SQL)}
    return Counter((taking_part, led_by, case_id in closed) for case_id, (taking_part, led_by) in masks.items())


def _bit_of_sector(codes: tuple[str, ...], shift: int = 0) -> str:
    """SQL: bit ``shift + i`` for an organisation whose sector is ``codes[i]`` (none for the rest)."""
    whens = " ".join(f"WHEN '{code}' THEN {1 << (shift + i)}" for i, code in enumerate(codes))
    return f"CASE o.sector {whens} ELSE 0 END"


_CLOSED_STAGES_SQL = ", ".join(f"'{stage}'" for stage in CLOSED_STAGES)
_CLOSED_CASES_SQL = f'SELECT id FROM "case" WHERE deleted_at IS NULL AND stage IN ({_CLOSED_STAGES_SQL})'
# One mask per case: its low bits are the Pestoff sectors taking part, the bits above them the
# sectors leading it.
_LED_BY_SHIFT = len(PESTOFF_SECTORS)
# PostgreSQL's bit_or over bits per organisation (computed once for its ~500 rows): 35-40 %
# faster than the portable max(CASE…) per sector on the 60,000-case server. One bit_or of both
# masks rather than one each, and deleted cases left out once per case (58,000 groups) rather
# than once per participation (166,000 rows): another ~20 %.
_SECTOR_MASKS_SQL = f"""
    SELECT mask & {(1 << _LED_BY_SHIFT) - 1}, mask >> {_LED_BY_SHIFT}, case_id IN ({_CLOSED_CASES_SQL}), count(*)
    FROM (SELECT p.case_id, bit_or(CASE WHEN p.role = 'lead' THEN o.lead_bits ELSE o.pestoff_bits END) AS mask
          FROM participation p
          JOIN (SELECT o.id, {_bit_of_sector(PESTOFF_SECTORS)} AS pestoff_bits,
                       {_bit_of_sector(PESTOFF_SECTORS)}
                       | {_bit_of_sector(tuple(SECTOR.codes), shift=_LED_BY_SHIFT)} AS lead_bits
                FROM organisation o WHERE o.deleted_at IS NULL) AS o ON o.id = p.organisation_id
          WHERE p.deleted_at IS NULL
          GROUP BY p.case_id) AS per_case
    WHERE {_NOT_DELETED_CASE}
    GROUP BY 1, 2, 3"""


def _period_sql(period: Period) -> str:
    """A SQL test that ``{column}`` lies in the period (a template for str.format)."""
    conditions = ["{column} IS NOT NULL"]
    if period.start:
        conditions.append("{column} >= :start")
    if period.end:
        conditions.append("{column} <= :end")
    return "(" + " AND ".join(conditions) + ")"
