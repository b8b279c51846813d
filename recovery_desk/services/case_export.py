"""Cases as plain, JSON-ready dictionaries (``case list --json``): vocabulary values as codes.

Set-based (a handful of queries for any number of cases). Personal data (contact name,
phone, address) only when asked for, and then only for cases whose consent allows it, as in
exports; otherwise those keys are null.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from recovery_desk.services.cases import consent_allows_pii
from recovery_desk.services.search import case_conditions
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Area, Case, Consent, Need, Organisation, Participation

CHUNK = 500


def list_cases(ws: Workspace, query: str = "", *, include_deleted: bool = False, include_pii: bool = False,
               today: date | None = None) -> list[dict[str, Any]]:
    conditions = case_conditions(query, today, include_deleted=include_deleted)
    with ws.session() as s:
        rows = s.execute(select(Case, Area).outerjoin(Area, Area.id == Case.area_id)
                         .where(*conditions).order_by(Case.sequence, Case.reference)).all()
        ids = [c.id for c, _ in rows]
        needs: dict[str, dict[str, str]] = {}
        orgs: dict[str, dict[str, str]] = {}
        consents: dict[str, Consent] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            for case_id, category, state in s.execute(select(Need.case_id, Need.category, Need.state).where(
                    Need.case_id.in_(chunk), Need.deleted_at.is_(None))):
                needs.setdefault(case_id, {})[category] = state
            for case_id, name, role in s.execute(
                    select(Participation.case_id, Organisation.name, Participation.role)
                    .join(Organisation, Organisation.id == Participation.organisation_id)
                    .where(Participation.case_id.in_(chunk), Participation.deleted_at.is_(None))):
                orgs.setdefault(case_id, {})[name] = role
            if include_pii:
                consents.update((c.case_id, c) for c in s.scalars(select(Consent).where(Consent.case_id.in_(chunk))))
    out = []
    for case, area in rows:
        item: dict[str, Any] = {
            "reference": case.reference, "stage": case.stage, "priority": case.priority,
            "area": area.display_name() if area else "",
            "municipality_code": area.municipality_code if area else "",
            "deleted": case.deleted_at is not None,
            "damage_level": case.damage_level, "flood_level": case.flood_level,
            "support_class": case.support_class, "household_size": case.household_size,
            "closure_reason": case.closure_reason,
            "opened_on": case.opened_on.isoformat() if case.opened_on else None,
            "closed_on": case.closed_on.isoformat() if case.closed_on else None,
            "needs": needs.get(case.id, {}), "organisations": orgs.get(case.id, {}),
        }
        if include_pii:
            allowed = consent_allows_pii(consents.get(case.id), today)
            item.update(contact_name=case.contact_name if allowed else None,
                        contact_phone=case.contact_phone if allowed else None,
                        address=case.address if allowed else None)
        out.append(item)
    return out
