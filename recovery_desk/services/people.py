"""People (contacts, volunteers) and their memberships of organisations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from recovery_desk.domain.errors import ValidationError
from recovery_desk.services.changes import Changes
from recovery_desk.services.common import get_live
from recovery_desk.services.validation import check_text, reject_unknown
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Membership, Organisation, Person

PERSON_FIELDS = frozenset({"name", "kana", "phone", "email", "skills", "notes"})
_LIMITS = {"name": 200, "kana": 200, "phone": 50, "email": 200, "notes": 20_000}


def clean_person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    reject_unknown(fields, PERSON_FIELDS)
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "skills":
            if isinstance(value, str):
                value = [v for v in (p.strip() for p in value.replace("、", ",").split(",")) if v]
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ValidationError("skills must be a list of words", field="skills")
            out[key] = [check_text(v, "skills", 200) for v in value if v.strip()]
        else:
            out[key] = check_text(value, key, _LIMITS[key], required=key == "name")
    return out


def create_person(ws: Workspace, *, name: str, organisation_ids: list[str] | tuple[str, ...] = (),
                  **fields: Any) -> Changes:
    values = clean_person_fields(dict(name=name, **fields))
    with ws.operation("create_person") as op:
        person = op.add(Person, **values)
        for org_id in dict.fromkeys(organisation_ids):
            get_live(op.session, Organisation, org_id)
            op.add(Membership, person_id=person.id, organisation_id=org_id)
        op.changes.primary_id = person.id
    return op.changes


def update_person(ws: Workspace, person_id: str, **fields: Any) -> Changes:
    values = clean_person_fields(fields)
    with ws.operation("update_person") as op:
        person = get_live(op.session, Person, person_id)
        op.update(person, **values)
        op.changes.primary_id = person.id
    return op.changes


def delete_person(ws: Workspace, person_id: str) -> Changes:
    with ws.operation("delete_person") as op:
        op.delete(get_live(op.session, Person, person_id))
    return op.changes


def add_membership(ws: Workspace, person_id: str, organisation_id: str, title: str = "") -> Changes:
    title = check_text(title, "title", 100)
    with ws.operation("add_membership") as op:
        get_live(op.session, Person, person_id)
        get_live(op.session, Organisation, organisation_id)
        existing = op.session.scalar(select(Membership).where(
            Membership.person_id == person_id, Membership.organisation_id == organisation_id,
            Membership.deleted_at.is_(None)))
        if existing is None:
            existing = op.add(Membership, person_id=person_id, organisation_id=organisation_id, title=title)
        else:
            op.update(existing, title=title)
        op.changes.primary_id = existing.id
    return op.changes


def remove_membership(ws: Workspace, membership_id: str) -> Changes:
    with ws.operation("remove_membership") as op:
        op.delete(get_live(op.session, Membership, membership_id))
    return op.changes
