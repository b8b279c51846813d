"""Read-only queries behind the People page.

Set-based: the list is two queries (people, then every live membership with its
organisation's name), joined in Python, never one query per person. People who belong
to several organisations are the seed paper's "relational capital": the list shows how
many organisations each person belongs to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery_desk.domain.errors import NotFoundError
from recovery_desk.storage.models import Membership, Organisation, Person


@dataclass(frozen=True)
class PersonRow:
    id: str
    name: str
    kana: str
    phone: str
    email: str
    skills: tuple[str, ...]
    organisations: tuple[str, ...]  # names, sorted

    @property
    def organisation_count(self) -> int:
        return len(self.organisations)


@dataclass(frozen=True)
class MembershipRow:
    id: str | None  # None while the person is not saved yet
    organisation_id: str
    organisation: str
    title: str


@dataclass
class PersonDetail:
    id: str
    values: dict[str, Any]
    memberships: list[MembershipRow] = field(default_factory=list)


@dataclass(frozen=True)
class OrgChoice:
    id: str
    name: str
    acronym: str


PERSON_EDITABLE = ("name", "kana", "phone", "email", "skills", "notes")


def _live_memberships() -> Any:
    return (
        select(Membership.id, Membership.person_id, Membership.organisation_id, Organisation.name, Membership.title)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.deleted_at.is_(None), Organisation.deleted_at.is_(None))
    )


def list_people(session: Session) -> list[PersonRow]:
    orgs_of: dict[str, list[str]] = defaultdict(list)
    for _mid, person_id, _oid, org_name, _title in session.execute(_live_memberships()):
        orgs_of[person_id].append(org_name)
    rows = session.execute(
        select(Person.id, Person.name, Person.kana, Person.phone, Person.email, Person.skills)
        .where(Person.deleted_at.is_(None))
        .order_by(Person.kana, Person.name)
    )
    return [
        PersonRow(pid, name, kana or "", phone or "", email or "", tuple(skills or ()),
                  tuple(sorted(set(orgs_of.get(pid, ())))))
        for pid, name, kana, phone, email, skills in rows
    ]


def person_detail(session: Session, person_id: str) -> PersonDetail:
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFoundError("no {entity} with id {id}", entity="person", id=person_id)
    detail = PersonDetail(id=person.id, values={k: getattr(person, k) for k in PERSON_EDITABLE})
    detail.values["skills"] = list(detail.values["skills"] or [])
    detail.memberships = [
        MembershipRow(mid, oid, org_name, title or "")
        for mid, _pid, oid, org_name, title in session.execute(
            _live_memberships().where(Membership.person_id == person.id).order_by(Organisation.name))
    ]
    return detail


def organisation_choices(session: Session) -> list[OrgChoice]:
    return [OrgChoice(*row) for row in session.execute(
        select(Organisation.id, Organisation.name, Organisation.acronym)
        .where(Organisation.deleted_at.is_(None)).order_by(Organisation.name))]


def person_values(session: Session, person_id: str, keys: Any) -> dict[str, Any]:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError("no {entity} with id {id}", entity="person", id=person_id)
    return {k: (list(getattr(person, k) or []) if k == "skills" else getattr(person, k)) for k in keys}


def membership_of(session: Session, person_id: str, organisation_id: str) -> MembershipRow | None:
    """The live membership of a person in an organisation, if any (for undo of add/title)."""
    row = session.execute(
        _live_memberships().where(Membership.person_id == person_id, Membership.organisation_id == organisation_id)
    ).first()
    if row is None:
        return None
    mid, _pid, oid, org_name, title = row
    return MembershipRow(mid, oid, org_name, title or "")
