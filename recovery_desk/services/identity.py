"""Who is working: a Person of the workspace, acting for one or more of their organisations.

The identity signs the audit trail (``activity.actor`` keeps the display name, and
``activity.actor_id`` the person's id), claims, comments and reports, and gives the query
languages their ``me`` and ``my-org``. The app and the CLI read the same saved choice
(:mod:`recovery_desk.services.settings`, per workspace file); the CLI's ``--as NAME``
names a person for one command.

A coordinator (who may erase a household's data and read the disclosure log) is a person
acting for a coordinating organisation: the municipality, the social welfare council or
the national government (product.md: "Local coordinators (municipality, 社協, …)").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from recovery_desk.domain.errors import NotFoundError, ValidationError
from recovery_desk.services.settings import format_actor, load_settings, save_settings
from recovery_desk.storage.models import Membership, Organisation, Person

COORDINATING_TYPES = frozenset({"gov_local", "gov_national", "social_welfare_council"})


@dataclass(frozen=True)
class Identity:
    person_id: str | None
    name: str
    organisation_ids: tuple[str, ...] = ()
    organisation_names: tuple[str, ...] = ()
    coordinator: bool = False

    @property
    def actor(self) -> str:
        """The display name the audit trail keeps beside the person's id."""
        return format_actor(self.name, "、".join(self.organisation_names))


def _normalised(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def find_person(session: Any, name_or_id: str) -> Person:
    """The live person whose id or name is ``name_or_id`` (spaces and width ignored). A name
    that is part of several names, and matches none exactly, is ambiguous: the error lists them."""
    text = name_or_id.strip()
    if not text:
        raise ValidationError("{field} is required", field="person")
    person = session.get(Person, text)
    if person is not None and person.deleted_at is None:
        return person
    wanted = _normalised(text)
    people = session.scalars(select(Person).where(Person.deleted_at.is_(None))).all()
    exact = [p for p in people if _normalised(p.name) == wanted]
    matches = exact or [p for p in people if wanted in _normalised(p.name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError("no person named {name} in this workspace", name=text)
    def described(p: Person) -> str:
        orgs = "、".join(o[1] for o in memberships(session, p.id))
        return f"{p.name} ({orgs + ', ' if orgs else ''}{p.id})"

    listed = "; ".join(described(p) for p in sorted(matches, key=lambda p: p.name)[:20])
    raise ValidationError("{name} names several people: {matches}", field="person", name=text, matches=listed)


def memberships(session: Any, person_id: str) -> list[tuple[str, str, str]]:
    """(organisation id, name, type) of the person's live organisations, by name."""
    return [tuple(r) for r in session.execute(
        select(Organisation.id, Organisation.name, Organisation.org_type)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.person_id == person_id, Membership.deleted_at.is_(None),
               Organisation.deleted_at.is_(None))
        .order_by(Organisation.name)).all()]


def identity_of(session: Any, person_id: str, organisation_ids: tuple[str, ...] | list[str] | None = None) -> Identity:
    """The identity of a person acting for ``organisation_ids`` (default: all of theirs).
    An organisation the person no longer belongs to is dropped."""
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFoundError("no {entity} with id {id}", entity="person", id=person_id)
    orgs = memberships(session, person_id)
    if organisation_ids is not None:
        wanted = set(organisation_ids)
        chosen = [o for o in orgs if o[0] in wanted]
        orgs = chosen or orgs
    return Identity(person.id, person.name, tuple(o[0] for o in orgs), tuple(o[1] for o in orgs),
                    any(o[2] in COORDINATING_TYPES for o in orgs))


# -- the saved choice, per workspace file -------------------------------------------------------
def _key(path: Path) -> str:
    return str(Path(path).resolve())


def saved_choice(path: Path) -> dict[str, Any] | None:
    """``{"person_id", "organisation_ids"}`` saved for this workspace file, if any."""
    choice = (load_settings().get("identities") or {}).get(_key(path))
    return choice if isinstance(choice, dict) and choice.get("person_id") else None


def save_choice(path: Path, identity: Identity) -> None:
    identities = dict(load_settings().get("identities") or {})
    identities[_key(path)] = {"person_id": identity.person_id, "organisation_ids": list(identity.organisation_ids)}
    save_settings({"identities": identities, "user_name": identity.name,
                   "user_organisation": "、".join(identity.organisation_names)})


def saved_identity(session: Any, path: Path) -> Identity | None:
    """The identity saved for this file, while that person is still in the workspace."""
    choice = saved_choice(path)
    if choice is None:
        return None
    try:
        return identity_of(session, choice["person_id"], choice.get("organisation_ids"))
    except NotFoundError:
        return None


def sign_in(ws: Any, identity: Identity | None) -> None:
    """Make ``identity`` sign what ``ws`` writes from now on (None: nobody known)."""
    ws.identity = identity
    if identity is not None:
        ws.actor = identity.actor
        ws.person_id = identity.person_id


def create_me(ws: Any, name: str, organisation_ids: list[str] | tuple[str, ...]) -> Identity:
    """Add the person who is working to the workspace's People, then sign in as them."""
    from recovery_desk.services.people import create_person

    changes = create_person(ws, name=name, organisation_ids=list(organisation_ids))
    with ws.session() as session:
        identity = identity_of(session, changes.primary_id)  # type: ignore[arg-type]
    return identity


def require_coordinator(ws: Any) -> None:
    identity = getattr(ws, "identity", None)
    if identity is None or not identity.coordinator:
        raise ValidationError("only a coordinator (municipality or social welfare council) may do this",
                              field="person")
