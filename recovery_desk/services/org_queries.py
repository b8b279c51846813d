"""Read-only queries behind the Organisations page and the welfare-triangle view.

Set-based: the list is one query with grouped sub-selects (open tasks and cases per
organisation), never a query per row, so 500 organisations on a 60,000-case /
300,000-task workspace answer in one round trip. "Open tasks" means what the dashboard
and the reports mean (services/stats.py): live tasks on live cases whose status is not
done or cancelled, counted for the organisation that leads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from recovery_desk.domain.errors import NotFoundError
from recovery_desk.domain.vocabulary import CLOSED_TASK_STATUSES
from recovery_desk.storage.models import (
    Area,
    Capability,
    Case,
    Membership,
    Organisation,
    Participation,
    Person,
    ServiceArea,
    Task,
    TaskSupporter,
)

LIVE_CASE = Case.deleted_at.is_(None)
OPEN_TASK = and_(Task.deleted_at.is_(None), Task.status.not_in(CLOSED_TASK_STATUSES))
DETAIL_LIMIT = 500  # rows of cases / tasks shown in the editor (the total is given too)


@dataclass(frozen=True)
class OrgRow:
    """One organisation in the list and in the triangle."""

    id: str
    name: str
    acronym: str
    ownership: str
    profit: str
    formality: str
    sector: str
    org_type: str
    # None until counted (the page shows the names first, the counts when they come).
    open_tasks: int | None
    cases: int | None
    members: int | None


@dataclass(frozen=True)
class CapabilityRow:
    id: str
    need_category: str
    capacity: int | None


@dataclass(frozen=True)
class ServiceAreaRow:
    id: str
    area_id: str
    label: str
    municipality_code: str


@dataclass(frozen=True)
class HeldCase:
    case_id: str
    reference: str
    district: str
    stage: str
    role: str


@dataclass(frozen=True)
class HeldTask:
    task_id: str
    title: str
    reference: str
    status: str
    due_date: date | None
    role: str  # "lead" or "supporter"


@dataclass(frozen=True)
class Member:
    person_id: str
    name: str
    title: str
    phone: str
    email: str


@dataclass
class OrgDetail:
    id: str
    values: dict[str, Any]
    capabilities: list[CapabilityRow] = field(default_factory=list)
    service_areas: list[ServiceAreaRow] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    cases: list[HeldCase] = field(default_factory=list)
    cases_total: int = 0
    tasks: list[HeldTask] = field(default_factory=list)
    tasks_total: int = 0


@dataclass(frozen=True)
class AreaChoice:
    id: str
    label: str
    municipality_code: str


EDITABLE_FIELDS = ("name", "acronym", "ownership", "profit", "formality", "org_type", "legal_form", "phone",
                   "email", "address", "website", "notes")


def _on_live_case(case_id_column: Any) -> Any:
    """The row's case is not deleted. Written as NOT IN (the few deleted cases) so SQLite
    checks a small in-memory list instead of looking up every row's case."""
    return case_id_column.not_in(select(Case.id).where(Case.deleted_at.is_not(None)))


def _organisation_rows(session: Session) -> list[tuple]:
    return list(session.execute(
        select(Organisation.id, Organisation.name, Organisation.acronym, Organisation.ownership,
               Organisation.profit, Organisation.formality, Organisation.sector, Organisation.org_type)
        .where(Organisation.deleted_at.is_(None))
        .order_by(Organisation.name)
    ))


def organisation_counts(session: Session) -> dict[str, tuple[int, int, int]]:
    """Open tasks led, cases taken part in and members, per organisation id.

    Three grouped scans (no query per organisation); on 300,000 tasks this is the slow
    part of the list, so the page shows the names first and the counts when they come.
    """
    counts: dict[str, list[int]] = {}
    # The statistics' count of live tasks (services/figures.py: in the order of ix_task_stats, less
    # the few on deleted cases, no row tested against them), of which the open ones. SQLite's own
    # plan for a grouping by lead alone walked ix_task_overdue and looked up every task in the
    # table (0.7 s instead of 0.1 s on 300,000 tasks).
    from recovery_desk.services.figures import LIVE_TASK_COUNTS_SQL

    tasks = session.execute(text(LIVE_TASK_COUNTS_SQL), {"as_of": date.today().isoformat()})
    for status, org_id, n, _due_before in tasks:
        if org_id is not None and status not in CLOSED_TASK_STATUSES:
            counts.setdefault(org_id, [0, 0, 0])[0] += n
    for org_id, n in session.execute(
        select(Participation.organisation_id, func.count(func.distinct(Participation.case_id)))
        .where(Participation.deleted_at.is_(None), _on_live_case(Participation.case_id))
        .group_by(Participation.organisation_id)
    ):
        counts.setdefault(org_id, [0, 0, 0])[1] = n
    for org_id, n in session.execute(
        select(Membership.organisation_id, func.count())
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.deleted_at.is_(None), Person.deleted_at.is_(None))
        .group_by(Membership.organisation_id)
    ):
        counts.setdefault(org_id, [0, 0, 0])[2] = n
    return {k: (v[0], v[1], v[2]) for k, v in counts.items()}


def list_organisations_fast(session: Session) -> list[OrgRow]:
    """Every live organisation, not counted yet (counts are None): one small query."""
    return [OrgRow(*row, None, None, None) for row in _organisation_rows(session)]


def with_counts(rows: list[OrgRow], counts: dict[str, tuple[int, int, int]]) -> list[OrgRow]:
    return [OrgRow(*(r.id, r.name, r.acronym, r.ownership, r.profit, r.formality, r.sector, r.org_type),
                   *counts.get(r.id, (0, 0, 0))) for r in rows]


def list_organisations(session: Session) -> list[OrgRow]:
    """Every live organisation with its open tasks, cases and members."""
    return with_counts(list_organisations_fast(session), organisation_counts(session))


def organisation_detail(session: Session, organisation_id: str, limit: int = DETAIL_LIMIT) -> OrgDetail:
    """One organisation with its capabilities, service areas, and the cases and tasks it holds."""
    org = session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise NotFoundError("no {entity} with id {id}", entity="organisation", id=organisation_id)
    detail = OrgDetail(id=org.id, values={k: getattr(org, k) for k in (*EDITABLE_FIELDS, "sector")})
    detail.capabilities = [
        CapabilityRow(*row) for row in session.execute(
            select(Capability.id, Capability.need_category, Capability.capacity)
            .where(Capability.organisation_id == org.id, Capability.deleted_at.is_(None))
            .order_by(Capability.need_category))
    ]
    detail.service_areas = [
        ServiceAreaRow(sa_id, area_id, _area_label(pref, muni, district), code)
        for sa_id, area_id, pref, muni, district, code in session.execute(
            select(ServiceArea.id, Area.id, Area.prefecture, Area.municipality, Area.district,
                   Area.municipality_code)
            .join(Area, Area.id == ServiceArea.area_id)
            .where(ServiceArea.organisation_id == org.id, ServiceArea.deleted_at.is_(None),
                   Area.deleted_at.is_(None))
            .order_by(Area.municipality_code, Area.district))
    ]

    detail.members = [
        Member(pid, name, title or "", phone or "", email or "") for pid, name, title, phone, email in session.execute(
            select(Person.id, Person.name, Membership.title, Person.phone, Person.email)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.organisation_id == org.id, Membership.deleted_at.is_(None),
                   Person.deleted_at.is_(None))
            .order_by(Person.kana, Person.name))
    ]

    held = (Participation.organisation_id == org.id, Participation.deleted_at.is_(None),
            _on_live_case(Participation.case_id))
    detail.cases_total = session.scalar(
        select(func.count(func.distinct(Participation.case_id))).where(*held)) or 0
    detail.cases = [
        HeldCase(cid, ref, district or "", stage, role) for cid, ref, district, stage, role in session.execute(
            select(Case.id, Case.reference, Area.district, Case.stage, Participation.role)
            .join(Case, Case.id == Participation.case_id)
            .outerjoin(Area, Area.id == Case.area_id)
            .where(*held)
            .order_by(Case.last_activity_at.desc(), Case.reference)
            .limit(limit))
    ]

    # Tasks it leads or supports: pick the rows to show from the task table alone (open
    # first, the most urgent due date first), then join their cases for the reference.
    live_task = (Task.deleted_at.is_(None), _on_live_case(Task.case_id))
    is_closed = Task.status.in_(CLOSED_TASK_STATUSES)
    led = select(Task.id.label("task_id"), literal("lead").label("role")).where(Task.lead_org_id == org.id, *live_task)
    supported = (
        select(TaskSupporter.task_id.label("task_id"), literal("supporter").label("role"))
        .join(Task, Task.id == TaskSupporter.task_id)
        .where(TaskSupporter.organisation_id == org.id, TaskSupporter.deleted_at.is_(None), *live_task)
    )
    mine = union_all(led, supported).subquery()
    detail.tasks_total = session.scalar(select(func.count()).select_from(mine)) or 0
    shown = (
        select(Task.id.label("task_id"), mine.c.role, Task.title, Task.status, Task.due_date, Task.case_id)
        .join(mine, mine.c.task_id == Task.id)
        .order_by(is_closed, Task.due_date.is_(None), Task.due_date, Task.title)
        .limit(limit)
        .subquery()
    )
    detail.tasks = [
        HeldTask(task_id, title, reference, status, due, role)
        for task_id, title, reference, status, due, role in session.execute(
            select(shown.c.task_id, shown.c.title, Case.reference, shown.c.status, shown.c.due_date, shown.c.role)
            .join(Case, Case.id == shown.c.case_id))
    ]
    detail.tasks.sort(key=lambda t: (t.status in CLOSED_TASK_STATUSES, t.due_date is None,
                                     t.due_date or date.min, t.title))
    return detail


def list_areas(session: Session) -> list[AreaChoice]:
    """Areas to choose a service area from."""
    return [
        AreaChoice(area_id, _area_label(pref, muni, district), code)
        for area_id, pref, muni, district, code in session.execute(
            select(Area.id, Area.prefecture, Area.municipality, Area.district, Area.municipality_code)
            .where(Area.deleted_at.is_(None))
            .order_by(Area.municipality_code, Area.district))
    ]


def organisation_values(session: Session, organisation_id: str, keys: Any) -> dict[str, Any]:
    """The current stored values of some fields (the undo of an update sets them back)."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError("no {entity} with id {id}", entity="organisation", id=organisation_id)
    return {k: getattr(org, k) for k in keys}


def _area_label(prefecture: str, municipality: str, district: str) -> str:
    return " ".join(p for p in (municipality, district) if p) or prefecture


def capability_of(session: Session, organisation_id: str, need_category: str) -> CapabilityRow | None:
    """The live capability of an organisation for a need category, if any (for undo)."""
    row = session.execute(
        select(Capability.id, Capability.need_category, Capability.capacity)
        .where(Capability.organisation_id == organisation_id, Capability.need_category == need_category,
               Capability.deleted_at.is_(None))
    ).first()
    return CapabilityRow(*row) if row else None
