"""The same household registered on two laptops: found after an exchange, merged by a person.

A likely duplicate is a pair of live cases with the same phone number, or the same contact
name and address (compared after width folding, case folding and without spaces). They are
listed apart from conflicts (``sync duplicates``); a coordinator merges them with
:func:`merge_cases`: the second case's needs, organisations, tasks, conferences and consent
move to the first (a need or organisation both have is kept once), its reference becomes an
alias of the first (the timeline and ``find_case`` still know it), and it is deleted. The
merge is ordinary changes, so it replicates like any other.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select

from recovery_desk.domain.errors import ValidationError
from recovery_desk.services.changes import Changes
from recovery_desk.services.common import get_live
from recovery_desk.services.sync.sql import run_sql
from recovery_desk.storage.models import Case, Conference, Consent, Need, Participation, Task
from recovery_desk.storage.sync_models import CaseAlias

_SPACE = re.compile(r"[\s\-‐－ー―()（）]+")


def _key(text: str | None) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def likely_duplicates(ws: Any) -> list[dict[str, Any]]:
    with ws.session() as s:
        rows = s.execute(select(Case.reference, Case.contact_name, Case.contact_phone, Case.address, Case.sequence)
                         .where(Case.deleted_at.is_(None)).order_by(Case.sequence, Case.reference)).all()
    groups: dict[tuple[str, str], list[str]] = {}
    for reference, name, phone, address, _ in rows:
        if len(_key(phone)) >= 6:
            groups.setdefault(("phone", _key(phone)), []).append(reference)
        if _key(name) and _key(address):
            groups.setdefault(("name_address", _key(name) + "|" + _key(address)), []).append(reference)
    pairs: dict[tuple[str, str], str] = {}
    for (reason, _), refs in groups.items():
        for i, first in enumerate(refs):
            for second in refs[i + 1:]:
                pairs.setdefault((first, second), reason)
    return [{"references": list(pair), "reason": reason} for pair, reason in sorted(pairs.items())]


def describe_pair(pair: dict[str, Any], lang: str | None = None) -> str:
    """A likely duplicate in a person's words (``sync duplicates``, the Conflicts page)."""
    from recovery_desk.i18n import tr

    first, second = pair["references"]
    if pair["reason"] == "phone":
        return tr("{first} and {second}: same phone number", lang, first=first, second=second)
    return tr("{first} and {second}: same name and address", lang, first=first, second=second)


def merge_cases(ws: Any, keep_id: str, other_id: str) -> Changes:
    """Merge case ``other_id`` into ``keep_id`` (see the module's documentation)."""
    if keep_id == other_id:
        raise ValidationError("a case cannot be merged into itself", field="reference")
    with ws.operation("merge_cases") as op:
        s = op.session
        keep = get_live(s, Case, keep_id)
        other = get_live(s, Case, other_id)
        kept_needs = {n.category for n in s.scalars(select(Need).where(Need.case_id == keep.id,
                                                                         Need.deleted_at.is_(None)))}
        for need in s.scalars(select(Need).where(Need.case_id == other.id, Need.deleted_at.is_(None))):
            if need.category in kept_needs:
                op.delete(need)
            else:
                op.update(need, case_id=keep.id)
        kept_orgs = {p.organisation_id for p in s.scalars(select(Participation).where(
            Participation.case_id == keep.id, Participation.deleted_at.is_(None)))}
        for part in s.scalars(select(Participation).where(Participation.case_id == other.id,
                                                          Participation.deleted_at.is_(None))):
            if part.organisation_id in kept_orgs:
                op.delete(part)
            else:
                op.update(part, case_id=keep.id)
        for model in (Task, Conference):
            for row in s.scalars(select(model).where(model.case_id == other.id, model.deleted_at.is_(None))):
                op.update(row, case_id=keep.id)
        consent = s.scalar(select(Consent).where(Consent.case_id == other.id, Consent.deleted_at.is_(None)))
        if consent is not None and s.scalar(select(Consent.id).where(Consent.case_id == keep.id)) is None:
            op.update(consent, case_id=keep.id)
        for alias in s.scalars(select(CaseAlias).where(CaseAlias.case_id == other.id, CaseAlias.deleted_at.is_(None))):
            op.update(alias, case_id=keep.id)
        op.add(CaseAlias, case_id=keep.id, reference=other.reference)
        follow_alias(s.connection(), keep.id, other.id)
        op.delete(other)
        op.changes.primary_id = keep.id
        op.changes.case_ids.update({keep.id, other.id})
    return op.changes


def follow_alias(conn: Any, keep_id: str, other_id: str) -> None:
    """The merged case's history shows in the kept case's timeline (here, and on every laptop
    that receives the alias)."""
    run_sql(conn, "UPDATE activity SET case_id = ? WHERE case_id = ?", (keep_id, other_id))
