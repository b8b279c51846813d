"""Undo everywhere: every card-editor change and every archive is one undo step, redoable;
a bulk archive / move is one transaction and one step."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from recovery_desk.domain.errors import ConflictError
from recovery_desk.services import board, tasks
from recovery_desk.services.undo import revert_operation
from recovery_desk.storage.board_models import TaskHandover
from recovery_desk.storage.models import (
    Activity,
    ChecklistItem,
    Comment,
    Organisation,
    Participation,
    Task,
    TaskDependency,
    TaskSupporter,
)
from tests.ui.conftest import wait_idle

VOLATILE = {"created_at", "updated_at", "row_version", "claimed_at", "completed_at", "archived_at", "position"}


def state(ws, task_id: str) -> dict[str, Any]:
    """What a user can see of a task and its parts (times kept only as set / not set)."""
    with ws.session() as s:
        task = s.get(Task, task_id)
        out: dict[str, Any] = {"task": {k: (v if k not in VOLATILE else v is not None)
                                        for k, v in task.values().items()}}
        for model in (ChecklistItem, Comment, TaskSupporter, TaskHandover):
            out[model.__tablename__] = sorted(
                tuple(sorted((k, str(v)) for k, v in r.values().items() if k not in VOLATILE))
                for r in s.scalars(select(model).where(model.task_id == task_id, model.deleted_at.is_(None))))
        out["deps"] = sorted(s.scalars(select(TaskDependency.blocked_by_id).where(
            TaskDependency.task_id == task_id, TaskDependency.deleted_at.is_(None))))
        out["participations"] = sorted(s.execute(select(Participation.organisation_id, Participation.role).where(
            Participation.case_id == task.case_id, Participation.deleted_at.is_(None))).all())
    return out


@pytest.fixture
def card(board_ws):
    """An unclaimed open task, another task of its case, two organisations."""
    with board_ws.session() as s:
        task = s.scalars(select(Task).where(Task.claimed_at.is_(None), Task.status == "received",
                                            Task.deleted_at.is_(None), Task.archived_at.is_(None))
                         .order_by(Task.id)).first()
        other = s.scalars(select(Task).where(Task.case_id == task.case_id, Task.id != task.id)).first()
        if other is None:
            other_id = tasks.create_task(board_ws, task.case_id, title="別の作業").primary_id
        else:
            other_id = other.id
        orgs = s.scalars(select(Organisation.id).where(Organisation.deleted_at.is_(None))
                         .order_by(Organisation.name).limit(2)).all()
    return board_ws, task.id, other_id, orgs


def _steps(ws, task_id: str, other_id: str, orgs: list[str]):
    """Every change the card editor makes, in an order where each is possible."""
    def item(ws):
        with ws.session() as s:
            return s.scalar(select(ChecklistItem.id).where(ChecklistItem.task_id == task_id,
                                                           ChecklistItem.deleted_at.is_(None)))

    def supporter(ws):
        with ws.session() as s:
            return s.scalar(select(TaskSupporter.id).where(TaskSupporter.task_id == task_id,
                                                           TaskSupporter.deleted_at.is_(None)))

    def dependency(ws):
        with ws.session() as s:
            return s.scalar(select(TaskDependency.id).where(TaskDependency.task_id == task_id,
                                                            TaskDependency.deleted_at.is_(None)))

    def request(ws):
        with ws.session() as s:
            return s.scalar(select(TaskHandover.id).where(TaskHandover.task_id == task_id,
                                                          TaskHandover.state == "open"))

    return [
        ("fields", lambda ws: tasks.update_task(ws, task_id, title="新しい題", priority="urgent", due_date="2024-07-01",
                                                lead_org_id=orgs[1])),
        ("checklist add", lambda ws: tasks.add_checklist_item(ws, task_id, "鍵を借りる")),
        ("checklist tick", lambda ws: tasks.set_checklist_item(ws, item(ws), done=True)),
        ("checklist remove", lambda ws: tasks.remove_checklist_item(ws, item(ws))),
        ("comment", lambda ws: tasks.add_comment(ws, task_id, "明日行きます")),
        ("supporter add", lambda ws: tasks.add_supporter(ws, task_id, orgs[1])),
        ("supporter remove", lambda ws: tasks.remove_supporter(ws, supporter(ws))),
        ("blocker add", lambda ws: tasks.add_dependency(ws, task_id, other_id)),
        ("blocker remove", lambda ws: tasks.remove_dependency(ws, dependency(ws))),
        ("claim", lambda ws: board.claim_task(ws, task_id, orgs[0])),
        ("request", lambda ws: board.request_handover(ws, task_id, orgs[1], "人手があります")),
        ("decline", lambda ws: board.decline_handover(ws, request(ws), "まだ続けます")),
        ("request again", lambda ws: board.request_handover(ws, task_id, orgs[1])),
        ("accept", lambda ws: board.accept_handover(ws, request(ws))),
        ("release", lambda ws: board.release_task(ws, task_id, "終わらない")),
        ("move", lambda ws: tasks.move_task(ws, task_id, "in_progress")),
        ("archive", lambda ws: tasks.archive_tasks(ws, [task_id])),
    ]


def test_every_card_change_is_undone_and_redone_by_its_operation(card) -> None:
    ws, task_id, other_id, orgs = card
    for name, step in _steps(ws, task_id, other_id, orgs):
        before = state(ws, task_id)
        changes = step(ws)
        after = state(ws, task_id)
        assert after != before, name
        undo = revert_operation(ws, changes.operation_id)
        assert state(ws, task_id) == before, f"undo of {name}"
        redo = revert_operation(ws, undo.operation_id)
        assert state(ws, task_id) == after, f"redo of {name}"
        assert redo.operation == changes.operation  # the trail says what was redone
    with ws.session() as s:  # undo and redo are recorded, nothing erased
        assert s.scalar(select(Activity.id).where(Activity.operation == "revert:claim_task")) is not None


def test_undo_refuses_to_overwrite_a_later_change(card) -> None:
    ws, task_id, _other, _orgs = card
    first = tasks.update_task(ws, task_id, title="一回目")
    tasks.update_task(ws, task_id, title="二回目")
    with pytest.raises(ConflictError):
        revert_operation(ws, first.operation_id)
    with ws.session() as s:
        assert s.get(Task, task_id).title == "二回目"


def test_card_editor_changes_are_undo_steps(qtbot, ctx) -> None:
    from recovery_desk.ui.board.editor import CardEditor

    with ctx.workspace.session() as s:
        task_id = s.scalar(select(Task.id).where(Task.status == "received", Task.deleted_at.is_(None))
                           .order_by(Task.id))
    before = state(ctx.workspace, task_id)
    editor = CardEditor(ctx, task_id)
    qtbot.addWidget(editor)
    qtbot.waitUntil(editor.isEnabled, timeout=10_000)
    start = ctx.undo_stack.count()
    editor.title.setText("看板を直す")
    editor.save_button.click()
    wait_idle(qtbot, ctx)
    editor.new_item.setText("脚立")
    editor._add_item()
    wait_idle(qtbot, ctx)
    editor.new_comment.setPlainText("了解")
    editor._add_comment()
    wait_idle(qtbot, ctx)
    assert ctx.undo_stack.count() == start + 3
    after = state(ctx.workspace, task_id)
    for _ in range(3):
        ctx.undo_stack.undo()
        wait_idle(qtbot, ctx)
    assert state(ctx.workspace, task_id) == before
    qtbot.waitUntil(lambda: editor.title.text() != "看板を直す", timeout=10_000)  # the editor shows it
    for _ in range(3):
        ctx.undo_stack.redo()
        wait_idle(qtbot, ctx)
    assert state(ctx.workspace, task_id) == after


def test_delete_key_archives_selected_cards_in_one_step(qtbot, ctx) -> None:
    from recovery_desk.ui.board.page import BoardPage

    page = BoardPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: bool(page.model.cards), timeout=10_000)
    ids = [c.id for c in page.model.cards[:3]]
    page.view.select_ids(ids)
    start = ctx.undo_stack.count()
    page.archive_selected()
    wait_idle(qtbot, ctx)
    assert ctx.undo_stack.count() == start + 1
    with ctx.workspace.session() as s:
        assert all(s.get(Task, i).archived_at is not None for i in ids)
        operations = {s.scalar(select(Activity.operation_id).where(Activity.entity_id == i,
                                                                   Activity.field == "archived_at")) for i in ids}
    assert len(operations) == 1  # one transaction
    ctx.undo_stack.undo()
    wait_idle(qtbot, ctx)
    with ctx.workspace.session() as s:
        assert all(s.get(Task, i).archived_at is None for i in ids)
    ctx.undo_stack.redo()
    wait_idle(qtbot, ctx)
    with ctx.workspace.session() as s:
        assert all(s.get(Task, i).archived_at is not None for i in ids)
