"""Helpers shared by the service modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from recovery_desk.domain.errors import ConflictError, NotFoundError
from recovery_desk.storage.models import SyncMixin

M = TypeVar("M", bound=SyncMixin)


def get_live(session: Session, model: type[M], entity_id: str | None, *, for_update: bool = False) -> M:
    """The row with this id, unless it is missing or deleted. ``for_update`` locks it on a
    server until the transaction ends (a second editor waits, then sees the first one's save)."""
    obj = (session.get(model, entity_id, with_for_update=for_update, populate_existing=for_update)
           if entity_id else None)
    if obj is None or obj.deleted_at is not None:
        raise NotFoundError(
            "no {entity} with id {id}", entity=model.__tablename__, id=entity_id  # type: ignore[attr-defined]
        )
    return obj


def check_based_on(obj: Any, based_on: Mapping[str, Any] | None, values: Mapping[str, Any]) -> None:
    """Refuse to overwrite a field someone else changed since this editor read it.

    ``based_on`` holds the values the editor started from; a field whose stored value is
    neither that nor the new value was saved meanwhile by another person: the save is
    refused naming both values, never silently overwritten. Fields nobody else touched pass,
    so two people editing different fields of one row both keep their changes."""
    for field, base in (based_on or {}).items():
        if field not in values:
            continue
        stored, yours = getattr(obj, field), values[field]
        if _same(stored, base) or _same(stored, yours):
            continue
        raise ConflictError("{field} was changed by someone else to '{theirs}' while you changed it to "
                            "'{yours}'; nothing was saved, look at their value and save again",
                            field=field, theirs="" if stored is None else stored, yours="" if yours is None else yours)


def _same(a: Any, b: Any) -> bool:
    return str("" if a is None else a) == str("" if b is None else b)
