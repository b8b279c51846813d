"""A record of who saw what: every report, export or visit sheet that included personal
data is logged (who, when, what, how many households), for a coordinator to read.

The log lives in the workspace file (table ``disclosure``), is written in its own small
transaction after the file was written, and is not replicated: each laptop keeps the
record of what left it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from recovery_desk.i18n import tr
from recovery_desk.storage.models import Disclosure, utcnow

KINDS = ("report_incident", "report_case", "export_cases", "visit_sheet")


def kind_label(kind: str, lang: str | None = None) -> str:
    return {"report_incident": tr("incident report", lang), "report_case": tr("case report", lang),
            "export_cases": tr("cases export", lang), "visit_sheet": tr("visit sheet", lang)}.get(kind, kind)


def record_disclosure(ws: Any, kind: str, detail: str, households: int) -> None:
    """Log that ``households`` households' personal data went out in ``kind`` (nothing when 0)."""
    if households <= 0:
        return
    with ws.session() as session, session.begin():
        session.add(Disclosure(at=utcnow(), actor=ws.actor, actor_id=getattr(ws, "person_id", None), kind=kind,
                               detail=detail[:2000], households=households))


@dataclass(frozen=True)
class DisclosureRow:
    at: datetime
    actor: str
    kind: str
    detail: str
    households: int

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "who": self.actor, "kind": self.kind, "what": self.detail,
                "households": self.households}


def list_disclosures(session: Any, limit: int = 1000) -> tuple[int, list[DisclosureRow]]:
    """(total, the latest ``limit`` records, newest first)."""
    total = session.scalar(select(func.count()).select_from(Disclosure)) or 0
    rows = session.execute(select(Disclosure.at, Disclosure.actor, Disclosure.kind, Disclosure.detail,
                                  Disclosure.households).order_by(Disclosure.id.desc()).limit(limit)).all()
    return total, [DisclosureRow(*r) for r in rows]
