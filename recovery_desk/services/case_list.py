"""The rows of the cases table, set-based and lazy enough for 60,000 cases.

Two steps (after Anki's browser table): :func:`case_ids` returns only the ids of the
matching cases in sort order (one query; sorting happens in SQL), and :func:`case_rows`
fetches the displayed details for a window of ids (three queries, whatever the window
size; no query per row). The UI keeps the id list and asks for rows as they scroll in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from recovery_desk.domain.vocabulary import PESTOFF_SECTORS, PRIORITY, STAGE
from recovery_desk.services.search import Query, case_conditions
from recovery_desk.storage.models import Area, Case, Need, Organisation, Participation

COLUMNS: tuple[str, ...] = ("reference", "district", "stage", "priority", "unmet_needs", "lead_organisation",
                            "sectors", "last_activity")


@dataclass(frozen=True)
class CaseRow:
    id: str
    reference: str
    district: str
    municipality: str
    stage: str
    priority: str
    unmet_needs: int
    lead_organisation: str
    sectors: int
    last_activity: datetime | None
    contact_name: str

    def value(self, column: str) -> Any:
        return getattr(self, column)


def _order_index(column: Any, codes: Sequence[str]) -> Any:
    return case({code: i for i, code in enumerate(codes)}, value=column, else_=len(codes))


def _unmet_counts() -> Any:
    return (select(Need.case_id.label("case_id"), func.count().label("n"))
            .where(Need.deleted_at.is_(None), Need.state == "unmet").group_by(Need.case_id).subquery())


def _lead_names() -> Any:
    return (select(Participation.case_id.label("case_id"), func.min(Organisation.name).label("name"))
            .join(Organisation, Organisation.id == Participation.organisation_id)
            .where(Participation.deleted_at.is_(None), Participation.role == "lead",
                   Organisation.deleted_at.is_(None))
            .group_by(Participation.case_id).subquery())


def _sector_counts() -> Any:
    sector = case((Organisation.sector.in_(PESTOFF_SECTORS), Organisation.sector))
    return (select(Participation.case_id.label("case_id"), func.count(distinct(sector)).label("n"))
            .join(Organisation, and_(Organisation.id == Participation.organisation_id,
                                     Organisation.deleted_at.is_(None)))
            .where(Participation.deleted_at.is_(None)).group_by(Participation.case_id).subquery())


def case_ids(session: Session, query: Query | str = "", sort: str = "reference", descending: bool = False,
             today: date | None = None, limit: int | None = None, me: Any = None) -> list[str]:
    """Ids of the live cases matching ``query``, sorted in SQL by ``sort`` (a COLUMNS name);
    with ``limit``, only the first ones (the window's first screen, before the full list)."""
    stmt = select(Case.id).where(*case_conditions(query, today, me))
    if sort == "reference":
        key: Any = Case.sequence
    elif sort == "district":
        stmt = stmt.outerjoin(Area, Area.id == Case.area_id)
        key = func.coalesce(Area.district, "")
    elif sort == "stage":
        key = _order_index(Case.stage, STAGE.codes)
    elif sort == "priority":
        key = _order_index(Case.priority, PRIORITY.codes)
    elif sort == "unmet_needs":
        sub = _unmet_counts()
        stmt = stmt.outerjoin(sub, sub.c.case_id == Case.id)
        key = func.coalesce(sub.c.n, 0)
    elif sort == "lead_organisation":
        sub = _lead_names()
        stmt = stmt.outerjoin(sub, sub.c.case_id == Case.id)
        key = func.coalesce(sub.c.name, "")
    elif sort == "sectors":
        sub = _sector_counts()
        stmt = stmt.outerjoin(sub, sub.c.case_id == Case.id)
        key = func.coalesce(sub.c.n, 0)
    elif sort == "last_activity":
        key = Case.last_activity_at
    else:
        raise ValueError(f"unknown sort column {sort!r}")
    order = [key.desc(), Case.sequence.desc()] if descending else [key, Case.sequence]
    stmt = stmt.order_by(*order)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def case_rows(session: Session, ids: Sequence[str]) -> dict[str, CaseRow]:
    """The table's details of these cases (three queries for any number of ids)."""
    ids = list(ids)
    if not ids:
        return {}
    base = session.execute(
        select(Case.id, Case.reference, Area.district, Area.municipality, Case.stage, Case.priority,
               Case.last_activity_at, Case.contact_name)
        .outerjoin(Area, Area.id == Case.area_id).where(Case.id.in_(ids))
    ).all()
    unmet = dict(session.execute(
        select(Need.case_id, func.count()).where(Need.case_id.in_(ids), Need.deleted_at.is_(None),
                                                  Need.state == "unmet").group_by(Need.case_id)).all())
    leads: dict[str, list[str]] = {}
    sectors: dict[str, set[str]] = {}
    for case_id, role, name, sector in session.execute(
        select(Participation.case_id, Participation.role, Organisation.name, Organisation.sector)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Participation.case_id.in_(ids), Participation.deleted_at.is_(None), Organisation.deleted_at.is_(None))
    ):
        if role == "lead":
            leads.setdefault(case_id, []).append(name)
        if sector in PESTOFF_SECTORS:
            sectors.setdefault(case_id, set()).add(sector)
    return {
        cid: CaseRow(
            id=cid, reference=ref, district=district or "", municipality=municipality or "", stage=stage,
            priority=priority, unmet_needs=unmet.get(cid, 0),
            lead_organisation=min(leads[cid]) if cid in leads else "",
            sectors=len(sectors.get(cid, ())), last_activity=last, contact_name=contact or "",
        )
        for cid, ref, district, municipality, stage, priority, last, contact in base
    }
