"""Everything the case editor shows about one case, read in a few queries, plus the
inverse operations its undo needs (Qt-free; the UI calls these on the database worker).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery_desk.services.audit import case_timeline
from recovery_desk.services.changes import Changes
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import (
    ENTITY_MODELS,
    Activity,
    Area,
    Case,
    Conference,
    Consent,
    Decision,
    Need,
    Organisation,
    Participation,
    Task,
)

TIMELINE_LIMIT = 500
# Rows the case editor creates and may therefore discard when its creation is undone.
DISCARDABLE = frozenset({"conference", "conference_attendee", "decision", "task"})


@dataclass
class CaseDetail:
    case: Case
    area: Area | None
    needs: list[Need] = field(default_factory=list)
    participations: list[tuple[Participation, Organisation]] = field(default_factory=list)
    consent: Consent | None = None
    conferences: list[tuple[Conference, list[tuple[Decision, Task | None]]]] = field(default_factory=list)
    timeline: list[Activity] = field(default_factory=list)


@dataclass
class Choices:
    """The areas and organisations offered by the editor's pickers."""

    areas: list[tuple[str, str]]  # (id, label with municipality code)
    organisations: list[tuple[str, str, str]]  # (id, name, sector)


def load_case(session: Session, case_id: str) -> CaseDetail:
    case = session.get(Case, case_id)
    if case is None:
        from recovery_desk.domain.errors import NotFoundError

        raise NotFoundError("no case with id {id}", id=case_id)
    area = session.get(Area, case.area_id) if case.area_id else None
    detail = CaseDetail(case=case, area=area)
    detail.needs = list(session.scalars(select(Need).where(Need.case_id == case_id, Need.deleted_at.is_(None))
                                        .order_by(Need.created_at)))
    detail.participations = [
        (p, o) for p, o in session.execute(
            select(Participation, Organisation).join(Organisation, Organisation.id == Participation.organisation_id)
            .where(Participation.case_id == case_id, Participation.deleted_at.is_(None),
                   Organisation.deleted_at.is_(None)).order_by(Organisation.name))
    ]
    detail.consent = session.scalar(select(Consent).where(Consent.case_id == case_id, Consent.deleted_at.is_(None)))
    conferences = list(session.scalars(select(Conference).where(
        Conference.case_id == case_id, Conference.deleted_at.is_(None)).order_by(Conference.held_on)))
    decisions: dict[str, list[tuple[Decision, Task | None]]] = {c.id: [] for c in conferences}
    if conferences:
        for d, t in session.execute(
            select(Decision, Task).outerjoin(Task, Task.id == Decision.task_id)
            .where(Decision.conference_id.in_(list(decisions)), Decision.deleted_at.is_(None))
            .order_by(Decision.created_at)):
            decisions[d.conference_id].append((d, t))
    detail.conferences = [(c, decisions[c.id]) for c in conferences]
    detail.timeline = case_timeline(session, case_id, TIMELINE_LIMIT)
    return detail


def load_choices(session: Session) -> Choices:
    areas = []
    for a in session.scalars(select(Area).where(Area.deleted_at.is_(None))
                             .order_by(Area.municipality_code, Area.kana, Area.district)):
        label = " ".join(p for p in (a.municipality, a.district) if p) or a.prefecture
        if a.municipality_code:
            label += f" ({a.municipality_code})"
        areas.append((a.id, label))
    orgs = [(i, n, s) for i, n, s in session.execute(
        select(Organisation.id, Organisation.name, Organisation.sector)
        .where(Organisation.deleted_at.is_(None)).order_by(Organisation.name))]
    return Choices(areas=areas, organisations=orgs)


def case_values(session: Session, case_id: str, names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    case = session.get(Case, case_id)
    return {n: getattr(case, n) for n in names}


def stage_state(session: Session, case_id: str) -> tuple[str, str | None, date | None]:
    case = session.get(Case, case_id)
    return case.stage, case.closure_reason, case.closed_on


def discard_created(ws: Workspace, created: dict[str, set[str]] | Any, name: str = "discard") -> Changes:
    """Tombstone rows that an earlier operation created (the undo of adding a conference,
    a decision or the task it decided). Only the entities in DISCARDABLE are accepted."""
    from recovery_desk.domain.errors import ValidationError

    with ws.operation(name) as op:
        for entity, ids in created.items():
            if not ids:
                continue
            if entity not in DISCARDABLE:
                raise ValidationError("{entity} cannot be discarded", entity=entity)
            model = ENTITY_MODELS[entity]
            for obj in op.session.scalars(select(model).where(model.id.in_(list(ids)))):
                op.delete(obj)
    return op.changes


def restore_created(ws: Workspace, created: dict[str, set[str]]) -> Changes:
    """Redo of an undone creation: clear the tombstones again (audited as an update)."""
    with ws.operation("redo_create") as op:
        for entity, ids in created.items():
            if entity not in DISCARDABLE and entity != "case":
                continue
            model = ENTITY_MODELS[entity]
            for obj in op.session.scalars(select(model).where(model.id.in_(list(ids)))):
                if obj.deleted_at is not None:
                    op.update(obj, deleted_at=None)
    return op.changes


def remove_live_need(ws: Workspace, case_id: str, category: str) -> Changes:
    """Remove the case's live need of ``category`` (the redo of a removal, whose id may differ)."""
    from recovery_desk.services.cases import remove_need

    with ws.session() as s:
        need_id = s.scalar(select(Need.id).where(Need.case_id == case_id, Need.category == category,
                                                 Need.deleted_at.is_(None)))
    return remove_need(ws, need_id) if need_id else Changes()


def remove_live_participation(ws: Workspace, case_id: str, org_id: str) -> Changes:
    from recovery_desk.services.cases import remove_participation

    with ws.session() as s:
        part_id = s.scalar(select(Participation.id).where(
            Participation.case_id == case_id, Participation.organisation_id == org_id,
            Participation.deleted_at.is_(None)))
    return remove_participation(ws, part_id) if part_id else Changes()


def utc_to_local(value: datetime | None) -> datetime | None:
    """Audit times are naive UTC; the UI shows local time."""
    from datetime import UTC

    return value.replace(tzinfo=UTC).astimezone() if value is not None else None
