"""The board's Qt-free rules: claims and hand-overs, stale claims, WIP limits, moves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from recovery_desk.domain.errors import ValidationError
from recovery_desk.services import board, tasks
from recovery_desk.services.board_query import BoardScope, group_lanes, load_board, load_card
from recovery_desk.services.cases import create_case
from recovery_desk.services.organisations import create_organisation
from recovery_desk.storage.board_models import TaskHandover
from recovery_desk.storage.models import Activity, Task

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


@pytest.fixture
def setup(workspace):
    ws = workspace
    case_id = create_case(ws).primary_id
    shakyo = create_organisation(ws, name="Nanao Shakyo", acronym="SHK").primary_id
    npo = create_organisation(ws, name="Mud NPO").primary_id
    city = create_organisation(ws, name="Nanao City", ownership="public").primary_id
    ids = [tasks.create_task(ws, case_id, title=f"Task {i}").primary_id for i in range(4)]
    return ws, case_id, (shakyo, npo, city), ids


def _task(ws, task_id) -> Task:
    with ws.session() as s:
        return s.get(Task, task_id)


def test_claim_release_request_accept_decline_are_each_recorded(setup):
    ws, _case, (shakyo, npo, city), ids = setup
    t = ids[0]
    board.claim_task(ws, t, shakyo)
    assert _task(ws, t).lead_org_id == shakyo and _task(ws, t).claimed_at is not None
    with pytest.raises(ValidationError, match="held by Nanao Shakyo"):
        board.claim_task(ws, t, npo)
    request = board.request_handover(ws, t, npo, "we have a crew nearby").primary_id
    with pytest.raises(ValidationError, match="already asked"):
        board.request_handover(ws, t, npo)
    with pytest.raises(ValidationError, match="reason is required"):
        board.decline_handover(ws, request, "")
    board.decline_handover(ws, request, "already scheduled")
    assert _task(ws, t).lead_org_id == shakyo
    with pytest.raises(ValidationError, match="already been answered"):
        board.accept_handover(ws, request)
    second = board.request_handover(ws, t, city).primary_id
    board.accept_handover(ws, second)
    assert _task(ws, t).lead_org_id == city
    board.release_task(ws, t, "no staff this week")
    task = _task(ws, t)
    assert task.lead_org_id is None and task.claimed_at is None
    with ws.session() as s:
        steps = [(h.kind, h.state) for h in board.handover_history(s, t)]
        audited = s.scalars(select(Activity.operation).where(Activity.entity == "task_handover")).all()
    assert steps == [("claim", "done"), ("request", "declined"), ("decline", "done"),
                     ("request", "accepted"), ("accept", "done"), ("release", "done")]
    assert {"claim_task", "decline_handover", "accept_handover", "release_task"} <= set(audited)


def test_release_needs_a_reason_and_a_holder(setup):
    ws, _case, (shakyo, _npo, _city), ids = setup
    with pytest.raises(ValidationError, match="not held"):
        board.release_task(ws, ids[0], "why")
    board.claim_task(ws, ids[0], shakyo)
    with pytest.raises(ValidationError, match="reason is required"):
        board.release_task(ws, ids[0], "  ")


def test_request_lapses_when_the_task_changes_hands(setup):
    ws, _case, (shakyo, npo, city), ids = setup
    board.claim_task(ws, ids[0], shakyo)
    request = board.request_handover(ws, ids[0], npo).primary_id
    board.release_task(ws, ids[0], "finished our part")
    with ws.session() as s:
        assert s.get(TaskHandover, request).state == "withdrawn"
    board.claim_task(ws, ids[0], city)
    with pytest.raises(ValidationError, match="already been answered"):
        board.accept_handover(ws, request)


def test_stale_claims_use_the_configured_days(setup):
    ws, _case, (shakyo, _npo, _city), ids = setup
    board.claim_task(ws, ids[0], shakyo)
    task = _task(ws, ids[0])
    now = task.claimed_at
    assert not board.is_stale(task.status, task.claimed_at, task.updated_at, now + timedelta(days=13), 14)
    assert board.is_stale(task.status, task.claimed_at, task.updated_at, now + timedelta(days=14), 14)
    with ws.session() as s:
        assert board.stale_task_ids(s, now + timedelta(days=15)) == {ids[0]}
    board.set_stale_days(ws, 30)
    with ws.session() as s:
        assert board.load_settings(s).stale_days == 30
        assert board.stale_task_ids(s, now + timedelta(days=15)) == set()
        data = load_board(s, BoardScope(), now=now + timedelta(days=31))
    assert [c.id for c in data.cards if c.stale] == [ids[0]]
    with pytest.raises(ValidationError):
        board.set_stale_days(ws, 0)


def test_wip_limits_per_column_and_lane(setup):
    ws, *_ = setup
    board.set_wip_limit(ws, "in_progress", 2)
    board.set_wip_limit(ws, "in_progress", 1, lane="third_sector")
    with ws.session() as s:
        settings = board.load_settings(s)
    assert settings.limit("in_progress") == 2 and settings.limit("in_progress", "third_sector") == 1
    assert board.wip_exceeded(3, settings.limit("in_progress")) and not board.wip_exceeded(2, 2)
    board.set_wip_limit(ws, "in_progress", None)
    with ws.session() as s:
        assert board.load_settings(s).limit("in_progress") is None


def test_move_between_writes_one_row_and_refuses_done_while_blocked(setup):
    ws, _case, _orgs, ids = setup
    a, b, c, d = ids
    changes = board.move_cards(ws, [d], "received", above_id=a, below_id=b)
    assert changes.ids("task") == {d}
    with ws.session() as s:
        order = s.scalars(select(Task.id).where(Task.status == "received").order_by(Task.position)).all()
    assert order == [a, d, b, c]
    tasks.add_dependency(ws, a, b)
    with pytest.raises(ValidationError, match="blocked by 'Task 1'"):
        board.move_cards(ws, [c, a], "done")
    assert _task(ws, c).status == "received"  # all or nothing


def test_renumbering_when_gaps_run_out(setup):
    ws, _case, _orgs, ids = setup
    a, b, c, d = ids
    with ws.operation("squeeze") as op:  # two neighbours with no room between them
        op.update(op.session.get(Task, a), position=1.0)
        op.update(op.session.get(Task, b), position=1.0 + 1e-7)
    board.move_cards(ws, [d], "received", above_id=a, below_id=b, column_ids=[a, b, c])
    with ws.session() as s:
        rows = s.execute(select(Task.id, Task.position).where(Task.status == "received").order_by(Task.position)).all()
    assert [r[0] for r in rows] == [a, d, b, c]
    gaps = [y[1] - x[1] for x, y in zip(rows, rows[1:], strict=False)]
    assert min(gaps) >= tasks.POSITION_GAP


def test_bulk_move_and_restore(setup):
    ws, _case, _orgs, ids = setup
    with ws.session() as s:
        before = board.placements(s, ids[:3])
    board.bulk_move(ws, ids[:3], "in_progress")
    assert {_task(ws, i).status for i in ids[:3]} == {"in_progress"}
    board.restore_placements(ws, before)
    assert [(_task(ws, i).status, _task(ws, i).position) for i in ids[:3]] == [(p.status, p.position) for p in before]


def test_board_query_scopes_and_lanes(demo_copy):
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo_copy, actor="t") as ws, ws.session() as s:
        everything = load_board(s, BoardScope(), today=date(2024, 6, 30))
        assert everything.cards and all(c.status not in ("done", "cancelled") for c in everything.cards)
        assert everything.closed_counts["done"] > 0
        blocked = load_board(s, BoardScope("status:blocked"))
        assert blocked.cards and {c.status for c in blocked.cards} == {"blocked"}
        assert any(c.blocked_by for c in blocked.cards)
        community = load_board(s, BoardScope("sector:community"))
        assert 0 < len(community.cards) < len(everything.cards)
        early = load_board(s, BoardScope("due:<2024-07-01"))
        assert early.cards and all(c.due_date and c.due_date < date(2024, 7, 1) for c in early.cards)
        card = everything.cards[0]
        one_case = load_board(s, BoardScope(case_id=card.case_id, show_closed=True))
        assert {c.case_id for c in one_case.cards} == {card.case_id}
        lanes = group_lanes(everything.cards, "sector")
        assert sum(lane.count() for lane in lanes) == len(everything.cards)
        assert len({lane.key for lane in lanes}) == len(lanes) > 1
        detail = load_card(s, card.id)
        assert detail.task["id"] == card.id and detail.history
        with pytest.raises(ValidationError, match="unknown field"):
            load_board(s, BoardScope("colour:red"))


def test_a_recent_comment_or_checklist_change_keeps_a_claim_fresh(setup):
    from sqlalchemy import update

    from recovery_desk.storage.models import Comment

    ws, _case, (shakyo, _npo, _city), ids = setup
    board.claim_task(ws, ids[0], shakyo)
    claimed_at = _task(ws, ids[0]).claimed_at
    later = claimed_at + timedelta(days=20)
    with ws.session() as s:
        assert board.stale_task_ids(s, later) == {ids[0]}
        assert [c.id for c in load_board(s, BoardScope("is:stale"), now=later).cards] == [ids[0]]
    tasks.add_comment(ws, ids[0], "called the family, visit on Friday")
    with ws.engine.begin() as connection:  # the comment was written ten days after the claim
        connection.execute(update(Comment).values(updated_at=claimed_at + timedelta(days=10)))
    with ws.session() as s:
        assert board.stale_task_ids(s, later) == set()
        assert load_board(s, BoardScope("is:stale"), now=later).cards == []
        assert not next(c for c in load_board(s, BoardScope(), now=later).cards if c.id == ids[0]).stale
        assert board.stale_task_ids(s, later + timedelta(days=10)) == {ids[0]}
