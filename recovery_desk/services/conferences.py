"""Case conferences (ケース会議): who attended, what was decided, and the tasks decided."""

from __future__ import annotations

from datetime import date
from typing import Any

from recovery_desk.services.changes import Changes
from recovery_desk.services.common import get_live
from recovery_desk.services.tasks import add_task
from recovery_desk.services.validation import check_date, check_text
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import (
    Case,
    Conference,
    ConferenceAttendee,
    Decision,
    Organisation,
    Person,
)


def create_conference(ws: Workspace, case_id: str, *, held_on: date | str, title: str = "", notes: str = "",
                      organisation_ids: list[str] | tuple[str, ...] = (),
                      person_ids: list[str] | tuple[str, ...] = ()) -> Changes:
    held = check_date(held_on, "held_on", required=True)
    title = check_text(title, "title", 200)
    notes = check_text(notes, "notes", 20_000)
    with ws.operation("create_conference") as op:
        get_live(op.session, Case, case_id)
        conf = op.add(Conference, case_id=case_id, held_on=held, title=title, notes=notes)
        for org_id in dict.fromkeys(organisation_ids):
            get_live(op.session, Organisation, org_id)
            op.add(ConferenceAttendee, conference_id=conf.id, organisation_id=org_id)
        for person_id in dict.fromkeys(person_ids):
            get_live(op.session, Person, person_id)
            op.add(ConferenceAttendee, conference_id=conf.id, person_id=person_id)
        op.changes.primary_id = conf.id
    return op.changes


def add_decision(ws: Workspace, conference_id: str, text: str, *, task: dict[str, Any] | None = None) -> Changes:
    """Record a decision; with ``task`` (title, lead_org_id, due_date…) it also creates that task."""
    text = check_text(text, "text", 5000, required=True)
    with ws.operation("add_decision") as op:
        conf = get_live(op.session, Conference, conference_id)
        task_id = None
        if task is not None:
            task_id = add_task(op, conf.case_id, **task).id
        decision = op.add(Decision, conference_id=conf.id, text=text, task_id=task_id)
        op.changes.primary_id = decision.id
    return op.changes
