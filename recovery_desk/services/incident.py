"""The incident's own dates: its start (the reports count "opened in the period" from it),
checked against the cases an import brings in; moving the start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from recovery_desk.i18n import tr
from recovery_desk.services.changes import Changes
from recovery_desk.services.validation import check_date


@dataclass(frozen=True)
class OpenedBeforeStart:
    """Cases (of an import) opened before the incident's start: the start is probably wrong
    (it defaults to the day the workspace was made), and the reports would count them nowhere."""

    count: int
    earliest: date
    start: date

    def message(self, lang: str | None = None) -> str:
        return tr("{count} of these cases were opened before the incident's start ({start}), the earliest on "
                  "{earliest}: the reports count \u201copened in the period\u201d from the start, so they "
                  "count none of them.", lang, count=self.count, start=self.start.isoformat(),
                  earliest=self.earliest.isoformat())


def opened_before_start(opened: list[date | None], start: date) -> OpenedBeforeStart | None:
    early = [d for d in opened if d is not None and d < start]
    return OpenedBeforeStart(len(early), min(early), start) if early else None


def move_start(ws: Any, new_start: date | str) -> Changes:
    """Set the (first) incident's start date, in one recorded operation."""
    start = check_date(new_start, "start_date", required=True)
    with ws.operation("move_incident_start") as op:
        incident = ws.default_incident(op.session)
        op.update(incident, start_date=start)
    return op.changes


def close_incident(ws: Any, end: date | str) -> Changes:
    """Record the incident's end (closing it); an end before the start is refused."""
    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.services.identity import require_coordinator

    require_coordinator(ws)
    end_date = check_date(end, "end_date", required=True)
    with ws.operation("close_incident") as op:
        incident = ws.default_incident(op.session)
        if end_date < incident.start_date:
            raise ValidationError("the incident cannot end ({end}) before it starts ({start})", end=end_date,
                                  start=incident.start_date)
        op.update(incident, end_date=end_date)
    return op.changes
