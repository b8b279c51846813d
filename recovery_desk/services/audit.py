"""Reading the audit trail: per-row records, and the batch records of rows created in bulk.

An Operation records most changes one row at a time, but rows created in bulk (imports,
demo data) share one ``create_many`` record per batch (see ``Operation.add_many``). A row
finds that record by its entity and its ``created_at``, which is the record's time:
operations take their time when they start, so two operations never share one. The
readers here turn such a record into the per-row "created" entry the timelines show.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery_desk.storage.models import (
    BULK_CREATE,
    ENTITY_MODELS,
    Activity,
    Case,
    Conference,
    Consent,
    Need,
    Participation,
    Task,
)

# The rows of a case that its timeline shows (their own records carry the case id).
CASE_PARTS = (Need, Consent, Participation, Task, Conference)
_CHUNK = 500  # bound parameters per IN (…)


def bulk_creations(session: Session, ids_by_entity: Mapping[str, Iterable[str]],
                   case_id: str | None = None) -> list[Activity]:
    """A "create" entry (a transient Activity, id None) for each of these rows that was
    created in bulk; rows created one by one have their own record and give none."""
    created: list[tuple[str, str, datetime]] = []
    for entity, ids in ids_by_entity.items():
        model = ENTITY_MODELS[entity]
        ids = list(ids)
        for start in range(0, len(ids), _CHUNK):
            created += [(entity, row_id, at) for row_id, at in session.execute(
                select(model.id, model.created_at).where(model.id.in_(ids[start:start + _CHUNK])))]
    times = sorted({at for _, _, at in created})
    records: dict[tuple[str, datetime], tuple] = {}
    for start in range(0, len(times), _CHUNK):
        # Only the columns before new_value: SQLite then never reads the id lists.
        for at, entity, actor, replica_id, operation_id, operation in session.execute(
            select(Activity.at, Activity.entity, Activity.actor, Activity.replica_id, Activity.operation_id,
                   Activity.operation)
            .where(Activity.action == BULK_CREATE, Activity.at.in_(times[start:start + _CHUNK]))
        ):
            records[(entity, at)] = (actor, replica_id, operation_id, operation)
    entries = []
    for entity, row_id, at in created:
        record = records.get((entity, at))
        if record is not None:
            actor, replica_id, operation_id, operation = record
            entries.append(Activity(
                id=None, at=at, actor=actor, replica_id=replica_id, operation_id=operation_id, operation=operation,
                entity=entity, entity_id=row_id, action="create", field=None, old_value=None, new_value=None,
                case_id=case_id))
    return entries


def case_timeline(session: Session, case_id: str, limit: int) -> list[Activity]:
    """The case's audit entries, newest first (at most ``limit``), bulk creations included."""
    own = list(session.scalars(select(Activity).where(Activity.case_id == case_id)
                               .order_by(Activity.at.desc(), Activity.id.desc()).limit(limit)))
    parts: dict[str, list[str]] = {"case": [case_id]}
    for model in CASE_PARTS:
        parts[model.__tablename__] = list(session.scalars(select(model.id).where(model.case_id == case_id)))
    recorded = {(a.entity, a.entity_id) for a in own if a.action == "create"}
    bulk = [a for a in bulk_creations(session, parts, case_id) if (a.entity, a.entity_id) not in recorded]
    entries = own + bulk
    # Newest first; within one operation, the case before its parts (as add() writes them).
    entries.sort(key=lambda a: (a.at, a.id if a.id is not None else -1 if a.entity == "case" else 0),
                 reverse=True)
    return entries[:limit]


def created_stage(session: Session, case: Case) -> tuple[datetime | None, str] | None:
    """When a case created in bulk was created and with which stage: the old value of its
    first stage change, or its stage now. None when it has its own creation record."""
    entries = bulk_creations(session, {"case": [case.id]})
    if not entries:
        return None
    first_change = session.scalars(
        select(Activity.old_value).where(Activity.entity == "case", Activity.entity_id == case.id,
                                         Activity.field == "stage").order_by(Activity.at, Activity.id).limit(1)
    ).first()
    stage = json.loads(first_change) if first_change else case.stage
    return entries[0].at, stage or "identified"
