"""Restore a deleted (tombstoned) row: the undo of a delete.

Deletes are tombstones (``deleted_at``); restoring clears the tombstone through
``op.update``, so the audit trail records it like any other change (action ``update``,
field ``deleted_at``, old value the deletion time, new value null) and replicas receive
it with the next row version.
"""

from __future__ import annotations

from recovery_desk.domain.errors import NotFoundError, ValidationError
from recovery_desk.services.changes import Changes
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import ENTITY_MODELS

# Entities the desktop pages can delete and therefore restore.
RESTORABLE = frozenset({"organisation", "person", "membership", "capability", "service_area"})


def restore(ws: Workspace, entity: str, entity_id: str) -> Changes:
    """Clear the tombstone of ``entity`` ``entity_id``; a live row is left as it is."""
    if entity not in RESTORABLE:
        raise ValidationError("{entity} cannot be restored", entity=entity)
    model = ENTITY_MODELS[entity]
    with ws.operation(f"restore_{entity}") as op:
        obj = op.session.get(model, entity_id)
        if obj is None:
            raise NotFoundError("no {entity} with id {id}", entity=entity, id=entity_id)
        if obj.deleted_at is not None:
            op.update(obj, deleted_at=None)
        op.changes.primary_id = obj.id
    return op.changes
