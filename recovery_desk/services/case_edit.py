"""Several fields of one case changed in one operation (``case set`` and scripts).

The values are already converted (codes, dates, numbers); this module applies them through
the same rules as the case editor: editable fields through ``clean_case_fields``, the stage
through ``apply_stage`` (closing needs a reason), the location through an area (found, or
created once), needs one per category, consent as ``set_consent`` records it. One
operation: a bad value changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from recovery_desk.domain.errors import ValidationError
from recovery_desk.domain.vocabulary import CONSENT_SCOPE, NEED_CATEGORY
from recovery_desk.services.cases import CASE_FIELDS, apply_stage, clean_case_fields
from recovery_desk.services.changes import Changes
from recovery_desk.services.common import get_live
from recovery_desk.services.operation import Operation
from recovery_desk.services.validation import check_vocab
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Area, Case, Consent, Need

LOCATION_FIELDS = ("prefecture", "prefecture_code", "municipality", "municipality_code", "district")
STAGE_FIELDS = ("stage", "closure_reason", "closed_on")
CONSENT_FIELDS = ("consent_scope", "consent_given_on")
EDITABLE = frozenset(CASE_FIELDS - {"area_id"}) | set(LOCATION_FIELDS) | set(STAGE_FIELDS) | set(CONSENT_FIELDS) | {
    "needs"}


def edit_case(ws: Workspace, case_id: str, values: dict[str, Any]) -> Changes:
    """Apply converted ``values`` (field names of the cases import) to one live case."""
    unknown = sorted(set(values) - EDITABLE)
    if unknown:
        raise ValidationError("{names}: not a field that can be set on a case", field=unknown[0],
                              names=", ".join(unknown))
    with ws.operation("edit_case") as op:
        case = get_live(op.session, Case, case_id)
        plain = {k: v for k, v in values.items() if k in CASE_FIELDS}
        if any(k in values for k in LOCATION_FIELDS):
            plain["area_id"] = _area_for(op, case, {k: values.get(k) for k in LOCATION_FIELDS})
        op.update(case, **clean_case_fields(op.session, plain))
        if any(k in values for k in STAGE_FIELDS):
            stage = values.get("stage") or case.stage
            reason = values.get("closure_reason")
            if stage == "closed" and reason is None:
                reason = case.closure_reason
            apply_stage(op, case, stage, reason, values.get("closed_on") or case.closed_on)
        for category in values.get("needs") or ():
            _ensure_need(op, case.id, category)
        if any(k in values for k in CONSENT_FIELDS):
            _set_consent(op, ws.actor, case.id, values.get("consent_scope"), values.get("consent_given_on"))
        op.changes.primary_id = case.id
    return op.changes


def _area_for(op: Operation, case: Case, location: dict[str, Any]) -> str | None:
    """The area named by the location fields given, merged over the case's current area."""
    if not any(location.values()):
        return None
    current = op.session.get(Area, case.area_id) if case.area_id else None
    wanted = {k: (location[k] if location.get(k) is not None else (getattr(current, k) if current else "")) or ""
              for k in LOCATION_FIELDS}
    if location.get("municipality_code") or location.get("municipality"):
        # A new municipality: the old district does not come along unless named again.
        wanted["district"] = location.get("district") or ""
    conditions = [Area.deleted_at.is_(None), Area.district == wanted["district"]]
    if wanted["municipality_code"]:
        conditions.append(Area.municipality_code == wanted["municipality_code"])
    else:
        conditions.append(Area.municipality == wanted["municipality"])
    found = op.session.scalars(select(Area).where(*conditions).order_by(Area.created_at)).first()
    if found is not None:
        return found.id
    return op.add(Area, **wanted).id


def _ensure_need(op: Operation, case_id: str, category: str) -> None:
    check_vocab(NEED_CATEGORY, category, "needs")
    exists = op.session.scalar(select(Need.id).where(
        Need.case_id == case_id, Need.category == category, Need.deleted_at.is_(None)))
    if exists is None:
        op.add(Need, case_id=case_id, category=category, state="unmet")


def _set_consent(op: Operation, actor: str, case_id: str, scope: str | None, given_on: date | None) -> None:
    scope = check_vocab(CONSENT_SCOPE, scope or "none", "consent_scope")
    given = scope != "none"
    values = dict(given=given, scope=scope, given_on=(given_on or date.today()) if given else None,
                  recorded_by=actor)
    consent = op.session.scalar(select(Consent).where(Consent.case_id == case_id))
    if consent is None:
        op.add(Consent, case_id=case_id, **values)
    else:
        op.update(consent, **values)
