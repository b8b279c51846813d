"""The figures for code that holds a SQLAlchemy session (dashboard, reports), and the
SQL expressions the report lists share. The figures themselves are computed in one place,
:mod:`recovery_desk.services.figures`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from recovery_desk.domain.vocabulary import (
    OPEN_STAGES,
    PESTOFF_SECTORS,
)
from recovery_desk.services.figures import Period, compute_figures
from recovery_desk.storage.models import Case, Organisation, Participation

__all__ = ["LIVE_CASE", "OPEN_CASE", "Period", "compute_stats", "sectors_per_case"]


LIVE_CASE = Case.deleted_at.is_(None)
OPEN_CASE = Case.stage.in_(OPEN_STAGES)


def sectors_per_case(session: Session, *where: Any) -> Any:
    """A subquery: each live case with the number of distinct Pestoff sectors taking part."""
    sector = case((and_(Organisation.sector.in_(PESTOFF_SECTORS), Organisation.deleted_at.is_(None)),
                   Organisation.sector))
    return (
        select(Case.id.label("case_id"), func.count(distinct(sector)).label("sectors"))
        .select_from(Case)
        .outerjoin(Participation, and_(Participation.case_id == Case.id, Participation.deleted_at.is_(None)))
        .outerjoin(Organisation, Organisation.id == Participation.organisation_id)
        .where(LIVE_CASE, *where)
        .group_by(Case.id)
        .subquery()
    )


def compute_stats(session: Session, period: Period | None = None, today: date | None = None) -> dict[str, Any]:
    """Every figure of ``stats --json``, on the session's connection (see services.figures)."""
    return compute_figures(session.connection().connection.driver_connection, period, today)
