"""Shared by the field-work tests: people of the demo workspace to sign in as."""

from __future__ import annotations

from sqlalchemy import func, select

from recovery_desk.storage.models import Membership, Organisation, Person, Task


def npo_volunteer(session) -> tuple[str, str]:
    """(person id, name) of a person of an NPO who is assigned open tasks, most first."""
    row = session.execute(
        select(Person.id, Person.name)
        .join(Membership, Membership.person_id == Person.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .join(Task, Task.assignee_id == Person.id)
        .where(Organisation.org_type == "npo", Task.status.in_(("received", "matched", "in_progress")),
               Task.archived_at.is_(None), Task.deleted_at.is_(None))
        .group_by(Person.id).order_by(func.count(Task.id).desc(), Person.id)).first()
    assert row is not None, "the demo has an NPO volunteer with open tasks"
    return row[0], row[1]


def coordinator(session) -> tuple[str, str]:
    """(person id, name) of a person of the social welfare council or the city."""
    row = session.execute(
        select(Person.id, Person.name)
        .join(Membership, Membership.person_id == Person.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Organisation.org_type.in_(("social_welfare_council", "gov_local")))
        .order_by(Person.id)).first()
    assert row is not None
    return row[0], row[1]
