"""Organisations on the welfare triangle, their capabilities and service areas."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from recovery_desk.domain.vocabulary import (
    FORMALITY,
    NEED_CATEGORY,
    ORG_TYPE,
    OWNERSHIP,
    PROFIT,
    derive_sector,
)
from recovery_desk.services.changes import Changes
from recovery_desk.services.common import get_live
from recovery_desk.services.validation import check_int, check_text, check_vocab, reject_unknown
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Area, Capability, Organisation, ServiceArea

ORG_FIELDS = frozenset({
    "name", "acronym", "ownership", "profit", "formality", "org_type", "legal_form", "phone",
    "email", "address", "website", "notes",
})
_TEXT_LIMITS = {"name": 200, "acronym": 50, "legal_form": 50, "phone": 50, "email": 200,
                "address": 300, "website": 300, "notes": 20_000}


def clean_org_fields(fields: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    reject_unknown(fields, ORG_FIELDS)
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "ownership":
            out[key] = check_vocab(OWNERSHIP, value, key)
        elif key == "profit":
            out[key] = check_vocab(PROFIT, value, key)
        elif key == "formality":
            out[key] = check_vocab(FORMALITY, value, key)
        elif key == "org_type":
            out[key] = check_vocab(ORG_TYPE, value, key)
        else:
            out[key] = check_text(value, key, _TEXT_LIMITS[key], required=key == "name")
    if creating and "name" not in out:
        check_text("", "name", 200, required=True)
    return out


def create_organisation(ws: Workspace, *, name: str, ownership: str = "private", profit: str = "nonprofit",
                        formality: str = "formal", **fields: Any) -> Changes:
    values = clean_org_fields(dict(name=name, ownership=ownership, profit=profit, formality=formality, **fields),
                              creating=True)
    with ws.operation("create_organisation") as op:
        org = op.add(Organisation, sector=derive_sector(values["ownership"], values["profit"], values["formality"]),
                     **values)
        op.changes.primary_id = org.id
    return op.changes


def update_organisation(ws: Workspace, organisation_id: str, **fields: Any) -> Changes:
    values = clean_org_fields(fields, creating=False)
    with ws.operation("update_organisation") as op:
        org = get_live(op.session, Organisation, organisation_id)
        axes = {k: values.get(k, getattr(org, k)) for k in ("ownership", "profit", "formality")}
        values["sector"] = derive_sector(**axes)
        op.update(org, **values)
        op.changes.primary_id = org.id
    return op.changes


def delete_organisation(ws: Workspace, organisation_id: str) -> Changes:
    with ws.operation("delete_organisation") as op:
        op.delete(get_live(op.session, Organisation, organisation_id))
    return op.changes


def set_capability(ws: Workspace, organisation_id: str, need_category: str, capacity: int | None = None) -> Changes:
    check_vocab(NEED_CATEGORY, need_category, "need_category")
    capacity = check_int(capacity, "capacity", minimum=0)
    with ws.operation("set_capability") as op:
        get_live(op.session, Organisation, organisation_id)
        cap = op.session.scalar(select(Capability).where(
            Capability.organisation_id == organisation_id, Capability.need_category == need_category,
            Capability.deleted_at.is_(None)))
        if cap is None:
            cap = op.add(Capability, organisation_id=organisation_id, need_category=need_category, capacity=capacity)
        else:
            op.update(cap, capacity=capacity)
        op.changes.primary_id = cap.id
    return op.changes


def remove_capability(ws: Workspace, capability_id: str) -> Changes:
    with ws.operation("remove_capability") as op:
        op.delete(get_live(op.session, Capability, capability_id))
    return op.changes


def add_service_area(ws: Workspace, organisation_id: str, area_id: str) -> Changes:
    with ws.operation("add_service_area") as op:
        get_live(op.session, Organisation, organisation_id)
        get_live(op.session, Area, area_id)
        existing = op.session.scalar(select(ServiceArea).where(
            ServiceArea.organisation_id == organisation_id, ServiceArea.area_id == area_id,
            ServiceArea.deleted_at.is_(None)))
        if existing is None:
            existing = op.add(ServiceArea, organisation_id=organisation_id, area_id=area_id)
        op.changes.primary_id = existing.id
    return op.changes


def remove_service_area(ws: Workspace, service_area_id: str) -> Changes:
    with ws.operation("remove_service_area") as op:
        op.delete(get_live(op.session, ServiceArea, service_area_id))
    return op.changes
