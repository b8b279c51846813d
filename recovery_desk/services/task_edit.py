"""Several fields of one task changed in one operation (``task set`` and scripts).

Values are converted already (codes, dates); organisations and people may be named (name,
acronym or id), as in a tasks import. The status goes through ``apply_status`` (the
blocked-by rule), the rest through ``clean_task_fields``: the same rules as the board.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from recovery_desk.domain.errors import NotFoundError, ValidationError
from recovery_desk.services.cases import ensure_participation
from recovery_desk.services.changes import Changes
from recovery_desk.services.common import get_live
from recovery_desk.services.tasks import apply_status, clean_task_fields
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Organisation, Person, Task

PLAIN_FIELDS = ("title", "description", "need_category", "due_date", "priority")
EDITABLE = frozenset(PLAIN_FIELDS) | {"status", "lead_organisation", "assignee"}


def find_task_id(ws: Workspace, text: str) -> str:
    """A live task by its id, or by the first characters of its id when only one matches."""
    text = text.strip().lower()
    with ws.session() as s:
        ids = list(s.scalars(select(Task.id).where(Task.id.like(f"{text}%") if len(text) >= 8 else Task.id == text,
                                                   Task.deleted_at.is_(None)).limit(2)))
    if len(ids) != 1:
        raise NotFoundError("no task with id {id}" if not ids else "several tasks have ids starting with {id}",
                            id=text)
    return ids[0]


def edit_task(ws: Workspace, task_id: str, values: dict[str, Any]) -> Changes:
    unknown = sorted(set(values) - EDITABLE)
    if unknown:
        raise ValidationError("{names}: not a field that can be set on a task", field=unknown[0],
                              names=", ".join(unknown))
    with ws.operation("edit_task") as op:
        s = op.session
        task = get_live(s, Task, task_id)
        plain = {k: v for k, v in values.items() if k in PLAIN_FIELDS}
        if "lead_organisation" in values:
            plain["lead_org_id"] = _organisation_id(s, values["lead_organisation"])
        if "assignee" in values:
            plain["assignee_id"] = _person_id(s, values["assignee"])
        changed = op.update(task, **clean_task_fields(s, plain))
        if "lead_org_id" in changed and task.lead_org_id:
            ensure_participation(op, task.case_id, task.lead_org_id, "implementer")
        if "status" in values:
            if not values["status"]:
                raise ValidationError("{field} is required", field="status")
            apply_status(op, task, values["status"])
        op.changes.primary_id = task.id
    return op.changes


def _organisation_id(session: Any, text: str | None) -> str | None:
    if not text:
        return None
    key = text.strip()
    ids = list(session.scalars(select(Organisation.id).where(
        Organisation.deleted_at.is_(None),
        or_(Organisation.id == key, func.lower(Organisation.name) == key.lower(),
            func.lower(Organisation.acronym) == key.lower()))))
    if len(ids) != 1:
        raise ValidationError("lead_organisation: no organisation named '{value}'" if not ids else
                              "lead_organisation: several organisations are named '{value}'",
                              field="lead_organisation", value=key)
    return ids[0]


def _person_id(session: Any, text: str | None) -> str | None:
    if not text:
        return None
    key = text.strip()
    ids = list(session.scalars(select(Person.id).where(
        Person.deleted_at.is_(None), or_(Person.id == key, Person.name == key))))
    if len(ids) != 1:
        raise ValidationError("assignee: no person named '{value}'" if not ids else
                              "assignee: several people are named '{value}'", field="assignee", value=key)
    return ids[0]
