"""Helpers shared by the service modules."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from recovery_desk.domain.errors import NotFoundError
from recovery_desk.storage.models import SyncMixin

M = TypeVar("M", bound=SyncMixin)


def get_live(session: Session, model: type[M], entity_id: str | None) -> M:
    """The row with this id, unless it is missing or deleted."""
    obj = session.get(model, entity_id) if entity_id else None
    if obj is None or obj.deleted_at is not None:
        raise NotFoundError(
            "no {entity} with id {id}", entity=model.__tablename__, id=entity_id  # type: ignore[attr-defined]
        )
    return obj
