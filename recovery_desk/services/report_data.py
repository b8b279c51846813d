"""The lists the PDF reports print beside the figures of :func:`services.stats.compute_stats`.

Every list is one SQL query (or two: its full count and its first rows), never a query
per row, so an incident report of a 60,000-case workspace gathers its data in a second or
two. Lists are cut to ``limit`` rows (most urgent first) with their full count, because a
report of 40,000 overdue tasks is not something anyone prints.

Personal data (contact names and phones, exact addresses, notes, the names of the people
holding tasks) is only read when the caller asks for it, and then only for cases whose
consent allows it (:func:`services.cases.consent_allows_pii`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from recovery_desk.domain.errors import NotFoundError
from recovery_desk.domain.vocabulary import CLOSED_TASK_STATUSES, PESTOFF_SECTORS
from recovery_desk.services.audit import case_timeline, created_stage
from recovery_desk.services.cases import consent_allows_pii
from recovery_desk.services.stats import LIVE_CASE, OPEN_CASE, sectors_per_case
from recovery_desk.storage.models import (
    Activity,
    Area,
    Case,
    Conference,
    Consent,
    Decision,
    Incident,
    Need,
    Organisation,
    Participation,
    Person,
    Task,
)

DEFAULT_STALLED_DAYS = 14
DEFAULT_LIST_LIMIT = 100

LIVE_TASK = Task.deleted_at.is_(None)
OPEN_TASK = Task.status.not_in(CLOSED_TASK_STATUSES)
LIVE_ORG = Organisation.deleted_at.is_(None)
PRIORITY_ORDER = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Case.priority, else_=4)

# Fields of the audit trail whose values are personal data.
PII_FIELDS = frozenset({"contact_name", "contact_phone", "address", "latitude", "longitude", "notes", "note",
                        "description", "body", "text", "name", "phone", "email", "kana", "recorded_by",
                        "author", "vulnerable_members"})


@dataclass
class Listing:
    """The first rows of a list and how many there are in all."""

    total: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def pii_case_ids(session: Session, case_ids: set[str] | list[str], today: date) -> set[str]:
    """Of ``case_ids``, the cases whose consent allows personal data in a report."""
    allowed: set[str] = set()
    ids = list(case_ids)
    for start in range(0, len(ids), 900):
        for consent in session.scalars(select(Consent).where(Consent.case_id.in_(ids[start:start + 900]))):
            if consent_allows_pii(consent, today):
                allowed.add(consent.case_id)
    return allowed


def incident_info(session: Session) -> Incident | None:
    return session.scalars(
        select(Incident).where(Incident.deleted_at.is_(None)).order_by(Incident.created_at)).first()


def _area_label() -> Any:
    return func.trim(func.coalesce(Area.municipality, "") + " " + func.coalesce(Area.district, ""))


# -- incident report lists ---------------------------------------------------------------------
def overdue_tasks(session: Session, as_of: date, limit: int = DEFAULT_LIST_LIMIT,
                  include_pii: bool = False, today: date | None = None) -> Listing:
    """Open tasks due before ``as_of`` (as compute_stats counts them), most overdue first."""
    where = (LIVE_TASK, LIVE_CASE, OPEN_TASK, Task.due_date.is_not(None), Task.due_date < as_of)
    total = session.scalar(select(func.count()).select_from(Task).join(Case, Case.id == Task.case_id)
                           .where(*where)) or 0
    query = (
        select(Task.id, Task.title, Task.status, Task.due_date, Task.priority, Task.assignee_id,
               Case.id.label("case_id"), Case.reference, Organisation.name.label("org"),
               Organisation.acronym)
        .join(Case, Case.id == Task.case_id)
        .outerjoin(Organisation, Organisation.id == Task.lead_org_id)
        .where(*where)
        .order_by(Task.due_date, Case.reference, Task.id)
        .limit(limit)
    )
    rows = [dict(r._mapping) for r in session.execute(query)]
    for r in rows:
        r["days_overdue"] = (as_of - r["due_date"]).days
        r["holder"] = r["acronym"] or r["org"] or ""
        r["assignee"] = ""
    if include_pii:
        allowed = pii_case_ids(session, {r["case_id"] for r in rows}, today or as_of)
        wanted = {r["assignee_id"] for r in rows if r["assignee_id"] and r["case_id"] in allowed}
        names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted))).all()) if wanted else {}
        for r in rows:
            if r["case_id"] in allowed:
                r["assignee"] = names.get(r["assignee_id"], "")
    return Listing(total, rows)


def stalled_cases(session: Session, as_of: date, days: int = DEFAULT_STALLED_DAYS,
                  limit: int = DEFAULT_LIST_LIMIT) -> Listing:
    """Open cases with no recorded activity for ``days`` days before ``as_of``; longest idle first.

    ``last_activity_at`` is kept by every operation (naive UTC); the cut-off is the start of
    the day ``days`` days before ``as_of``.
    """
    cutoff = datetime.combine(as_of - timedelta(days=days), time(0))
    where = (LIVE_CASE, OPEN_CASE, Case.last_activity_at < cutoff)
    total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    cases = [dict(r._mapping) for r in session.execute(
        select(Case.id, Case.reference, Case.stage, Case.priority, Case.last_activity_at,
               _area_label().label("area"))
        .outerjoin(Area, Area.id == Case.area_id)
        .where(*where).order_by(Case.last_activity_at, Case.reference).limit(limit))]
    _attach_holders(session, cases)
    for r in cases:
        r["idle_days"] = (as_of - r["last_activity_at"].date()).days
    return Listing(total, cases)


def _attach_holders(session: Session, cases: list[dict[str, Any]]) -> None:
    """``holder``: the lead organisation(s) of each case (one query for all of them)."""
    ids = [r["id"] for r in cases]
    leads: dict[str, list[str]] = {}
    if ids:
        for case_id, name, acronym in session.execute(
            select(Participation.case_id, Organisation.name, Organisation.acronym)
            .join(Organisation, Organisation.id == Participation.organisation_id)
            .where(Participation.case_id.in_(ids), Participation.role == "lead",
                   Participation.deleted_at.is_(None), LIVE_ORG)
            .order_by(Organisation.name)
        ):
            leads.setdefault(case_id, []).append(acronym or name)
    for r in cases:
        r["holder"] = ", ".join(leads.get(r["id"], []))


def single_sector_cases(session: Session, limit: int = DEFAULT_LIST_LIMIT, total: int | None = None) -> Listing:
    """Open cases that depend on one sector only (as compute_stats counts them).

    ``total``: their number when already known (``compute_stats``'s ``single_sector_open``),
    which saves counting them again.
    """
    per_case = sectors_per_case(session, OPEN_CASE)
    if total is None:
        total = session.scalar(select(func.count()).select_from(per_case).where(per_case.c.sectors == 1)) or 0
    cases = [dict(r._mapping) for r in session.execute(
        select(Case.id, Case.reference, Case.stage, Case.priority, Case.last_activity_at,
               _area_label().label("area"))
        .join(per_case, per_case.c.case_id == Case.id)
        .outerjoin(Area, Area.id == Case.area_id)
        .where(per_case.c.sectors == 1)
        .order_by(PRIORITY_ORDER, Case.last_activity_at, Case.reference).limit(limit))]
    ids = [r["id"] for r in cases]
    sector_of: dict[str, str] = {}
    if ids:
        sector_of = dict(session.execute(
            select(Participation.case_id, func.min(Organisation.sector))
            .join(Organisation, Organisation.id == Participation.organisation_id)
            .where(Participation.case_id.in_(ids), Participation.deleted_at.is_(None), LIVE_ORG,
                   Organisation.sector.in_(PESTOFF_SECTORS))
            .group_by(Participation.case_id)).all())
    _attach_holders(session, cases)
    for r in cases:
        r["sector"] = sector_of.get(r["id"], "")
    return Listing(total, cases)


def cases_by_area(session: Session) -> list[dict[str, Any]]:
    """Cases (all / open) and unmet needs per municipality and district."""
    open_flag = case((OPEN_CASE, 1), else_=0)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for muni, district, total, open_n in session.execute(
        select(Area.municipality, Area.district, func.count(), func.sum(open_flag))
        .select_from(Case).outerjoin(Area, Area.id == Case.area_id)
        .where(LIVE_CASE).group_by(Area.municipality, Area.district)
    ):
        key = (muni or "", district or "")
        rows[key] = dict(municipality=key[0], district=key[1], cases=total, open=int(open_n or 0), unmet=0)
    for muni, district, unmet in session.execute(
        select(Area.municipality, Area.district, func.count())
        .select_from(Need).join(Case, Case.id == Need.case_id).outerjoin(Area, Area.id == Case.area_id)
        .where(Need.deleted_at.is_(None), LIVE_CASE, Need.state == "unmet")
        .group_by(Area.municipality, Area.district)
    ):
        key = (muni or "", district or "")
        rows.setdefault(key, dict(municipality=key[0], district=key[1], cases=0, open=0, unmet=0))["unmet"] = unmet
    return sorted(rows.values(), key=lambda r: (r["municipality"] == "", r["municipality"], r["district"]))


def organisation_load(session: Session) -> list[dict[str, Any]]:
    """Every live organisation engaged on a live case, with its open tasks led, cases led and
    cases it takes part in; heaviest load first.

    "On a live case" is written as ``case_id NOT IN (deleted cases)``: the same rows as a
    join to live cases, without a lookup per row (twice as fast on 300,000 tasks).
    """
    deleted_cases = select(Case.id).where(Case.deleted_at.is_not(None))
    orgs: dict[str, dict[str, Any]] = {}
    for oid, name, acronym, sector, own, profit, form, cases_n, led in session.execute(
        select(Organisation.id, Organisation.name, Organisation.acronym, Organisation.sector,
               Organisation.ownership, Organisation.profit, Organisation.formality,
               func.count(distinct(Participation.case_id)),
               func.count(distinct(case((Participation.role == "lead", Participation.case_id)))))
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(LIVE_ORG, Participation.deleted_at.is_(None), Participation.case_id.not_in(deleted_cases))
        # Every selected column: a member's or viewer's organisation is a view on a server,
        # and PostgreSQL infers nothing from a view's key.
        .group_by(Organisation.id, Organisation.name, Organisation.acronym, Organisation.sector,
                  Organisation.ownership, Organisation.profit, Organisation.formality)
    ):
        orgs[oid] = dict(id=oid, name=name, acronym=acronym, sector=sector, ownership=own, profit=profit,
                         formality=form, cases=cases_n, cases_led=led, open_tasks=0)
    for oid, n in session.execute(
        select(Task.lead_org_id, func.count())
        .where(LIVE_TASK, OPEN_TASK, Task.lead_org_id.is_not(None), Task.case_id.not_in(deleted_cases))
        .group_by(Task.lead_org_id)
    ):
        if oid in orgs:
            orgs[oid]["open_tasks"] = n
    return sorted(orgs.values(), key=lambda o: (-o["open_tasks"], -o["cases_led"], o["name"]))


# -- case report ---------------------------------------------------------------------------------
def find_case_id(session: Session, reference: str) -> str:
    case_id = session.scalar(select(Case.id).where(Case.reference == reference.strip(), LIVE_CASE))
    if case_id is None:
        raise NotFoundError("no case with reference {reference}", reference=reference)
    return case_id


def case_file(session: Session, case_id: str, today: date, include_pii: bool = False,
              timeline_limit: int = 30) -> dict[str, Any]:
    """Everything the case status report prints, personal data only when allowed."""
    c = session.get(Case, case_id)
    if c is None or c.deleted_at is not None:
        raise NotFoundError("no case with reference {reference}", reference=case_id)
    consent = session.scalar(select(Consent).where(Consent.case_id == c.id, Consent.deleted_at.is_(None)))
    pii = include_pii and consent_allows_pii(consent, today)
    area = session.get(Area, c.area_id) if c.area_id else None
    data: dict[str, Any] = {
        "case": c, "area": area, "consent": consent, "pii": pii, "pii_requested": include_pii,
        "incident": session.get(Incident, c.incident_id),
    }
    data["needs"] = list(session.scalars(
        select(Need).where(Need.case_id == c.id, Need.deleted_at.is_(None)).order_by(Need.category)))
    data["participants"] = [dict(r._mapping) for r in session.execute(
        select(Organisation.name, Organisation.acronym, Organisation.sector, Participation.role)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Participation.case_id == c.id, Participation.deleted_at.is_(None), LIVE_ORG)
        .order_by(Participation.role != "lead", Organisation.name))]
    tasks = [dict(r._mapping) for r in session.execute(
        select(Task.id, Task.title, Task.description, Task.need_category, Task.status, Task.due_date,
               Task.priority, Task.completed_at, Organisation.name.label("org"), Organisation.acronym,
               Person.name.label("assignee"))
        .outerjoin(Organisation, Organisation.id == Task.lead_org_id)
        .outerjoin(Person, Person.id == Task.assignee_id)
        .where(Task.case_id == c.id, LIVE_TASK)
        .order_by(Task.status.in_(CLOSED_TASK_STATUSES), Task.due_date.is_(None), Task.due_date, Task.title))]
    for t in tasks:
        t["holder"] = t["acronym"] or t["org"] or ""
        if not pii:
            t["assignee"] = ""
            t["description"] = ""
        t["overdue"] = bool(t["due_date"] and t["status"] not in CLOSED_TASK_STATUSES and t["due_date"] < today)
    data["tasks"] = tasks
    conferences = list(session.scalars(
        select(Conference).where(Conference.case_id == c.id, Conference.deleted_at.is_(None))
        .order_by(Conference.held_on)))
    decisions: dict[str, list[str]] = {}
    if conferences:
        for conf_id, text in session.execute(
            select(Decision.conference_id, Decision.text)
            .where(Decision.conference_id.in_([cf.id for cf in conferences]), Decision.deleted_at.is_(None))
            .order_by(Decision.created_at)
        ):
            decisions.setdefault(conf_id, []).append(text)
    data["conferences"] = [dict(held_on=cf.held_on, title=cf.title, notes=cf.notes if pii else "",
                                decisions=decisions.get(cf.id, [])) for cf in conferences]
    data["stage_history"] = stage_history(session, c)
    timeline = []
    for a in case_timeline(session, c.id, timeline_limit):
        value = ""
        if a.action == "update" and (pii or a.field not in PII_FIELDS):
            value = _plain(a.new_value)
        timeline.append(dict(at=a.at, actor=a.actor if pii else "", entity=a.entity, action=a.action,
                             field=a.field or "", value=value))
    data["timeline"] = timeline
    return data


def stage_history(session: Session, c: Case) -> list[dict[str, Any]]:
    """The stages the case went through, from its audit trail (creation, then each change)."""
    history: list[dict[str, Any]] = []
    for a in session.scalars(
        select(Activity).where(Activity.entity == "case", Activity.entity_id == c.id,
                               ((Activity.action == "create") | (Activity.field == "stage")))
        .order_by(Activity.at, Activity.action != "create")
    ):
        if a.action == "create":
            try:
                stage = json.loads(a.new_value or "{}").get("stage")
            except ValueError:
                stage = None
            history.append(dict(at=a.at, stage=stage or "identified", created=True))
        else:
            history.append(dict(at=a.at, stage=_plain(a.new_value), created=False))
    if not any(h["created"] for h in history):
        created = created_stage(session, c)  # created in bulk: no creation record of its own
        history.insert(0, dict(at=created[0], stage=created[1], created=True) if created
                       else dict(at=None, stage=c.stage, created=True))
    return history


def _plain(value: str | None) -> str:
    if value is None:
        return ""
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return "" if decoded is None else str(decoded)



def contacts_for(session: Session, case_ids: set[str] | list[str], today: date) -> dict[str, dict[str, str]]:
    """Contact name, phone and address of those ``case_ids`` whose consent allows it."""
    allowed = sorted(pii_case_ids(session, case_ids, today))
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(allowed), 900):
        for cid, name, phone, address in session.execute(
            select(Case.id, Case.contact_name, Case.contact_phone, Case.address)
            .where(Case.id.in_(allowed[start:start + 900]))
        ):
            found[cid] = dict(name=name, phone=phone, address=address)
    return found
