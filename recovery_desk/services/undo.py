"""Undo and redo of any operation, from the audit trail.

An operation's activity rows say exactly what it did, field by field, with old and new
values. :func:`revert_operation` applies their inverse in one new operation (recorded like
any other change: the trail shows the undo, nothing is erased): a created row gets its
tombstone, a changed field its old value, a deleted row is restored (recorded as a change
of ``deleted_at`` back to nothing, whose own revert deletes it again). Redo is the revert
of the revert. A field someone changed since is refused rather than overwritten.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, select

from recovery_desk.domain.errors import ConflictError, ValidationError
from recovery_desk.services.changes import Changes
from recovery_desk.services.operation import encode
from recovery_desk.storage.models import BULK_CREATE, ENTITY_MODELS, Activity

REVERT_PREFIX = "revert:"


def decode(model: Any, field: str, text: str | None) -> Any:
    """An audit value (JSON text) back into the column's Python value."""
    if text is None:
        return None
    value = json.loads(text)
    column_type = model.__table__.c[field].type
    if value is None or isinstance(column_type, JSON):
        return value
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Boolean):
        return bool(value)
    return value


def revert_operation(ws: Any, operation_id: str) -> Changes:
    """Undo everything operation ``operation_id`` did, as one new operation."""
    with ws.session() as session:
        rows = session.scalars(select(Activity).where(Activity.operation_id == operation_id)
                               .order_by(Activity.id.desc())).all()
    if not rows:
        raise ValidationError("there is nothing to undo for this change", field="operation")
    if any(r.action == BULK_CREATE for r in rows):
        raise ValidationError("an import or a batch of rows cannot be undone here; restore a backup instead",
                              field="operation")
    name = rows[0].operation
    reverted = name[len(REVERT_PREFIX):] if name.startswith(REVERT_PREFIX) else REVERT_PREFIX + name
    with ws.operation(reverted[:64]) as op:
        for row in rows:
            model = ENTITY_MODELS.get(row.entity)
            obj = op.session.get(model, row.entity_id) if model is not None else None
            if obj is None:
                continue
            if row.action == "create":
                op.delete(obj)
            elif row.action == "delete":
                op.restore(obj)
            elif row.action == "update" and row.field:
                if encode(getattr(obj, row.field)) != row.new_value:
                    raise ConflictError("this was changed again since ({entity} {field}); it is left as it is",
                                        entity=row.entity, field=row.field)
                op.update(obj, **{row.field: decode(model, row.field, row.old_value)})
    return op.changes
