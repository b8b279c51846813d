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

from sqlalchemy import and_, func, literal, select, union_all
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
    open_tasks: int
    cases: int
    members: int


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


@dataclass
class OrgDetail:
    id: str
    values: dict[str, Any]
    capabilities: list[CapabilityRow] = field(default_factory=list)
    service_areas: list[ServiceAreaRow] = field(default_factory=list)
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


def list_organisations(session: Session) -> list[OrgRow]:
    """Every live organisation with its open tasks, cases and members (three grouped sub-selects)."""
    open_tasks = (
        select(Task.lead_org_id.label("org_id"), func.count().label("n"))
        .join(Case, Case.id == Task.case_id)
        .where(OPEN_TASK, LIVE_CASE, Task.lead_org_id.is_not(None))
        .group_by(Task.lead_org_id)
        .subquery()
    )
    cases = (
        select(Participation.organisation_id.label("org_id"), func.count(func.distinct(Participation.case_id)).label("n"))
        .join(Case, Case.id == Participation.case_id)
        .where(Participation.deleted_at.is_(None), LIVE_CASE)
        .group_by(Participation.organisation_id)
        .subquery()
    )
    members = (
        select(Membership.organisation_id.label("org_id"), func.count().label("n"))
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.deleted_at.is_(None), Person.deleted_at.is_(None))
        .group_by(Membership.organisation_id)
        .subquery()
    )
    stmt = (
        select(Organisation.id, Organisation.name, Organisation.acronym, Organisation.ownership,
               Organisation.profit, Organisation.formality, Organisation.sector, Organisation.org_type,
               func.coalesce(open_tasks.c.n, 0), func.coalesce(cases.c.n, 0), func.coalesce(members.c.n, 0))
        .outerjoin(open_tasks, open_tasks.c.org_id == Organisation.id)
        .outerjoin(cases, cases.c.org_id == Organisation.id)
        .outerjoin(members, members.c.org_id == Organisation.id)
        .where(Organisation.deleted_at.is_(None))
        .order_by(Organisation.name)
    )
    return [OrgRow(*row) for row in session.execute(stmt)]


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

    held = (Participation.organisation_id == org.id, Participation.deleted_at.is_(None), LIVE_CASE)
    detail.cases_total = session.scalar(
        select(func.count(func.distinct(Participation.case_id))).join(Case, Case.id == Participation.case_id)
        .where(*held)) or 0
    detail.cases = [
        HeldCase(cid, ref, district or "", stage, role) for cid, ref, district, stage, role in session.execute(
            select(Case.id, Case.reference, Area.district, Case.stage, Participation.role)
            .join(Case, Case.id == Participation.case_id)
            .outerjoin(Area, Area.id == Case.area_id)
            .where(*held)
            .order_by(Case.last_activity_at.desc(), Case.reference)
            .limit(limit))
    ]

    live_task = (Task.deleted_at.is_(None), LIVE_CASE)
    led = select(Task.id.label("task_id"), literal("lead").label("role")).where(Task.lead_org_id == org.id)
    supported = (
        select(TaskSupporter.task_id.label("task_id"), literal("supporter").label("role"))
        .where(TaskSupporter.organisation_id == org.id, TaskSupporter.deleted_at.is_(None))
    )
    mine = union_all(led, supported).subquery()
    base = select(Task.id).join(mine, mine.c.task_id == Task.id).join(Case, Case.id == Task.case_id).where(*live_task)
    detail.tasks_total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    is_closed = Task.status.in_(CLOSED_TASK_STATUSES)
    detail.tasks = [
        HeldTask(*row) for row in session.execute(
            select(Task.id, Task.title, Case.reference, Task.status, Task.due_date, mine.c.role)
            .join(mine, mine.c.task_id == Task.id)
            .join(Case, Case.id == Task.case_id)
            .where(*live_task)
            # Open tasks first, the most urgent due date first; then the closed ones.
            .order_by(is_closed, Task.due_date.is_(None), Task.due_date, Task.title)
            .limit(limit))
    ]
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
