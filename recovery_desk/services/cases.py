"""Cases, their needs, participating organisations and consent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from recovery_desk.domain.errors import NotFoundError, ValidationError
from recovery_desk.domain.vocabulary import (
    CLOSURE_REASON,
    CONSENT_SCOPE,
    DAMAGE_LEVEL,
    FLOOD_LEVEL,
    NEED_CATEGORY,
    NEED_STATE,
    PRIORITY,
    ROLE,
    STAGE,
    SUPPORT_CLASS,
)
from recovery_desk.services.changes import Changes
from recovery_desk.services.common import check_based_on, get_live
from recovery_desk.services.operation import Operation
from recovery_desk.services.validation import (
    check_date,
    check_float,
    check_int,
    check_text,
    check_vocab,
    reject_unknown,
)
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import (
    Area,
    Case,
    Consent,
    Incident,
    Need,
    Organisation,
    Participation,
)

# Fields a user edits directly; stage goes through set_stage (closure rules).
CASE_FIELDS = frozenset({
    "area_id", "address", "latitude", "longitude", "contact_name", "contact_phone",
    "household_size", "vulnerable_members", "damage_level", "flood_level", "support_class",
    "priority", "notes", "opened_on", "vulnerable_categories",
})


def clean_vulnerability(value: Any) -> str:
    """Coded 要配慮者 categories (codes or English/Japanese labels; a list or text separated by
    spaces, commas or 、) as the stored text: known codes, sorted, space-separated."""
    from recovery_desk.domain.vocabulary import VULNERABILITY

    if value is None:
        return ""
    import re

    pieces = [str(v) for v in value] if isinstance(value, list | tuple | set) else re.split(r"[,、，;]", str(value))
    codes = set()
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        found = [VULNERABILITY.lookup(piece)]
        if found[0] is None:  # codes written with spaces between them
            found = [VULNERABILITY.lookup(word) for word in piece.split()]
        if None in found:
            raise ValidationError("'{value}' is not a vulnerability category; use one of: {known}",
                                  field="vulnerable_categories", value=piece, known=", ".join(VULNERABILITY.codes))
        codes.update(found)
    return " ".join(c for c in VULNERABILITY.codes if c in codes)


def clean_case_fields(session: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise editable case fields (raises ValidationError naming the field)."""
    reject_unknown(fields, CASE_FIELDS)
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "area_id":
            if value:
                get_live(session, Area, value)
            out[key] = value or None
        elif key in ("address", "contact_name", "contact_phone"):
            out[key] = check_text(value, key, 300 if key == "address" else 200)
        elif key in ("vulnerable_members", "notes"):
            out[key] = check_text(value, key, 20_000)
        elif key == "household_size":
            out[key] = check_int(value, key, minimum=1)
        elif key == "latitude":
            out[key] = check_float(value, key, low=-90, high=90)
        elif key == "longitude":
            out[key] = check_float(value, key, low=-180, high=180)
        elif key == "damage_level":
            out[key] = check_vocab(DAMAGE_LEVEL, value, key, required=False)
        elif key == "flood_level":
            out[key] = check_vocab(FLOOD_LEVEL, value, key, required=False)
        elif key == "support_class":
            out[key] = check_vocab(SUPPORT_CLASS, value, key, required=False)
        elif key == "priority":
            out[key] = check_vocab(PRIORITY, value, key)
        elif key == "opened_on":
            out[key] = check_date(value, key, required=True)
        elif key == "vulnerable_categories":
            out[key] = clean_vulnerability(value)
    return out


def next_reference(session: Any, incident: Incident) -> tuple[str, int]:
    """Unique across laptops: see services/sync/identity.py."""
    from recovery_desk.services.sync.identity import next_reference as laptop_reference

    return laptop_reference(session, incident)


def create_case(ws: Workspace, *, incident_id: str | None = None, stage: str = "identified", **fields: Any) -> Changes:
    with ws.operation("create_case") as op:
        s = op.session
        incident = get_live(s, Incident, incident_id) if incident_id else ws.default_incident(s)
        fields.setdefault("opened_on", date.today())
        values = clean_case_fields(s, fields)
        check_vocab(STAGE, stage, "stage")
        if stage == "closed":
            raise ValidationError("a new case cannot start closed", field="stage")
        reference, seq = next_reference(s, incident)
        case = op.add(Case, incident_id=incident.id, reference=reference, sequence=seq, stage=stage,
                      last_activity_at=op.at, **values)
        op.changes.primary_id = case.id
    return op.changes


def update_case(ws: Workspace, case_id: str, *, based_on: Mapping[str, Any] | None = None,
                **fields: Any) -> Changes:
    """Set fields of a case. ``based_on``: the values the editor read (see check_based_on)."""
    with ws.operation("update_case") as op:
        case = get_live(op.session, Case, case_id, for_update=based_on is not None)
        values = clean_case_fields(op.session, fields)
        check_based_on(case, based_on, values)
        op.update(case, **values)
        op.changes.primary_id = case.id
    return op.changes


def set_stage(ws: Workspace, case_id: str, stage: str, closure_reason: str | None = None,
              on: date | None = None) -> Changes:
    """Move a case to a stage. Closing needs a closure reason; reopening clears it."""
    with ws.operation("set_stage") as op:
        case = get_live(op.session, Case, case_id)
        apply_stage(op, case, stage, closure_reason, on)
        op.changes.primary_id = case.id
    return op.changes


def apply_stage(op: Operation, case: Case, stage: str, closure_reason: str | None, on: date | None = None) -> None:
    check_vocab(STAGE, stage, "stage")
    if stage == "closed":
        if not closure_reason:
            raise ValidationError(
                "case {reference}: closing a case needs a closure reason",
                field="closure_reason", reference=case.reference,
            )
        check_vocab(CLOSURE_REASON, closure_reason, "closure_reason")
        op.update(case, stage=stage, closure_reason=closure_reason, closed_on=on or date.today())
    else:
        if closure_reason:
            raise ValidationError("a closure reason is only given when closing a case", field="closure_reason")
        op.update(case, stage=stage, closure_reason=None, closed_on=None)


def delete_case(ws: Workspace, case_id: str) -> Changes:
    with ws.operation("delete_case") as op:
        op.delete(get_live(op.session, Case, case_id))
    return op.changes


def find_case(ws: Workspace, reference: str) -> Case:
    """A live case by its reference, or by the reference of a case merged into it."""
    from recovery_desk.storage.sync_models import CaseAlias

    with ws.session() as s:
        case = s.scalar(select(Case).where(Case.reference == reference.strip(), Case.deleted_at.is_(None)))
        if case is None:
            case = s.scalar(select(Case).join(CaseAlias, CaseAlias.case_id == Case.id).where(
                CaseAlias.reference == reference.strip(), CaseAlias.deleted_at.is_(None), Case.deleted_at.is_(None)))
    if case is None:
        raise NotFoundError("no case with reference {reference}", reference=reference)
    return case


# -- needs -----------------------------------------------------------------------------------
def set_need(ws: Workspace, case_id: str, category: str, state: str = "unmet", note: str = "") -> Changes:
    """Add a need to a case, or change its state (one live need per category)."""
    check_vocab(NEED_CATEGORY, category, "category")
    check_vocab(NEED_STATE, state, "state")
    note = check_text(note, "note", 5000)
    with ws.operation("set_need") as op:
        get_live(op.session, Case, case_id)
        need = op.session.scalar(select(Need).where(
            Need.case_id == case_id, Need.category == category, Need.deleted_at.is_(None)))
        if need is None:
            need = op.add(Need, case_id=case_id, category=category, state=state, note=note)
        else:
            op.update(need, state=state, note=note)
        op.changes.primary_id = need.id
    return op.changes


def remove_need(ws: Workspace, need_id: str) -> Changes:
    with ws.operation("remove_need") as op:
        op.delete(get_live(op.session, Need, need_id))
    return op.changes


# -- participation ---------------------------------------------------------------------------
def add_participation(ws: Workspace, case_id: str, organisation_id: str, role: str = "implementer") -> Changes:
    check_vocab(ROLE, role, "role")
    with ws.operation("add_participation") as op:
        ensure_participation(op, case_id, organisation_id, role)
    return op.changes


def ensure_participation(op: Operation, case_id: str, organisation_id: str, role: str) -> Participation:
    """The organisation's participation on the case, created (or its role set) as needed."""
    get_live(op.session, Case, case_id)
    get_live(op.session, Organisation, organisation_id)
    part = op.session.scalar(select(Participation).where(
        Participation.case_id == case_id, Participation.organisation_id == organisation_id,
        Participation.deleted_at.is_(None)))
    if part is None:
        part = op.add(Participation, case_id=case_id, organisation_id=organisation_id, role=role)
    elif role == "lead" and part.role != "lead":
        op.update(part, role=role)
    op.changes.primary_id = part.id
    return part


def set_participation_role(ws: Workspace, participation_id: str, role: str) -> Changes:
    check_vocab(ROLE, role, "role")
    with ws.operation("set_participation_role") as op:
        op.update(get_live(op.session, Participation, participation_id), role=role)
    return op.changes


def remove_participation(ws: Workspace, participation_id: str) -> Changes:
    with ws.operation("remove_participation") as op:
        op.delete(get_live(op.session, Participation, participation_id))
    return op.changes


# -- consent ---------------------------------------------------------------------------------
def set_consent(ws: Workspace, case_id: str, *, given: bool, scope: str = "coordination",
                given_on: date | str | None = None, expires_on: date | str | None = None) -> Changes:
    scope = check_vocab(CONSENT_SCOPE, scope if given else "none", "scope")
    start = check_date(given_on, "given_on") or (date.today() if given else None)
    end = check_date(expires_on, "expires_on")
    if start and end and end < start:
        raise ValidationError("the consent expires before it was given", field="expires_on")
    with ws.operation("set_consent") as op:
        get_live(op.session, Case, case_id)
        consent = op.session.scalar(select(Consent).where(Consent.case_id == case_id))
        values = dict(given=given, scope=scope, given_on=start, expires_on=end, recorded_by=ws.actor)
        if consent is None:
            consent = op.add(Consent, case_id=case_id, **values)
        else:
            op.update(consent, **values)
        op.changes.primary_id = consent.id
    return op.changes


def consent_allows_pii(consent: Consent | None, today: date | None = None) -> bool:
    """Personal data may appear in reports and exports only with this consent, unexpired
    (services/consent.py says what each scope lets through)."""
    from recovery_desk.services.consent import allows

    return allows(consent, "report", today)
