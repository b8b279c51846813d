"""Loading the board: the cards of a scope (one case, or every case matching a query),
grouped into swimlanes, in a handful of set-based queries — never one query per card.

The scope query is the cases query language (:mod:`recovery_desk.services.search`) plus
task fields::

    status:in_progress,blocked  assignee:山田  due:<2024-02-01  org:社協  sector:community
    need:housing_repair  priority:urgent  case:NANAO-0042  is:overdue / stale / blocked / unclaimed / untaken

``org:`` and ``sector:`` mean the task's lead or supporting organisations; ``need:`` and
``priority:`` are the task's own. Every other field is a case field. Free text matches the
task title and the case reference. Archived and deleted tasks are never loaded; done and
cancelled cards are loaded only when their columns are expanded (otherwise only counted).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, exists, func, literal_column, not_, or_, select

from recovery_desk.domain.vocabulary import (
    CLOSED_TASK_STATUSES,
    NEED_CATEGORY,
    PRIORITY,
    SECTOR,
    TASK_STATUS,
)
from recovery_desk.i18n import tr
from recovery_desk.services import search
from recovery_desk.services.audit import bulk_creations
from recovery_desk.services.board import BoardSettings, is_stale, load_settings, stale_condition
from recovery_desk.storage.board_models import TaskHandover
from recovery_desk.storage.models import (
    Activity,
    Case,
    ChecklistItem,
    Comment,
    Organisation,
    Person,
    Task,
    TaskDependency,
    TaskSupporter,
    utcnow,
)

STATUSES: tuple[str, ...] = tuple(TASK_STATUS.codes)
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s not in CLOSED_TASK_STATUSES)
LANE_MODES = ("none", "org", "sector", "case", "need")
TASK_FIELDS = ("status", "assignee", "due", "org", "sector", "need", "priority", "case")
BOARD_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(TASK_FIELDS + search.CASE_FIELDS))
BOARD_FLAGS = ("overdue", "stale", "blocked", "unclaimed", "unmet", "untaken")
CHUNK = 30_000  # SQLite 3.32+ accepts 32,766 bound parameters


@dataclass(slots=True)
class Card:
    id: str
    title: str
    case_id: str
    case_ref: str
    need: str | None
    status: str
    position: float
    priority: str
    due_date: date | None
    lead_org_id: str | None
    lead_org: str
    lead_sector: str | None
    assignee: str
    claimed_at: datetime | None
    updated_at: datetime | None
    supporters: tuple[str, ...] = ()
    blocked_by: tuple[str, ...] = ()  # titles of the open tasks blocking this one
    checklist_done: int = 0
    checklist_total: int = 0
    requests: int = 0  # open hand-over requests
    overdue: bool = False
    stale: bool = False

    @property
    def claimed(self) -> bool:
        return self.claimed_at is not None


@dataclass
class BoardScope:
    query: str = ""
    case_id: str | None = None
    show_closed: bool = False


@dataclass
class BoardData:
    cards: list[Card]
    settings: BoardSettings
    closed_counts: dict[str, int] = field(default_factory=dict)  # when done/cancelled are collapsed
    today: date = field(default_factory=date.today)


def parse_board_query(text: str) -> search.Query:
    return search.parse_query(text, BOARD_FIELDS, BOARD_FLAGS)


def board_conditions(query: search.Query | str, *, today: date, now: datetime,
                     settings: BoardSettings | None = None, me: Any = None) -> list[Any]:
    """SQL conditions on Task (joined to Case) for a board query; ``me`` (an identity) gives
    ``assignee:me`` and ``org:my-org`` their meaning."""
    if isinstance(query, str):
        query = parse_board_query(query)
    conditions: list[Any] = []
    case_terms: list[search.Term] = []
    for term in query.terms:
        name = term.field
        cond: Any
        if name is None:
            like = f"%{search.escape_like(term.value)}%"
            cond = or_(Task.title.ilike(like, escape="\\"), Case.reference.ilike(like, escape="\\"))
        elif name == "status":
            cond = Task.status.in_(search.resolve_vocab(TASK_STATUS, term))
        elif name == "need":
            cond = Task.need_category.in_(search.resolve_vocab(NEED_CATEGORY, term))
        elif name == "priority":
            cond = Task.priority.in_(search.resolve_vocab(PRIORITY, term))
        elif name == "case":
            cond = or_(*(Case.reference.ilike(v) for v in term.values))
        elif name == "assignee":
            cond = Task.assignee_id.in_(select(Person.id).where(search.person_matches(term, me)))
        elif name == "due":
            day = search.parse_date_value(term)
            cond = {":": Task.due_date == day, "=": Task.due_date == day, "<": Task.due_date < day,
                    "<=": Task.due_date <= day, ">": Task.due_date > day, ">=": Task.due_date >= day}[term.op]
        elif name in ("org", "sector"):
            if name == "org":
                org_ids = select(Organisation.id).where(Organisation.deleted_at.is_(None),
                                                        search.organisation_matches(term, me))
            else:
                org_ids = select(Organisation.id).where(
                    Organisation.deleted_at.is_(None), Organisation.sector.in_(search.resolve_vocab(SECTOR, term)))
            cond = or_(Task.lead_org_id.in_(org_ids), exists(select(TaskSupporter.id).where(
                TaskSupporter.task_id == Task.id, TaskSupporter.deleted_at.is_(None),
                TaskSupporter.organisation_id.in_(org_ids))))
        elif name == "is" and term.value == "overdue":
            cond = and_(Task.due_date.is_not(None), Task.due_date < today, Task.status.not_in(CLOSED_TASK_STATUSES))
        elif name == "is" and term.value == "blocked":
            blocker = Task.__table__.alias("blocker")
            cond = exists(select(TaskDependency.id).join(blocker, blocker.c.id == TaskDependency.blocked_by_id).where(
                TaskDependency.task_id == Task.id, TaskDependency.deleted_at.is_(None),
                blocker.c.deleted_at.is_(None), blocker.c.status.not_in(CLOSED_TASK_STATUSES)))
        elif name == "is" and term.value == "unclaimed":
            cond = Task.claimed_at.is_(None)
        elif name == "is" and term.value == "untaken":  # cards of needs no organisation leads a task for
            cond = and_(Task.need_category.is_not(None), not_(search.has_taker(Task.case_id, Task.need_category)))
        elif name == "is" and term.value == "stale":
            cond = stale_condition(now, (settings or BoardSettings()).stale_days)
        else:
            case_terms.append(term)
            continue
        conditions.append(not_(cond) if term.negated else cond)
    if case_terms:
        case_ids = select(Case.id).where(*search.case_conditions(search.Query(case_terms), today, me))
        conditions.append(Task.case_id.in_(case_ids))
    return conditions


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def load_board(session: Any, scope: BoardScope, *, today: date | None = None,
               now: datetime | None = None, me: Any = None) -> BoardData:
    """The cards of ``scope`` with everything a card shows (a few set-based queries)."""
    today = today or date.today()
    now = now or utcnow()
    settings = load_settings(session)
    where: list[Any] = [Task.deleted_at.is_(None), Task.archived_at.is_(None), Case.deleted_at.is_(None)]
    if scope.case_id:
        where.append(Task.case_id == scope.case_id)
    by_case = scope.case_id is not None
    if scope.query.strip():
        query = parse_board_query(scope.query)
        where += board_conditions(query, today=today, now=now, settings=settings, me=me)
        by_case = by_case or any(t.field not in TASK_FIELDS and t.field != "is" and not t.negated
                                 for t in query.filters)
    statuses = STATUSES if scope.show_closed else OPEN_STATUSES
    # When cases narrow the scope, let SQLite start from the cases (ix_task_case_id) rather
    # than from the status index (which would visit every open task of the workspace).
    status_col: Any = Task.status.op("||")(literal_column("''")) if by_case else Task.status
    closed_counts: dict[str, int] = {}
    if not scope.show_closed:
        rows = session.execute(
            select(Task.status, func.count()).join(Case, Case.id == Task.case_id)
            .outerjoin(Organisation, Organisation.id == Task.lead_org_id)
            .where(*where, status_col.in_(CLOSED_TASK_STATUSES)).group_by(Task.status)).all()
        closed_counts = {s: 0 for s in CLOSED_TASK_STATUSES} | {s: n for s, n in rows}
    stmt = (
        select(Task.id, Task.title, Task.case_id, Case.reference, Task.need_category, Task.status, Task.position,
               Task.priority, Task.due_date, Task.lead_org_id, Organisation.name, Organisation.sector,
               Person.name, Task.claimed_at, Task.updated_at)
        .join(Case, Case.id == Task.case_id)
        .outerjoin(Organisation, Organisation.id == Task.lead_org_id)
        .outerjoin(Person, Person.id == Task.assignee_id)
        .where(*where, status_col.in_(statuses))
        .order_by(Task.position)
    )
    cards = []
    stale_days = settings.stale_days
    for (tid, title, case_id, ref, need, status, position, priority, due, org_id, org_name, sector, person,
         claimed_at, updated_at) in session.execute(stmt):
        closed = status in CLOSED_TASK_STATUSES
        cards.append(Card(
            tid, title, case_id, ref, need, status, position, priority, due, org_id, org_name or "", sector,
            person or "", claimed_at, updated_at,
            overdue=due is not None and not closed and due < today,
            stale=is_stale(status, claimed_at, updated_at, now, stale_days),
        ))
    _add_details(session, cards)
    _clear_touched(session, [c for c in cards if c.stale], now - timedelta(days=stale_days))
    return BoardData(cards, settings, closed_counts, today)


def _clear_touched(session: Any, candidates: list[Card], cutoff: datetime) -> None:
    """A claim is not stale when its checklist, comments or hand-overs changed since ``cutoff``."""
    if not candidates:
        return
    by_id = {c.id: c for c in candidates}
    ids = list(by_id)
    for chunk in _chunks(ids):
        for part in (ChecklistItem, Comment, TaskHandover):
            for task_id in session.scalars(select(part.task_id).where(
                    part.task_id.in_(chunk), part.updated_at > cutoff).distinct()):
                by_id[task_id].stale = False


def _add_details(session: Any, cards: list[Card]) -> None:
    """Supporters, checklist progress, open blockers and open requests, one query each."""
    by_id = {c.id: c for c in cards}
    ids = list(by_id)
    supporters: dict[str, list[str]] = defaultdict(list)
    blockers: dict[str, list[str]] = defaultdict(list)
    blocker = Task.__table__.alias("blocker")
    for chunk in _chunks(ids):
        for task_id, name, acronym in session.execute(
                select(TaskSupporter.task_id, Organisation.name, Organisation.acronym)
                .join(Organisation, Organisation.id == TaskSupporter.organisation_id)
                .where(TaskSupporter.task_id.in_(chunk), TaskSupporter.deleted_at.is_(None))
                .order_by(Organisation.name)):
            supporters[task_id].append(acronym or name)
        for task_id, total, done in session.execute(
                select(ChecklistItem.task_id, func.count(), func.sum(ChecklistItem.done.cast(Integer)))
                .where(ChecklistItem.task_id.in_(chunk), ChecklistItem.deleted_at.is_(None))
                .group_by(ChecklistItem.task_id)):
            card = by_id[task_id]
            card.checklist_total, card.checklist_done = total, int(done or 0)
        for task_id, title in session.execute(
                select(TaskDependency.task_id, blocker.c.title)
                .join(blocker, blocker.c.id == TaskDependency.blocked_by_id)
                .where(TaskDependency.task_id.in_(chunk), TaskDependency.deleted_at.is_(None),
                       blocker.c.deleted_at.is_(None), blocker.c.status.not_in(CLOSED_TASK_STATUSES))):
            blockers[task_id].append(title)
        for task_id, count in session.execute(
                select(TaskHandover.task_id, func.count())
                .where(TaskHandover.task_id.in_(chunk), TaskHandover.kind == "request",
                       TaskHandover.state == "open", TaskHandover.deleted_at.is_(None))
                .group_by(TaskHandover.task_id)):
            by_id[task_id].requests = count
    for task_id, names in supporters.items():
        by_id[task_id].supporters = tuple(names)
    for task_id, titles in blockers.items():
        by_id[task_id].blocked_by = tuple(titles)


# -- swimlanes ---------------------------------------------------------------------------------
@dataclass
class Lane:
    key: str
    label: str
    sector: str | None = None  # for the lane header's colour
    cells: dict[str, list[Card]] = field(default_factory=dict)

    def count(self, statuses: Iterable[str] | None = None) -> int:
        return sum(len(self.cells.get(s, ())) for s in (statuses or self.cells))


def lane_key(card: Card, mode: str) -> str:
    if mode == "org":
        return card.lead_org_id or ""
    if mode == "sector":
        return card.lead_sector or ""
    if mode == "case":
        return card.case_id
    if mode == "need":
        return card.need or ""
    return ""


def _lane_label(card: Card, mode: str, lang: str) -> str:
    if mode == "org":
        return card.lead_org or tr("No organisation", lang)
    if mode == "sector":
        return SECTOR.label(card.lead_sector, lang) if card.lead_sector else tr("No organisation", lang)
    if mode == "case":
        return card.case_ref
    if mode == "need":
        return NEED_CATEGORY.label(card.need, lang) if card.need else tr("No need category", lang)
    return tr("All cards", lang)


def group_lanes(cards: Sequence[Card], mode: str, lang: str = "en",
                statuses: Sequence[str] = STATUSES) -> list[Lane]:
    """Cards into swimlanes (each a dict status -> cards in board order); empty lanes omitted."""
    lanes: dict[str, Lane] = {}
    for card in cards:
        key = lane_key(card, mode)
        lane = lanes.get(key)
        if lane is None:
            lane = lanes[key] = Lane(key, _lane_label(card, mode, lang),
                                     card.lead_sector if mode in ("sector", "org") else None,
                                     {s: [] for s in statuses})
        cell = lane.cells.get(card.status)
        if cell is not None:
            cell.append(card)
    for lane in lanes.values():
        for cell in lane.cells.values():
            cell.sort(key=lambda c: c.position)
    if mode == "none" and not lanes:
        lanes[""] = Lane("", tr("All cards", lang), None, {s: [] for s in statuses})
    return sorted(lanes.values(), key=lambda lane: _lane_order(lane, mode))


def _lane_order(lane: Lane, mode: str) -> tuple:
    empty = lane.key == ""
    if mode == "sector":
        codes = SECTOR.codes
        return (empty, codes.index(lane.key) if lane.key in codes else len(codes), lane.label)
    if mode == "need":
        codes = NEED_CATEGORY.codes
        return (empty, codes.index(lane.key) if lane.key in codes else len(codes))
    return (empty, lane.label)


# -- the card editor ---------------------------------------------------------------------------
@dataclass
class CardDetail:
    task: dict[str, Any]
    case_ref: str
    supporters: list[tuple[str, str, str]]  # (supporter row id, organisation id, name)
    checklist: list[tuple[str, str, bool]]  # (id, text, done)
    comments: list[tuple[str, datetime, str, str]]  # (id, when, author, body)
    blocked_by: list[tuple[str, str, str, str]]  # (dependency id, task id, title, status)
    handovers: list[dict[str, Any]]
    open_requests: list[dict[str, Any]]
    history: list[tuple[datetime, str, str, str, str | None, str | None, str | None]]
    organisations: list[tuple[str, str, str]]  # (id, name, sector) of every live organisation
    people: list[tuple[str, str]]
    case_tasks: list[tuple[str, str, str]]  # (id, title, status): candidates for blocked-by


def load_card(session: Any, task_id: str) -> CardDetail:
    """Everything the card editor shows, for one task."""
    from recovery_desk.services.common import get_live

    task = get_live(session, Task, task_id)
    case = session.get(Case, task.case_id)
    orgs = session.execute(select(Organisation.id, Organisation.name, Organisation.sector)
                           .where(Organisation.deleted_at.is_(None)).order_by(Organisation.name)).all()
    org_names = {o[0]: o[1] for o in orgs}
    supporters = session.execute(
        select(TaskSupporter.id, TaskSupporter.organisation_id).where(
            TaskSupporter.task_id == task_id, TaskSupporter.deleted_at.is_(None))).all()
    checklist = session.execute(
        select(ChecklistItem.id, ChecklistItem.text, ChecklistItem.done).where(
            ChecklistItem.task_id == task_id, ChecklistItem.deleted_at.is_(None)).order_by(ChecklistItem.position)).all()
    comments = session.execute(
        select(Comment.id, Comment.created_at, Comment.author, Comment.body).where(
            Comment.task_id == task_id, Comment.deleted_at.is_(None)).order_by(Comment.created_at)).all()
    blocker = Task.__table__.alias("blocker")
    blocked_by = session.execute(
        select(TaskDependency.id, blocker.c.id, blocker.c.title, blocker.c.status)
        .join(blocker, blocker.c.id == TaskDependency.blocked_by_id)
        .where(TaskDependency.task_id == task_id, TaskDependency.deleted_at.is_(None),
               blocker.c.deleted_at.is_(None))).all()
    handover_rows = session.scalars(select(TaskHandover).where(
        TaskHandover.task_id == task_id, TaskHandover.deleted_at.is_(None)).order_by(TaskHandover.created_at)).all()
    handovers = [dict(id=h.id, at=h.created_at, kind=h.kind, from_org=org_names.get(h.from_org_id or "", ""),
                      to_org=org_names.get(h.to_org_id or "", ""), reason=h.reason, state=h.state)
                 for h in handover_rows]
    # The card's history: its own audit rows and those of its parts (one indexed query each).
    parts = {"task": [task_id], "task_supporter": [r[0] for r in supporters],
             "checklist_item": [r[0] for r in checklist], "comment": [r[0] for r in comments],
             "task_dependency": [r[0] for r in blocked_by], "task_handover": [h.id for h in handover_rows]}
    history: list[Any] = []
    recorded: set[tuple[str, str]] = set()  # rows with a creation record of their own
    creators: list[Any] = []
    for entity, ids in parts.items():
        if ids:
            for row in session.execute(
                select(Activity.at, Activity.actor, Activity.entity, Activity.action, Activity.field,
                       Activity.old_value, Activity.new_value, Activity.entity_id)
                .where(Activity.entity == entity, Activity.entity_id.in_(ids))):
                history.append(tuple(row[:7]))
                if row.action == "create":
                    recorded.add((entity, row.entity_id))
                    creators.append(tuple(row))
    history += [(a.at, a.actor, a.entity, a.action, a.field, a.old_value, a.new_value)
                for a in bulk_creations(session, parts) if (a.entity, a.entity_id) not in recorded]
    # Who took each claim / hand-over step: the person its creation record names.
    by = {row[7]: row[1] for row in creators if row[2] == "task_handover"}
    for h in handovers:
        h["by"] = by.get(h["id"], "")
    history.sort(key=lambda r: (r[0], r[2]), reverse=True)
    people = session.execute(select(Person.id, Person.name).where(Person.deleted_at.is_(None))
                             .order_by(Person.name)).all()
    case_tasks = session.execute(select(Task.id, Task.title, Task.status).where(
        Task.case_id == task.case_id, Task.id != task_id, Task.deleted_at.is_(None),
        Task.archived_at.is_(None)).order_by(Task.created_at)).all()
    return CardDetail(
        task=task.values(), case_ref=case.reference if case else "",
        supporters=[(sid, oid, org_names.get(oid, "")) for sid, oid in supporters],
        checklist=[tuple(r) for r in checklist], comments=[tuple(r) for r in comments],
        blocked_by=[tuple(r) for r in blocked_by], handovers=handovers,
        open_requests=[h for h in handovers if h["kind"] == "request" and h["state"] == "open"],
        history=[tuple(r) for r in history], organisations=[tuple(o) for o in orgs],
        people=[tuple(p) for p in people], case_tasks=[tuple(t) for t in case_tasks],
    )
