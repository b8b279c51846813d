"""Resource mapping: which organisations could take a case's need, ranked, with reasons.

The ranking is one rule, :func:`rank_key`, in this order:

1. only organisations with the capability (the need category) are candidates;
2. how closely they serve the case's area: a service area that is the case's district,
   then its municipality, then one that is the whole prefecture, then none;
3. not full before full (capacity unknown counts as not full);
4. adds a Pestoff sector the case lacks (the cross-sector aim) before adding none;
5. fewer stale claims (open tasks it claimed and nobody touched for the board's stale days);
6. name.

*Capacity left* = the capability's capacity minus the open cases on which the organisation
already holds the need: it leads an open, live, unarchived task of that category there.
Inviting an organisation from a suggestion creates such a task, so the figure falls by one.

Plain SQL on the DB-API connection of either engine (sqlite3 or psycopg; written with
``:name`` parameters and run through :func:`storage.engines.run_query`, as
:mod:`services.figures`): a few set-based queries that read only covering partial indexes
(migrations mapping_capacity and mapping_speed) and no query per organisation, so that
``match`` answers as a process well under 300 ms on a 60,000-case workspace without
importing SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from recovery_desk.domain.errors import NotFoundError, ValidationError
from recovery_desk.domain.vocabulary import (
    CLOSED_STAGES,
    CLOSED_TASK_STATUSES,
    NEED_CATEGORY,
    PESTOFF_SECTORS,
    ROLE,
    SECTOR,
)
from recovery_desk.i18n import current_language, tr
from recovery_desk.storage.engines import run_query

# How closely a service area covers a place, best first; None = it does not serve it.
SERVES_LEVELS = ("district", "municipality", "prefecture")
DEFAULT_STALE_DAYS = 14  # the board's default (services.board.DEFAULT_STALE_DAYS)

_CLOSED_STAGES_SQL = ", ".join(f"'{s}'" for s in CLOSED_STAGES)
_CLOSED_TASKS_SQL = ", ".join(f"'{s}'" for s in CLOSED_TASK_STATUSES)
# The conditions of the partial indexes the queries read (storage/models.py; migrations
# mapping_capacity and mapping_speed), repeated exactly: SQLite uses a partial index only then
# (a test checks that they equal the models').
OPEN_CASES_SQL = f"deleted_at IS NULL AND stage NOT IN ({_CLOSED_STAGES_SQL})"  # ix_case_open
NOT_OPEN_CASES_SQL = f"stage IN ({_CLOSED_STAGES_SQL}) OR deleted_at IS NOT NULL"  # ix_case_not_open
UNMET_NEEDS_SQL = "state = 'unmet' AND deleted_at IS NULL"  # ix_need_unmet
# ix_task_holding, ix_task_holding_case; with "AND claimed_at IS NOT NULL", ix_task_claim
HOLDING_TASKS_SQL = (f"deleted_at IS NULL AND archived_at IS NULL AND status NOT IN ({_CLOSED_TASKS_SQL})"
                     " AND lead_org_id IS NOT NULL")
# Tasks on cases that are closed or deleted hold nothing; those cases are few.
NOT_OPEN_CASE_IDS = f'SELECT id FROM "case" WHERE {NOT_OPEN_CASES_SQL}'


def on(alias: str, condition: str) -> str:
    """``condition`` (as written above) with every column qualified by ``alias``."""
    import re

    return re.sub(r"\b(deleted_at|archived_at|status|stage|state|lead_org_id|claimed_at)\b", rf"{alias}.\1", condition)


def in_list(name: str, values: Iterable[Any], params: dict[str, Any]) -> str:
    """``:name0, :name1, …`` for an IN list, the values added to ``params`` (both engines)."""
    names = []
    for i, value in enumerate(values):
        params[f"{name}{i}"] = value
        names.append(f":{name}{i}")
    return ", ".join(names) or "NULL"


def time_param(con: Any, moment: datetime) -> Any:
    """A time to compare with a DateTime column: SQLAlchemy stores text on SQLite (always with
    microseconds, so that text order is time order); PostgreSQL compares timestamps."""
    import sqlite3

    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(con, sqlite3.Connection) else moment


# -- places ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Place:
    """The parts of an area row that matching compares."""

    prefecture: str = ""
    prefecture_code: str = ""
    municipality: str = ""
    municipality_code: str = ""
    district: str = ""

    @property
    def level(self) -> str | None:
        """What this area is: a district, a whole municipality or a whole prefecture."""
        if self.district:
            return "district"
        if self.municipality or self.municipality_code:
            return "municipality"
        if self.prefecture or self.prefecture_code:
            return "prefecture"
        return None

    def same_municipality(self, other: Place) -> bool:
        if self.municipality_code and other.municipality_code:
            return self.municipality_code == other.municipality_code
        return bool(self.municipality) and self.municipality == other.municipality

    def same_prefecture(self, other: Place) -> bool:
        if self.prefecture_code and other.prefecture_code:
            return self.prefecture_code == other.prefecture_code
        return bool(self.prefecture) and self.prefecture == other.prefecture

    def name(self) -> str:
        return self.district or self.municipality or self.prefecture or self.municipality_code


def serves(service_area: Place, place: Place) -> str | None:
    """How closely ``service_area`` covers ``place`` (a level of SERVES_LEVELS), or None."""
    level = service_area.level
    if level == "district":
        ok = place.district == service_area.district and service_area.same_municipality(place)
    elif level == "municipality":
        ok = service_area.same_municipality(place)
    elif level == "prefecture":
        ok = service_area.same_prefecture(place)
    else:
        ok = False
    return level if ok else None


def best_level(levels: Iterable[str | None]) -> str | None:
    found = [lv for lv in levels if lv is not None]
    return min(found, key=SERVES_LEVELS.index) if found else None


_AREA_COLUMNS = "a.prefecture, a.prefecture_code, a.municipality, a.municipality_code, a.district"


def service_areas(con: Any, organisation_ids: Iterable[str] | None = None) -> dict[str, list[Place]]:
    """organisation id -> the places it serves (live rows only)."""
    sql = (f"SELECT s.organisation_id, {_AREA_COLUMNS} FROM service_area s JOIN area a ON a.id = s.area_id"
           " WHERE s.deleted_at IS NULL AND a.deleted_at IS NULL")
    params: dict[str, Any] = {}
    if organisation_ids is not None:
        sql += f" AND s.organisation_id IN ({in_list('org', organisation_ids, params)})"
    out: dict[str, list[Place]] = {}
    for org_id, *parts in run_query(con, sql, params):
        out.setdefault(org_id, []).append(Place(*(p or "" for p in parts)))
    return out


# -- candidates ------------------------------------------------------------------------------
@dataclass(slots=True)
class Candidate:
    organisation_id: str
    name: str
    acronym: str
    sector: str
    category: str
    capacity: int | None
    held: int = 0  # open cases on which it holds the need
    serves: str | None = None  # district / municipality / prefecture / None
    serves_area: str = ""  # the name of the place that level refers to
    on_case: bool = False
    role: str | None = None  # its role on the case, when it is on it
    adds_sector: bool = False
    stale_claims: int = 0

    @property
    def capacity_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.held)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.held >= self.capacity

    def reasons(self, lang: str | None = None) -> list[str]:
        """Why it is proposed and where it ranks, in words (the order of rank_key)."""
        lang = lang or current_language()
        out = [tr("can take {need}", lang, need=NEED_CATEGORY.label(self.category, lang))]
        if self.serves == "district":
            out.append(tr("serves the district {area}", lang, area=self.serves_area))
        elif self.serves == "municipality":
            out.append(tr("serves the municipality {area}", lang, area=self.serves_area))
        elif self.serves == "prefecture":
            out.append(tr("serves the whole prefecture {area}", lang, area=self.serves_area))
        else:
            out.append(tr("has no service area covering this case", lang))
        if self.capacity is None:
            out.append(tr("capacity not known", lang))
        elif self.full:
            out.append(tr("full: holds {held} of {capacity} cases", lang, held=self.held, capacity=self.capacity))
        else:
            out.append(tr("{left} of {capacity} cases left", lang, left=self.capacity_left, capacity=self.capacity))
        if self.on_case:
            out.append(tr("already on the case as {role}", lang, role=ROLE.label(self.role, lang)))
        if self.adds_sector:
            out.append(tr("adds the {sector} sector the case lacks", lang,
                          sector=SECTOR.label(self.sector, lang)))
        if self.stale_claims:
            out.append(tr("{n} stale claims", lang, n=self.stale_claims))
        return out

    def as_json(self, lang: str | None = None) -> dict[str, Any]:
        return {"name": self.name, "acronym": self.acronym, "sector": self.sector, "serves": self.serves,
                "capacity_left": self.capacity_left, "on_case": self.on_case, "reasons": self.reasons(lang)}


def rank_key(candidate: Candidate, serves: Any = ...) -> tuple:
    """The one ranking rule (see the module docstring): smaller ranks first. ``serves`` ranks
    the candidate as if it served the place at that level (gaps ranks per place)."""
    level = candidate.serves if serves is ... else serves
    closeness = SERVES_LEVELS.index(level) if level else len(SERVES_LEVELS)
    return (closeness, candidate.full, not candidate.adds_sector, candidate.stale_claims, candidate.name,
            candidate.organisation_id)


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=rank_key)


# -- the queries shared with gaps -------------------------------------------------------------
def capabilities(con: Any, categories: Sequence[str] | None = None) -> list[Candidate]:
    """One unranked candidate per (live organisation, capability); capacity as recorded
    (several live rows for one category: the largest capacity, unknown if none is known)."""
    sql = """SELECT c.organisation_id, c.need_category, max(c.capacity), o.name, o.acronym, o.sector
             FROM capability c JOIN organisation o ON o.id = c.organisation_id
             WHERE c.deleted_at IS NULL AND o.deleted_at IS NULL"""
    params: dict[str, Any] = {}
    if categories is not None:
        sql += f" AND c.need_category IN ({in_list('cat', categories, params)})"
    sql += " GROUP BY c.organisation_id, c.need_category, o.name, o.acronym, o.sector"
    return [Candidate(org_id, name or "", acronym or "", sector, category, capacity)
            for org_id, category, capacity, name, acronym, sector in run_query(con, sql, params)]


def holdings(con: Any, organisation_ids: Sequence[str] | None = None,
             categories: Sequence[str] | None = None) -> dict[tuple[str, str], int]:
    """(organisation id, need category) -> open cases on which it leads an open task of it.

    Counted as every case it holds (a range of ix_task_holding) minus the cases that are not
    open (the few of ix_case_not_open, through ix_task_holding_case): the two sets of cases
    are disjoint, so the distinct counts subtract, and no task is probed against the cases."""
    params: dict[str, Any] = {}
    where = f"{HOLDING_TASKS_SQL} AND need_category IS NOT NULL"
    if categories is not None:
        where += f" AND need_category IN ({in_list('cat', categories, params)})"
    every = where
    if organisation_ids is not None:
        every += f" AND lead_org_id IN ({in_list('org', organisation_ids, params)})"
    held = {(org, cat): n for org, cat, n in run_query(con, f"""
        SELECT lead_org_id, need_category, count(DISTINCT case_id) FROM task WHERE {every}
        GROUP BY lead_org_id, need_category""", params)}
    for org, cat, n in run_query(con, f"""
            SELECT lead_org_id, need_category, count(DISTINCT case_id) FROM task
            WHERE {where} AND case_id IN ({NOT_OPEN_CASE_IDS}) GROUP BY lead_org_id, need_category""", params):
        if (org, cat) in held:
            held[(org, cat)] -= n
    return {key: n for key, n in held.items() if n}


def stale_days(con: Any) -> int:
    row = run_query(con, "SELECT value FROM board_setting WHERE key = 'stale_days' AND status = '' AND lane = ''"
                    " AND deleted_at IS NULL").fetchone()
    return int(row[0]) if row else DEFAULT_STALE_DAYS


def stale_claims(con: Any, now: datetime, organisation_ids: Sequence[str] | None = None) -> dict[str, int]:
    """organisation id -> its stale claims, as the board judges them (services.board.stale_condition):
    claimed, open, and neither the task nor its checklist, comments or hand-overs touched since the cutoff."""
    params: dict[str, Any] = {"cutoff": time_param(con, now - timedelta(days=stale_days(con)))}
    # The tasks touched since the cutoff, gathered once (ranges of the *_touched indexes) rather
    # than probed per task; the claims and their ids come from ix_task_claim alone.
    touched = " UNION ALL ".join(f"SELECT task_id FROM {part} WHERE updated_at > :cutoff"
                                 for part in ("checklist_item", "comment", "task_handover"))
    sql = f"""SELECT lead_org_id, count(*) FROM task
              WHERE {HOLDING_TASKS_SQL} AND claimed_at IS NOT NULL
                AND claimed_at <= :cutoff AND updated_at <= :cutoff AND id NOT IN ({touched})"""
    if organisation_ids is not None:
        sql += f" AND lead_org_id IN ({in_list('org', organisation_ids, params)})"
    return {org: n for org, n in run_query(con, sql + " GROUP BY lead_org_id", params)}


# -- a case ----------------------------------------------------------------------------------
@dataclass
class CaseFacts:
    id: str
    reference: str
    place: Place | None
    unmet: list[str]  # categories of its unmet needs, in vocabulary order
    roles: dict[str, str] = field(default_factory=dict)  # organisation id -> role on the case
    sectors: set[str] = field(default_factory=set)  # Pestoff sectors taking part


@dataclass
class NeedMatch:
    category: str
    candidates: list[Candidate]


@dataclass
class Match:
    case: CaseFacts
    needs: list[NeedMatch]

    def as_json(self, lang: str | None = None, limit: int | None = None) -> dict[str, Any]:
        return {"case": self.case.reference, "needs": [
            {"category": n.category, "candidates": [c.as_json(lang) for c in n.candidates[:limit or None]]}
            for n in self.needs]}


def find_case_id(con: Any, reference: str) -> str:
    """The id of the live case with this reference (through the incident+reference index)."""
    row = run_query(con, 'SELECT id FROM "case" WHERE incident_id IN (SELECT id FROM incident)'
                    " AND reference = :reference AND deleted_at IS NULL", {"reference": reference.strip()}).fetchone()
    if row is None:
        raise NotFoundError("no case with reference {reference}", reference=reference)
    return row[0]


def case_facts(con: Any, case_id: str) -> CaseFacts:
    params = {"case": case_id}
    row = run_query(con, f'SELECT c.reference, c.area_id, {_AREA_COLUMNS} FROM "case" c LEFT JOIN area a'
                    " ON a.id = c.area_id AND a.deleted_at IS NULL WHERE c.id = :case AND c.deleted_at IS NULL",
                    params).fetchone()
    if row is None:
        raise NotFoundError("no case with id {id}", id=case_id)
    reference, area_id, *parts = row
    place = Place(*(p or "" for p in parts)) if area_id and any(parts) else None
    unmet = {c for (c,) in run_query(con, f"SELECT DISTINCT category FROM need WHERE case_id = :case"
                                          f" AND {UNMET_NEEDS_SQL}", params)}
    facts = CaseFacts(case_id, reference, place, [c for c in NEED_CATEGORY.codes if c in unmet])
    for org_id, role, sector in run_query(con, """
            SELECT p.organisation_id, p.role, o.sector FROM participation p JOIN organisation o
            ON o.id = p.organisation_id AND o.deleted_at IS NULL
            WHERE p.case_id = :case AND p.deleted_at IS NULL""", params):
        facts.roles.setdefault(org_id, role)
        if sector in PESTOFF_SECTORS:
            facts.sectors.add(sector)
    return facts


def check_category(category: str) -> str:
    code = NEED_CATEGORY.lookup(category) if category not in NEED_CATEGORY else category
    if code is None:
        raise ValidationError("unknown need category {value}; use one of: {known}", value=category,
                              known=", ".join(NEED_CATEGORY.codes))
    return code


def match_case(con: Any, case_id: str, category: str | None = None,
               now: datetime | None = None) -> Match:
    """The ranked candidates for each unmet need of a case (or for ``category`` only,
    whether the case has that need or not)."""
    facts = case_facts(con, case_id)
    categories = [check_category(category)] if category else facts.unmet
    if not categories:
        return Match(facts, [])
    found = capabilities(con, categories)
    org_ids = sorted({c.organisation_id for c in found})
    held = holdings(con, org_ids, categories)
    stale = stale_claims(con, now or datetime.now(UTC).replace(tzinfo=None), org_ids)
    areas = service_areas(con, org_ids)
    for cand in found:
        cand.held = held.get((cand.organisation_id, cand.category), 0)
        cand.stale_claims = stale.get(cand.organisation_id, 0)
        if facts.place is not None:
            cand.serves = best_level(serves(sa, facts.place) for sa in areas.get(cand.organisation_id, ()))
            cand.serves_area = _level_name(facts.place, cand.serves)
        cand.role = facts.roles.get(cand.organisation_id)
        cand.on_case = cand.role is not None
        cand.adds_sector = cand.sector in PESTOFF_SECTORS and cand.sector not in facts.sectors
    by_category: dict[str, list[Candidate]] = {c: [] for c in categories}
    for cand in found:
        by_category[cand.category].append(cand)
    return Match(facts, [NeedMatch(c, rank(by_category[c])) for c in categories])


def _level_name(place: Place, level: str | None) -> str:
    if level == "district":
        return place.district
    if level == "municipality":
        return place.municipality or place.municipality_code
    if level == "prefecture":
        return place.prefecture or place.prefecture_code
    return ""


def format_match(match: Match, lang: str | None = None, limit: int | None = None) -> str:
    """The text ``match`` prints without --json."""
    lang = lang or current_language()
    lines = [tr("Who could take the needs of {reference}:", lang, reference=match.case.reference)]
    if not match.needs:
        lines.append("  " + tr("the case has no unmet need", lang))
    for need in match.needs:
        lines.append(f"{NEED_CATEGORY.label(need.category, lang)} ({need.category})")
        if not need.candidates:
            lines.append("  " + tr("no organisation has this capability", lang))
        for i, cand in enumerate(need.candidates[:limit or None], 1):
            label = f"{cand.name} ({cand.acronym})" if cand.acronym else cand.name
            lines.append(f"  {i}. {label} — {'; '.join(cand.reasons(lang))}")
    return "\n".join(lines)


# -- with a workspace (the app, tests) ---------------------------------------------------------
def dbapi(session: Any) -> Any:
    """The DB-API connection (sqlite3 or psycopg) under a SQLAlchemy session (reads see the
    session's transaction)."""
    return session.connection().connection.driver_connection


def match_in_workspace(ws: Any, case_id: str, category: str | None = None, now: datetime | None = None) -> Match:
    with ws.session() as session:
        return match_case(dbapi(session), case_id, category, now)


@dataclass
class Invitation:
    """What :func:`invite` did, so that :func:`withdraw_invitation` can undo exactly that."""

    changes: Any  # services.changes.Changes
    task_id: str
    participation_id: str
    participation_created: bool
    previous_role: str | None  # the role before, when the invitation changed it
    need_ids: list[str]  # needs it moved from unmet to in progress


def invite(ws: Any, case_id: str, organisation_id: str, category: str, role: str = "implementer",
           title: str | None = None, lang: str | None = None) -> Invitation:
    """Bring an organisation onto a case from a suggestion, in one operation (one undo step):
    its participation with ``role``, a task for the need that it leads, and the need (if
    unmet) in progress."""
    from sqlalchemy import select

    from recovery_desk.services.tasks import add_task
    from recovery_desk.services.validation import check_vocab
    from recovery_desk.storage.models import Need, Participation

    category = check_category(category)
    check_vocab(ROLE, role, "role")
    lang = lang or current_language()
    with ws.operation("invite_organisation") as op:
        part = op.session.scalar(select(Participation).where(
            Participation.case_id == case_id, Participation.organisation_id == organisation_id,
            Participation.deleted_at.is_(None)))
        previous_role = part.role if part is not None else None
        if part is None:
            part = op.add(Participation, case_id=case_id, organisation_id=organisation_id, role=role)
        elif part.role != role:
            op.update(part, role=role)
        task = add_task(op, case_id, title=title or NEED_CATEGORY.label(category, lang),
                        need_category=category, lead_org_id=organisation_id)
        needs = list(op.session.scalars(select(Need).where(
            Need.case_id == case_id, Need.category == category, Need.state == "unmet", Need.deleted_at.is_(None))))
        for need in needs:
            op.update(need, state="in_progress")
        op.changes.primary_id = task.id
    return Invitation(op.changes, task.id, part.id, previous_role is None,
                      previous_role if previous_role != role else None, [n.id for n in needs])


def withdraw_invitation(ws: Any, invitation: Invitation) -> Any:
    """The undo of :func:`invite`: the task and a participation it created go, a changed role
    comes back, and the needs it moved are unmet again (when still in progress). One operation."""
    from recovery_desk.storage.models import Need, Participation, Task

    with ws.operation("withdraw_invitation") as op:
        task = op.session.get(Task, invitation.task_id)
        if task is not None and task.deleted_at is None:
            op.delete(task)
        part = op.session.get(Participation, invitation.participation_id)
        if part is not None and part.deleted_at is None:
            if invitation.participation_created:
                op.delete(part)
            elif invitation.previous_role:
                op.update(part, role=invitation.previous_role)
        for need_id in invitation.need_ids:
            need = op.session.get(Need, need_id)
            if need is not None and need.deleted_at is None and need.state == "in_progress":
                op.update(need, state="unmet")
    return op.changes
