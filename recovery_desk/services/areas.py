"""Areas: prefecture / municipality (6-digit code) / district."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from recovery_desk.domain.errors import ValidationError
from recovery_desk.services.changes import Changes
from recovery_desk.services.validation import check_float, check_text
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Area


def clean_area_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out = {k: check_text(fields.get(k), k, 100) for k in ("prefecture", "prefecture_code", "municipality", "district")}
    out["municipality_code"] = check_text(fields.get("municipality_code"), "municipality_code", 16)
    out["kana"] = check_text(fields.get("kana"), "kana", 200)
    out["latitude"] = check_float(fields.get("latitude"), "latitude", low=-90, high=90)
    out["longitude"] = check_float(fields.get("longitude"), "longitude", low=-180, high=180)
    if not (out["prefecture"] or out["municipality"] or out["district"]):
        raise ValidationError("an area needs a prefecture, municipality or district name", field="municipality")
    return out


def create_area(ws: Workspace, **fields: Any) -> Changes:
    values = clean_area_fields(fields)
    with ws.operation("create_area") as op:
        existing = op.session.scalar(select(Area).where(
            Area.municipality_code == values["municipality_code"], Area.district == values["district"],
            Area.municipality == values["municipality"], Area.deleted_at.is_(None)))
        if existing is None:
            existing = op.add(Area, **values)
        op.changes.primary_id = existing.id
    return op.changes
