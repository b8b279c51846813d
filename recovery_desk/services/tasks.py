"""Shared tasks on cases: status with the blocked-by rule, board positions, checklist,
comments, supporting organisations and dependencies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from recovery_desk.domain.errors import ValidationError
from recovery_desk.domain.vocabulary import (
    CLOSED_TASK_STATUSES,
    NEED_CATEGORY,
    PRIORITY,
    TASK_STATUS,
)
from recovery_desk.services.cases import ensure_participation
from recovery_desk.services.changes import Changes
from recovery_desk.services.common import get_live
from recovery_desk.services.operation import Operation
from recovery_desk.services.validation import check_date, check_text, check_vocab, reject_unknown
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import (
    Case,
    ChecklistItem,
    Comment,
    Organisation,
    Person,
    Task,
    TaskDependency,
    TaskSupporter,
)

# Planka's sparse positions: a card dropped between two others takes the midpoint,
# so a drop writes one row; the column is renumbered only when a gap is used up.
POSITION_GAP = 65536.0

TASK_FIELDS = frozenset({
    "title", "description", "need_category", "lead_org_id", "assignee_id", "due_date", "priority",
})


def clean_task_fields(session: Any, fields: dict[str, Any]) -> dict[str, Any]:
    reject_unknown(fields, TASK_FIELDS)
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "title":
            out[key] = check_text(value, key, 300, required=True)
        elif key == "description":
            out[key] = check_text(value, key, 20_000)
        elif key == "need_category":
            out[key] = check_vocab(NEED_CATEGORY, value, key, required=False)
        elif key == "priority":
            out[key] = check_vocab(PRIORITY, value, key)
        elif key == "due_date":
            out[key] = check_date(value, key)
        elif key == "lead_org_id":
            if value:
                get_live(session, Organisation, value)
            out[key] = value or None
        elif key == "assignee_id":
            if value:
                get_live(session, Person, value)
            out[key] = value or None
    return out


def end_position(session: Any, status: str) -> float:
    last = session.scalar(select(func.max(Task.position)).where(Task.status == status))
    return (last or 0.0) + POSITION_GAP


def position_between(above: float | None, below: float | None) -> float:
    """The position for a card dropped between ``above`` and ``below`` (either may be None)."""
    if above is None and below is None:
        return POSITION_GAP
    if above is None:
        return below / 2 if below > 0 else below - POSITION_GAP  # type: ignore[operator]
    if below is None:
        return above + POSITION_GAP
    return (above + below) / 2


def create_task(ws: Workspace, case_id: str, *, title: str, status: str = "received",
                supporter_ids: list[str] | tuple[str, ...] = (), **fields: Any) -> Changes:
    with ws.operation("create_task") as op:
        task = add_task(op, case_id, title=title, status=status, **fields)
        for org_id in dict.fromkeys(supporter_ids):
            _add_supporter(op, task, org_id)
        op.changes.primary_id = task.id
    return op.changes


def add_task(op: Operation, case_id: str, *, title: str, status: str = "received", **fields: Any) -> Task:
    """Create a task inside an existing operation (used by conference decisions too)."""
    get_live(op.session, Case, case_id)
    check_vocab(TASK_STATUS, status, "status")
    values = clean_task_fields(op.session, dict(title=title, **fields))
    if status == "done":
        raise ValidationError("a new task cannot start done", field="status")
    task = op.add(Task, case_id=case_id, status=status, position=end_position(op.session, status), **values)
    if task.lead_org_id:
        ensure_participation(op, case_id, task.lead_org_id, "implementer")
    return task


def update_task(ws: Workspace, task_id: str, **fields: Any) -> Changes:
    with ws.operation("update_task") as op:
        task = get_live(op.session, Task, task_id)
        values = clean_task_fields(op.session, fields)
        changed = op.update(task, **values)
        if "lead_org_id" in changed and task.lead_org_id:
            ensure_participation(op, task.case_id, task.lead_org_id, "implementer")
        op.changes.primary_id = task.id
    return op.changes


def open_blockers(session: Any, task_id: str) -> list[Task]:
    """Tasks that block this one and are still open."""
    return list(session.scalars(
        select(Task).join(TaskDependency, TaskDependency.blocked_by_id == Task.id).where(
            TaskDependency.task_id == task_id, TaskDependency.deleted_at.is_(None),
            Task.deleted_at.is_(None), Task.status.not_in(CLOSED_TASK_STATUSES))
    ))


def apply_status(op: Operation, task: Task, status: str, position: float | None = None) -> None:
    check_vocab(TASK_STATUS, status, "status")
    if status == "done" and task.status != "done":
        blockers = open_blockers(op.session, task.id)
        if blockers:
            blocker = blockers[0]
            blocker_case = op.session.get(Case, blocker.case_id)
            raise ValidationError(
                "'{task}' cannot be done: it is blocked by '{blocker}' ({reference}), which is still open",
                field="status", task=task.title, blocker=blocker.title,
                reference=blocker_case.reference if blocker_case else "",
            )
    values: dict[str, Any] = {"status": status}
    if status != task.status:
        values["position"] = position if position is not None else end_position(op.session, status)
        values["completed_at"] = op.at if status == "done" else None
    elif position is not None:
        values["position"] = position
    op.update(task, **values)


def move_task(ws: Workspace, task_id: str, status: str, position: float | None = None) -> Changes:
    """Move a card to a column (and a position in it); refuses a rule-breaking move."""
    with ws.operation("move_task") as op:
        task = get_live(op.session, Task, task_id)
        apply_status(op, task, status, position)
        op.changes.primary_id = task.id
    return op.changes


def archive_task(ws: Workspace, task_id: str, archived: bool = True) -> Changes:
    with ws.operation("archive_task") as op:
        task = get_live(op.session, Task, task_id)
        op.update(task, archived_at=op.at if archived else None)
        op.changes.primary_id = task.id
    return op.changes


def archive_tasks(ws: Workspace, task_ids: list[str] | tuple[str, ...], archived: bool = True) -> Changes:
    """Archive (or bring back) several cards at once: one transaction, one undo step."""
    if not task_ids:
        raise ValidationError("{field} is required", field="tasks")
    with ws.operation("archive_tasks" if len(task_ids) > 1 else "archive_task") as op:
        for task_id in dict.fromkeys(task_ids):
            task = get_live(op.session, Task, task_id)
            op.update(task, archived_at=op.at if archived else None)
        op.changes.primary_id = task_ids[0]
    return op.changes


def delete_task(ws: Workspace, task_id: str) -> Changes:
    with ws.operation("delete_task") as op:
        op.delete(get_live(op.session, Task, task_id))
    return op.changes


# -- dependencies ----------------------------------------------------------------------------
def add_dependency(ws: Workspace, task_id: str, blocked_by_id: str) -> Changes:
    with ws.operation("add_dependency") as op:
        task = get_live(op.session, Task, task_id)
        blocker = get_live(op.session, Task, blocked_by_id)
        if task.id == blocker.id:
            raise ValidationError("a task cannot be blocked by itself", field="blocked_by")
        if _reaches(op.session, blocker.id, task.id):
            raise ValidationError(
                "'{task}' cannot be blocked by '{blocker}': that would make a cycle",
                field="blocked_by", task=task.title, blocker=blocker.title)
        existing = op.session.scalar(select(TaskDependency).where(
            TaskDependency.task_id == task.id, TaskDependency.blocked_by_id == blocker.id,
            TaskDependency.deleted_at.is_(None)))
        if existing is None:
            existing = op.add(TaskDependency, task_id=task.id, blocked_by_id=blocker.id)
        op.changes.primary_id = existing.id
    return op.changes


def _reaches(session: Any, start_id: str, target_id: str) -> bool:
    """Whether ``start`` is (transitively) blocked by ``target``."""
    seen, frontier = {start_id}, [start_id]
    while frontier:
        rows = session.scalars(select(TaskDependency.blocked_by_id).where(
            TaskDependency.task_id.in_(frontier), TaskDependency.deleted_at.is_(None))).all()
        if target_id in rows:
            return True
        frontier = [r for r in rows if r not in seen]
        seen.update(frontier)
    return False


def remove_dependency(ws: Workspace, dependency_id: str) -> Changes:
    with ws.operation("remove_dependency") as op:
        op.delete(get_live(op.session, TaskDependency, dependency_id))
    return op.changes


# -- supporters, checklist, comments --------------------------------------------------------
def _add_supporter(op: Operation, task: Task, organisation_id: str) -> TaskSupporter:
    get_live(op.session, Organisation, organisation_id)
    existing = op.session.scalar(select(TaskSupporter).where(
        TaskSupporter.task_id == task.id, TaskSupporter.organisation_id == organisation_id,
        TaskSupporter.deleted_at.is_(None)))
    if existing is None:
        existing = op.add(TaskSupporter, task_id=task.id, organisation_id=organisation_id)
        ensure_participation(op, task.case_id, organisation_id, "supporter")
    return existing


def add_supporter(ws: Workspace, task_id: str, organisation_id: str) -> Changes:
    with ws.operation("add_supporter") as op:
        op.changes.primary_id = _add_supporter(op, get_live(op.session, Task, task_id), organisation_id).id
    return op.changes


def remove_supporter(ws: Workspace, supporter_id: str) -> Changes:
    with ws.operation("remove_supporter") as op:
        op.delete(get_live(op.session, TaskSupporter, supporter_id))
    return op.changes


def add_checklist_item(ws: Workspace, task_id: str, text: str) -> Changes:
    text = check_text(text, "text", 500, required=True)
    with ws.operation("add_checklist_item") as op:
        get_live(op.session, Task, task_id)
        last = op.session.scalar(select(func.max(ChecklistItem.position)).where(ChecklistItem.task_id == task_id))
        item = op.add(ChecklistItem, task_id=task_id, text=text, position=(last or 0.0) + POSITION_GAP)
        op.changes.primary_id = item.id
    return op.changes


def set_checklist_item(ws: Workspace, item_id: str, *, done: bool | None = None, text: str | None = None) -> Changes:
    with ws.operation("set_checklist_item") as op:
        item = get_live(op.session, ChecklistItem, item_id)
        values: dict[str, Any] = {}
        if done is not None:
            values["done"] = bool(done)
        if text is not None:
            values["text"] = check_text(text, "text", 500, required=True)
        op.update(item, **values)
        op.changes.primary_id = item.id
    return op.changes


def remove_checklist_item(ws: Workspace, item_id: str) -> Changes:
    with ws.operation("remove_checklist_item") as op:
        op.delete(get_live(op.session, ChecklistItem, item_id))
    return op.changes


def add_comment(ws: Workspace, task_id: str, body: str) -> Changes:
    body = check_text(body, "body", 20_000, required=True)
    with ws.operation("add_comment") as op:
        get_live(op.session, Task, task_id)
        comment = op.add(Comment, task_id=task_id, author=ws.actor, body=body)
        op.changes.primary_id = comment.id
    return op.changes
