"""What the signed-in person has to do: their tasks and their organisations', overdue
first, then due this week, then stale claims, then the rest; hand-overs waiting for their
answer; open cases where their organisation is the only sector at work.

The My work page and ``task list`` read it. A few set-based queries on indexed columns
(assignee, lead organisation, participations of the person's organisations): no query
per row, whatever the size of the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, distinct, func, or_, select

from recovery_desk.domain.vocabulary import CLOSED_STAGES, CLOSED_TASK_STATUSES, PESTOFF_SECTORS
from recovery_desk.services.board import is_stale, load_settings
from recovery_desk.services.identity import Identity
from recovery_desk.storage.board_models import TaskHandover
from recovery_desk.storage.models import Case, Organisation, Participation, Person, Task, utcnow

# The groups a task falls in, in the order the page shows them.
OVERDUE, DUE_SOON, STALE, OTHER = "overdue", "due_soon", "stale", "other"
GROUPS = (OVERDUE, DUE_SOON, STALE, OTHER)
FIRST_SCREEN = 60  # rows the page paints before the whole list has arrived


@dataclass(slots=True)
class WorkTask:
    id: str
    title: str
    case_id: str
    case_ref: str
    status: str
    lead: str
    assignee: str
    due_date: date | None
    group: str
    mine: bool  # assigned to me (not only held by my organisation)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "case": self.case_ref, "status": self.status,
                "lead": self.lead, "assignee": self.assignee,
                "due_date": self.due_date.isoformat() if self.due_date else None}


@dataclass(slots=True)
class WaitingHandover:
    request_id: str
    task_id: str
    task_title: str
    case_ref: str
    to_org: str  # who asks
    reason: str
    at: datetime


@dataclass(slots=True)
class LoneCase:
    id: str
    reference: str
    stage: str
    sector: str


@dataclass
class MyWork:
    identity: Identity | None
    tasks: list[WorkTask] = field(default_factory=list)
    handovers: list[WaitingHandover] = field(default_factory=list)
    lone_cases: list[LoneCase] = field(default_factory=list)
    today: date = field(default_factory=date.today)
    complete: bool = True  # False: the first screen of tasks only (counts not known yet)

    def count(self, group: str) -> int:
        return sum(1 for t in self.tasks if t.group == group)


def task_group(due: date | None, stale: bool, today: date) -> str:
    if due is not None and due < today:
        return OVERDUE
    if due is not None and due <= today + timedelta(days=7):
        return DUE_SOON
    return STALE if stale else OTHER


def mine_condition(me: Identity) -> Any:
    """SQL condition on Task: assigned to me or led by one of my organisations."""
    alternatives = []
    if me.person_id:
        alternatives.append(Task.assignee_id == me.person_id)
    if me.organisation_ids:
        alternatives.append(Task.lead_org_id.in_(me.organisation_ids))
    return or_(*alternatives) if alternatives else Task.id.is_(None)


def _group_order(today: date, cutoff: datetime) -> Any:
    """The groups of :func:`task_group` in SQL (0 overdue … 3 the rest), to sort and cut there."""
    return case(
        (Task.status.in_(CLOSED_TASK_STATUSES), 3),
        (and_(Task.due_date.is_not(None), Task.due_date < today), 0),
        (and_(Task.due_date.is_not(None), Task.due_date <= today + timedelta(days=7)), 1),
        (and_(Task.claimed_at.is_not(None), Task.claimed_at <= cutoff, Task.updated_at <= cutoff), 2),
        else_=3)


def task_rows(session: Any, conditions: list[Any], *, me: Identity | None, today: date,
              now: datetime | None = None, limit: int | None = None) -> list[WorkTask]:
    """Live, unarchived tasks matching ``conditions`` (on Task joined to Case), grouped and
    sorted: overdue, due this week, stale claims, the rest; by due date within a group.
    Sorted in SQL, so ``limit`` gives the first screen of the same list (first paint)."""
    now = now or utcnow()
    stale_days = load_settings(session).stale_days
    stmt = (select(Task.id, Task.title, Task.case_id, Case.reference, Task.status, Organisation.name, Person.name,
                   Task.due_date, Task.claimed_at, Task.updated_at, Task.assignee_id)
            .join(Case, Case.id == Task.case_id)
            .outerjoin(Organisation, Organisation.id == Task.lead_org_id)
            .outerjoin(Person, Person.id == Task.assignee_id)
            .where(Task.deleted_at.is_(None), Task.archived_at.is_(None), Case.deleted_at.is_(None), *conditions)
            .order_by(_group_order(today, now - timedelta(days=stale_days)), Task.due_date.is_(None),
                      Task.due_date, Case.reference, Task.title, Task.id)
            .limit(limit))
    my_id = me.person_id if me else None
    rows = []
    # Core execution on the session's connection: the same SQL without the ORM's result layer
    # (a third of the first screen's CPU on the 60,000-case demo; the page's first paint waits on it).
    for tid, title, case_id, ref, status, lead, assignee, due, claimed, updated, assignee_id in \
            session.connection().execute(stmt):
        stale = is_stale(status, claimed, updated, now, stale_days)
        group = task_group(due, stale, today) if status not in CLOSED_TASK_STATUSES else OTHER
        rows.append(WorkTask(tid, title, case_id, ref, status, lead or "", assignee or "", due, group,
                             bool(my_id) and assignee_id == my_id))
    return rows


def my_tasks(session: Any, me: Identity, today: date | None = None, now: datetime | None = None,
             limit: int | None = None) -> list[WorkTask]:
    """Every open, unarchived task assigned to me or led by my organisations, whatever the
    stage of its case (``task list --mine``); with ``limit``, the first ones."""
    return task_rows(session, [Task.status.not_in(CLOSED_TASK_STATUSES), mine_condition(me)], me=me,
                     today=today or date.today(), now=now, limit=limit)


def overdue_count(session: Any, me: Identity, today: date | None = None) -> int:
    """How many of my and my organisations' open tasks are overdue (My work's count in the sidebar)."""
    return session.scalar(
        select(func.count()).select_from(Task).join(Case, Case.id == Task.case_id)
        .where(Task.deleted_at.is_(None), Task.archived_at.is_(None), Case.deleted_at.is_(None),
               Task.status.not_in(CLOSED_TASK_STATUSES), Task.due_date < (today or date.today()),
               mine_condition(me))) or 0


def waiting_handovers(session: Any, me: Identity) -> list[WaitingHandover]:
    """Open hand-over requests for tasks my organisations hold: they wait for our answer."""
    if not me.organisation_ids:
        return []
    asker = Organisation.__table__.alias("asker")
    rows = session.execute(
        select(TaskHandover.id, Task.id, Task.title, Case.reference, asker.c.name, TaskHandover.reason,
               TaskHandover.created_at)
        .join(Task, Task.id == TaskHandover.task_id).join(Case, Case.id == Task.case_id)
        .outerjoin(asker, asker.c.id == TaskHandover.to_org_id)
        .where(TaskHandover.kind == "request", TaskHandover.state == "open", TaskHandover.deleted_at.is_(None),
               TaskHandover.from_org_id.in_(me.organisation_ids), Task.deleted_at.is_(None))
        .order_by(TaskHandover.created_at)).all()
    return [WaitingHandover(r[0], r[1], r[2], r[3], r[4] or "", r[5], r[6]) for r in rows]


def lone_sector_cases(session: Any, me: Identity, limit: int = 500) -> list[LoneCase]:
    """Open cases my organisations take part in where no organisation of another sector does."""
    if not me.organisation_ids:
        return []
    mine = (select(Participation.case_id).where(Participation.deleted_at.is_(None),
                                                 Participation.organisation_id.in_(me.organisation_ids)))
    sector = case((Organisation.sector.in_(PESTOFF_SECTORS), Organisation.sector), else_=Organisation.sector)
    per_case = (select(Participation.case_id.label("case_id"), func.count(distinct(sector)).label("n"),
                       func.min(sector).label("sector"))
                .join(Organisation, and_(Organisation.id == Participation.organisation_id,
                                         Organisation.deleted_at.is_(None)))
                .where(Participation.deleted_at.is_(None), Participation.case_id.in_(mine))
                .group_by(Participation.case_id).subquery())
    rows = session.execute(
        select(Case.id, Case.reference, Case.stage, per_case.c.sector)
        .join(per_case, per_case.c.case_id == Case.id)
        .where(per_case.c.n == 1, Case.deleted_at.is_(None), Case.stage.not_in(CLOSED_STAGES))
        .order_by(Case.sequence).limit(limit)).all()
    return [LoneCase(*r) for r in rows]


def load_my_work(session: Any, me: Identity | None, today: date | None = None,
                 now: datetime | None = None) -> MyWork:
    today = today or date.today()
    if me is None:
        return MyWork(None, today=today)
    return MyWork(me, my_tasks(session, me, today, now), waiting_handovers(session, me),
                  lone_sector_cases(session, me), today)


def first_screen(session: Any, me: Identity | None, today: date | None = None, limit: int = FIRST_SCREEN) -> MyWork:
    """The first rows of My work only (the page paints them, then loads the rest)."""
    today = today or date.today()
    if me is None:
        return MyWork(None, today=today)
    return MyWork(me, my_tasks(session, me, today, limit=limit), today=today, complete=False)
