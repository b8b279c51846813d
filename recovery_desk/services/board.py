"""The shared task board's rules: claims and hand-overs between organisations, stale claims,
WIP limits, moving cards (one or many) with sparse positions, and renumbering a column
when its gaps run out.

Every write goes through ``ws.operation(...)`` (one transaction, one group of audit
records). Moving a card goes through :func:`recovery_desk.services.tasks.apply_status`,
which refuses "done while blocked" and names the blocking task.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from recovery_desk.domain.errors import ValidationError
from recovery_desk.domain.vocabulary import CLOSED_TASK_STATUSES, TASK_STATUS
from recovery_desk.services.cases import ensure_participation
from recovery_desk.services.changes import Changes
from recovery_desk.services.common import get_live
from recovery_desk.services.operation import Operation
from recovery_desk.services.tasks import POSITION_GAP, apply_status, end_position
from recovery_desk.services.validation import check_text, check_vocab
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.board_models import BoardSetting, TaskHandover
from recovery_desk.storage.models import Organisation, Task

DEFAULT_STALE_DAYS = 14
# Below this gap two neighbours can no longer be split reliably: renumber the column.
MIN_GAP = 1e-6


# -- settings --------------------------------------------------------------------------------
@dataclass
class BoardSettings:
    stale_days: int = DEFAULT_STALE_DAYS
    # (status, lane key) -> limit; lane "" is the whole column
    wip: dict[tuple[str, str], int] = field(default_factory=dict)

    def limit(self, status: str, lane: str = "") -> int | None:
        return self.wip.get((status, lane))


def load_settings(session: Any) -> BoardSettings:
    settings = BoardSettings()
    rows = session.execute(select(BoardSetting.key, BoardSetting.status, BoardSetting.lane, BoardSetting.value)
                           .where(BoardSetting.deleted_at.is_(None))).all()
    for key, status, lane, value in rows:
        if key == "stale_days":
            settings.stale_days = value
        elif key == "wip":
            settings.wip[(status, lane)] = value
    return settings


def _setting_row(op: Operation, key: str, status: str = "", lane: str = "") -> BoardSetting | None:
    return op.session.scalar(select(BoardSetting).where(
        BoardSetting.key == key, BoardSetting.status == status, BoardSetting.lane == lane,
        BoardSetting.deleted_at.is_(None)))


def _put_setting(op: Operation, key: str, value: int | None, status: str = "", lane: str = "") -> None:
    row = _setting_row(op, key, status, lane)
    if value is None:
        if row is not None:
            op.delete(row)
    elif row is None:
        op.add(BoardSetting, key=key, status=status, lane=lane, value=value)
    else:
        op.update(row, value=value)


def set_wip_limit(ws: Workspace, status: str, limit: int | None, lane: str = "") -> Changes:
    """Set (or clear, with None) the WIP limit of a column, or of one swimlane's cell."""
    check_vocab(TASK_STATUS, status, "status")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValidationError("{field} must be a whole number of at least 1", field="wip_limit")
    lane = check_text(lane, "lane", 80)
    with ws.operation("set_wip_limit") as op:
        _put_setting(op, "wip", limit, status, lane)
    return op.changes


def set_stale_days(ws: Workspace, days: int) -> Changes:
    if not isinstance(days, int) or days < 1:
        raise ValidationError("{field} must be a whole number of at least 1", field="stale_days")
    with ws.operation("set_stale_days") as op:
        _put_setting(op, "stale_days", days)
    return op.changes


def wip_exceeded(count: int, limit: int | None) -> bool:
    return limit is not None and count > limit


# -- stale claims ----------------------------------------------------------------------------
def last_touched(claimed_at: datetime | None, updated_at: datetime | None) -> datetime | None:
    values = [v for v in (claimed_at, updated_at) if v is not None]
    return max(values) if values else None


def is_stale(status: str, claimed_at: datetime | None, updated_at: datetime | None,
             now: datetime, stale_days: int) -> bool:
    """A claimed, open task nobody has touched for ``stale_days`` days."""
    if claimed_at is None or status in CLOSED_TASK_STATUSES:
        return False
    touched = last_touched(claimed_at, updated_at)
    return touched is not None and now - touched >= timedelta(days=stale_days)


def touched_since(cutoff: datetime) -> Any:
    """SQL condition on Task: one of its parts (checklist, comments, hand-overs) changed after ``cutoff``."""
    from sqlalchemy import exists, or_

    from recovery_desk.storage.models import ChecklistItem, Comment

    return or_(*(exists(select(part.id).where(part.task_id == Task.id, part.updated_at > cutoff))
                 for part in (ChecklistItem, Comment, TaskHandover)))


def stale_condition(now: datetime, stale_days: int) -> Any:
    """SQL condition on Task: claimed, open, and neither it nor its parts touched for ``stale_days``."""
    from sqlalchemy import and_, not_

    cutoff = now - timedelta(days=stale_days)
    return and_(Task.claimed_at.is_not(None), Task.status.not_in(CLOSED_TASK_STATUSES),
                Task.claimed_at <= cutoff, Task.updated_at <= cutoff, not_(touched_since(cutoff)))


def stale_task_ids(session: Any, now: datetime, stale_days: int | None = None) -> set[str]:
    """Ids of every stale task of the workspace (one query)."""
    days = stale_days if stale_days is not None else load_settings(session).stale_days
    return set(session.scalars(select(Task.id).where(
        Task.deleted_at.is_(None), Task.archived_at.is_(None), stale_condition(now, days))))


# -- claims and hand-overs -------------------------------------------------------------------
def _org_name(session: Any, org_id: str | None) -> str:
    org = session.get(Organisation, org_id) if org_id else None
    return org.name if org else ""


def _record(op: Operation, task: Task, kind: str, *, from_org: str | None = None, to_org: str | None = None,
            reason: str = "", state: str = "done", request_id: str | None = None) -> TaskHandover:
    return op.add(TaskHandover, task_id=task.id, kind=kind, from_org_id=from_org, to_org_id=to_org,
                  reason=reason, state=state, request_id=request_id)


def _open_requests(session: Any, task_id: str) -> list[TaskHandover]:
    return list(session.scalars(select(TaskHandover).where(
        TaskHandover.task_id == task_id, TaskHandover.kind == "request", TaskHandover.state == "open",
        TaskHandover.deleted_at.is_(None)).order_by(TaskHandover.created_at)))


def holder(task: Task) -> str | None:
    """The organisation that holds (has claimed) the task, if any."""
    return task.lead_org_id if task.claimed_at is not None else None


def claim_task(ws: Workspace, task_id: str, organisation_id: str) -> Changes:
    """``organisation`` takes the task on: it becomes the lead organisation and the holder."""
    with ws.operation("claim_task") as op:
        task = get_live(op.session, Task, task_id)
        get_live(op.session, Organisation, organisation_id)
        current = holder(task)
        if current == organisation_id:
            raise ValidationError("'{task}' is already held by {org}", field="organisation",
                                  task=task.title, org=_org_name(op.session, current))
        if current is not None:
            raise ValidationError(
                "'{task}' is held by {org}: ask them to hand it over", field="organisation",
                task=task.title, org=_org_name(op.session, current))
        if task.status in CLOSED_TASK_STATUSES:
            raise ValidationError("'{task}' is closed and cannot be claimed", field="status", task=task.title)
        previous = task.lead_org_id
        op.update(task, lead_org_id=organisation_id, claimed_at=op.at)
        ensure_participation(op, task.case_id, organisation_id, "implementer")
        op.changes.primary_id = _record(op, task, "claim", from_org=previous, to_org=organisation_id).id
    return op.changes


def release_task(ws: Workspace, task_id: str, reason: str) -> Changes:
    """The holder gives the task back, saying why; open hand-over requests lapse."""
    reason = check_text(reason, "reason", 2000, required=True)
    with ws.operation("release_task") as op:
        task = get_live(op.session, Task, task_id)
        current = holder(task)
        if current is None:
            raise ValidationError("'{task}' is not held by any organisation", field="organisation", task=task.title)
        op.update(task, lead_org_id=None, claimed_at=None)
        for request in _open_requests(op.session, task.id):
            op.update(request, state="withdrawn")
        op.changes.primary_id = _record(op, task, "release", from_org=current, reason=reason).id
    return op.changes


def request_handover(ws: Workspace, task_id: str, organisation_id: str, reason: str = "") -> Changes:
    """``organisation`` asks the holder to hand the task over."""
    reason = check_text(reason, "reason", 2000)
    with ws.operation("request_handover") as op:
        task = get_live(op.session, Task, task_id)
        get_live(op.session, Organisation, organisation_id)
        current = holder(task)
        if current is None:
            raise ValidationError("'{task}' is not held by any organisation: claim it instead",
                                  field="organisation", task=task.title)
        if current == organisation_id:
            raise ValidationError("'{task}' is already held by {org}", field="organisation",
                                  task=task.title, org=_org_name(op.session, current))
        if any(r.to_org_id == organisation_id for r in _open_requests(op.session, task.id)):
            raise ValidationError("{org} has already asked for '{task}'", field="organisation",
                                  task=task.title, org=_org_name(op.session, organisation_id))
        request = _record(op, task, "request", from_org=current, to_org=organisation_id, reason=reason, state="open")
        op.changes.primary_id = request.id
    return op.changes


def _answerable(op: Operation, request_id: str) -> tuple[TaskHandover, Task]:
    request = get_live(op.session, TaskHandover, request_id)
    if request.kind != "request" or request.state != "open":
        raise ValidationError("this hand-over request has already been answered", field="request")
    task = get_live(op.session, Task, request.task_id)
    if holder(task) != request.from_org_id:
        op.update(request, state="withdrawn")
        raise ValidationError("'{task}' changed hands since the request was made", field="request", task=task.title)
    return request, task


def accept_handover(ws: Workspace, request_id: str, reason: str = "") -> Changes:
    """The holder accepts: the requesting organisation now holds the task."""
    reason = check_text(reason, "reason", 2000)
    with ws.operation("accept_handover") as op:
        request, task = _answerable(op, request_id)
        op.update(request, state="accepted")
        op.update(task, lead_org_id=request.to_org_id, claimed_at=op.at)
        ensure_participation(op, task.case_id, request.to_org_id, "implementer")  # type: ignore[arg-type]
        if request.from_org_id:
            ensure_participation(op, task.case_id, request.from_org_id, "supporter")
        for other in _open_requests(op.session, task.id):
            op.update(other, state="withdrawn")
        op.changes.primary_id = _record(op, task, "accept", from_org=request.from_org_id, to_org=request.to_org_id,
                                        reason=reason, request_id=request.id).id
    return op.changes


def decline_handover(ws: Workspace, request_id: str, reason: str) -> Changes:
    """The holder declines, saying why; the task stays where it is."""
    reason = check_text(reason, "reason", 2000, required=True)
    with ws.operation("decline_handover") as op:
        request, task = _answerable(op, request_id)
        op.update(request, state="declined")
        op.changes.primary_id = _record(op, task, "decline", from_org=request.from_org_id, to_org=request.to_org_id,
                                        reason=reason, request_id=request.id).id
    return op.changes


def handover_history(session: Any, task_id: str) -> list[TaskHandover]:
    return list(session.scalars(select(TaskHandover).where(
        TaskHandover.task_id == task_id, TaskHandover.deleted_at.is_(None)).order_by(TaskHandover.created_at)))


def open_requests(session: Any, task_id: str) -> list[TaskHandover]:
    return _open_requests(session, task_id)


# -- moving cards ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Placement:
    """Where a task was (or should be): used for undo."""

    task_id: str
    status: str
    position: float


def _positions_between(above: float | None, below: float | None, count: int) -> list[float] | None:
    """``count`` evenly spaced positions strictly between the neighbours (None: no room)."""
    if above is None and below is None:
        return [POSITION_GAP * (i + 1) for i in range(count)]
    if above is None:
        assert below is not None
        if below > 0:
            low = 0.0
        else:
            low = below - POSITION_GAP * (count + 1)
        above = low
    if below is None:
        return [above + POSITION_GAP * (i + 1) for i in range(count)]
    step = (below - above) / (count + 1)
    if step < MIN_GAP:
        return None
    return [above + step * (i + 1) for i in range(count)]


def move_cards(ws: Workspace, task_ids: Sequence[str], status: str, *, above_id: str | None = None,
               below_id: str | None = None, column_ids: Sequence[str] = ()) -> Changes:
    """Move cards (in this order) into ``status`` between the cards ``above_id`` and ``below_id``.

    One drop of one card writes one row. When the neighbours are too close to split, the
    column (``column_ids``: the cards of the target column as the board shows them, moved
    cards excluded) is renumbered in the same operation. A rule-breaking move (done while
    blocked) refuses the whole drop and names the blocking task.
    """
    if not task_ids:
        raise ValidationError("{field} is required", field="tasks")
    check_vocab(TASK_STATUS, status, "status")
    moving = list(dict.fromkeys(task_ids))
    with ws.operation("move_tasks" if len(moving) > 1 else "move_task") as op:
        # Locked (on a server; in id order, so two drops never wait for each other's cards) and
        # read after the lock: a card someone else moved meanwhile is moved from where they left
        # it, instead of failing on its stale row version.
        locked = {tid: get_live(op.session, Task, tid, for_update=True) for tid in sorted(moving)}
        tasks = [locked[tid] for tid in moving]
        above = get_live(op.session, Task, above_id).position if above_id else None
        below = get_live(op.session, Task, below_id).position if below_id else None
        if above_id is None and below_id is None and column_ids:
            # dropped at the end of a non-empty column
            above = _max_position(op, column_ids, exclude=moving)
        if above is None and below is None:
            above = end_position(op.session, status) - POSITION_GAP
        positions = _positions_between(above, below, len(tasks))
        if positions is None:
            positions = _renumber(op, list(column_ids), moving, above_id, below_id)
        for task, position in zip(tasks, positions, strict=True):
            apply_status(op, task, status, position)
        op.changes.primary_id = tasks[0].id
    return op.changes


def _max_position(op: Operation, ids: Sequence[str], exclude: Sequence[str]) -> float | None:
    wanted = [i for i in ids if i not in set(exclude)]
    best: float | None = None
    for start in range(0, len(wanted), 30_000):
        rows = op.session.scalars(select(Task.position).where(Task.id.in_(wanted[start:start + 30_000]))).all()
        for value in rows:
            best = value if best is None else max(best, value)
    return best


def _renumber(op: Operation, column_ids: list[str], moving: list[str], above_id: str | None,
              below_id: str | None) -> list[float]:
    """Spread the column out again (gaps of POSITION_GAP); returns the moved cards' positions."""
    order = [i for i in column_ids if i not in set(moving)]
    if above_id is not None and above_id in order:
        at = order.index(above_id) + 1
    elif below_id is not None and below_id in order:
        at = order.index(below_id)
    else:
        at = len(order)
    order[at:at] = moving
    positions: dict[str, float] = {}
    for index, task_id in enumerate(order):
        positions[task_id] = POSITION_GAP * (index + 1)
        if task_id not in moving:
            task = get_live(op.session, Task, task_id)
            op.update(task, position=positions[task_id])
    return [positions[i] for i in moving]


def renumber_column(ws: Workspace, ordered_ids: Sequence[str]) -> Changes:
    """Give the cards of a column (in this order) positions POSITION_GAP apart."""
    with ws.operation("renumber_column") as op:
        for index, task_id in enumerate(dict.fromkeys(ordered_ids)):
            op.update(get_live(op.session, Task, task_id), position=POSITION_GAP * (index + 1))
    return op.changes


def bulk_move(ws: Workspace, task_ids: Sequence[str], status: str) -> Changes:
    """Move many cards to the end of a column at once (one operation; all or nothing)."""
    if not task_ids:
        raise ValidationError("{field} is required", field="tasks")
    check_vocab(TASK_STATUS, status, "status")
    with ws.operation("bulk_move") as op:
        start = end_position(op.session, status)
        for index, task_id in enumerate(dict.fromkeys(task_ids)):
            apply_status(op, get_live(op.session, Task, task_id), status, start + POSITION_GAP * index)
    return op.changes


def placements(session: Any, task_ids: Iterable[str]) -> list[Placement]:
    """Where these tasks are now (read before a move, so the move can be undone)."""
    out = []
    for task_id in task_ids:
        task = get_live(session, Task, task_id)
        out.append(Placement(task.id, task.status, task.position))
    return out


def restore_placements(ws: Workspace, items: Sequence[Placement]) -> Changes:
    """Put tasks back where they were (undo of a move); the status rules still apply."""
    with ws.operation("restore_placements") as op:
        for item in items:
            apply_status(op, get_live(op.session, Task, item.task_id), item.status, item.position)
    return op.changes
