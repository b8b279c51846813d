"""Who am I: a Person of the workspace signs the audit trail, claims and comments; `me` and
`my-org` in both query languages; the CLI's `--as NAME` and `task list`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from recovery_desk.cli.main import main
from recovery_desk.domain.errors import NotFoundError, ValidationError
from recovery_desk.services import board, identity, tasks
from recovery_desk.services.board_query import BoardScope, load_board
from recovery_desk.services.my_work import load_my_work, my_tasks
from recovery_desk.services.people import create_person
from recovery_desk.services.search import QueryError, case_conditions
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Activity, Case, Comment, Task
from tests.conftest import DEMO_AS_OF
from tests.field.helpers import npo_volunteer


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def signed_in(path, person_id=None):
    ws = Workspace.open(path, actor="")
    with ws.session() as s:
        pid = person_id or npo_volunteer(s)[0]
        identity.sign_in(ws, identity.identity_of(s, pid))
    return ws


def test_find_person_by_id_exact_name_part_of_a_name_or_refuses_ambiguity(workspace) -> None:
    a = create_person(workspace, name="山田 花子").primary_id
    create_person(workspace, name="山田 一郎")
    with workspace.session() as s:
        assert identity.find_person(s, a).name == "山田 花子"
        assert identity.find_person(s, "山田花子").id == a  # spaces and width ignored
        assert identity.find_person(s, "花子").id == a
        with pytest.raises(ValidationError) as err:
            identity.find_person(s, "山田")
        assert "山田 一郎" in err.value.message() and "山田 花子" in err.value.message()
        with pytest.raises(NotFoundError):
            identity.find_person(s, "佐藤")


def test_the_audit_trail_claims_and_comments_carry_the_person(demo_copy) -> None:
    with signed_in(demo_copy) as ws:
        me = ws.identity
        with ws.session() as s:
            task = s.scalars(select(Task).where(Task.claimed_at.is_(None), Task.status == "received",
                                                Task.deleted_at.is_(None))).first()
        board.claim_task(ws, task.id, me.organisation_ids[0])
        tasks.add_comment(ws, task.id, "行きます")
        with ws.session() as s:
            rows = s.execute(select(Activity.actor, Activity.actor_id, Activity.entity)
                             .where(Activity.operation.in_(("claim_task", "add_comment")))).all()
            assert rows and {r.actor_id for r in rows} == {me.person_id}
            assert {r.actor for r in rows} == {me.actor} and me.name in me.actor
            assert s.scalar(select(Comment.author).where(Comment.task_id == task.id, Comment.body == "行きます")) == me.actor
            from recovery_desk.services.board_query import load_card

            claim = next(h for h in load_card(s, task.id).handovers if h["kind"] == "claim")
            assert claim["by"] == me.actor  # "claimed by 山田 (NPO)", not "NPO → NPO"


def test_me_and_my_org_in_both_query_languages(demo_copy) -> None:
    with signed_in(demo_copy) as ws, ws.session() as s:
        me = ws.identity
        mine = load_board(s, BoardScope("assignee:me", show_closed=True), me=me, today=DEMO_AS_OF).cards
        assert mine and {c.assignee for c in mine} == {me.name}
        led = load_board(s, BoardScope("org:my-org"), me=me, today=DEMO_AS_OF).cards
        assert led and all(c.lead_org_id in me.organisation_ids or c.supporters for c in led)
        case_ids = set(s.scalars(select(Case.id).where(*case_conditions("org:my-org", DEMO_AS_OF, me))))
        assert case_ids and {c.case_id for c in led} <= case_ids
        assigned = set(s.scalars(select(Case.id).where(*case_conditions("assignee:me", DEMO_AS_OF, me))))
        assert assigned and assigned <= {c.case_id for c in mine}
        with pytest.raises(QueryError):
            load_board(s, BoardScope("assignee:me"), me=None)
        with pytest.raises(QueryError):
            s.scalars(select(Case.id).where(*case_conditions("org:my-org", DEMO_AS_OF, None)))


def test_my_work_orders_overdue_then_due_soon_then_stale(demo_copy) -> None:
    with signed_in(demo_copy) as ws, ws.session() as s:
        work = load_my_work(s, ws.identity, DEMO_AS_OF)
        order = ["overdue", "due_soon", "stale", "other"]
        groups = [t.group for t in work.tasks]
        assert groups == sorted(groups, key=order.index)
        assert all(t.due_date < DEMO_AS_OF for t in work.tasks if t.group == "overdue")
        assert all(t.status not in ("done", "cancelled") for t in work.tasks)


def test_cli_as_names_a_person_and_task_list_mine_is_the_my_work_list(demo_copy, capsys) -> None:
    with signed_in(demo_copy) as ws, ws.session() as s:
        me = ws.identity
        expected = [t.as_json() for t in my_tasks(s, me)]
    code, out, err = run(capsys, "--workspace", str(demo_copy), "--as", me.person_id, "task", "list", "--mine",
                         "--json")
    assert code == 0, err
    listed = json.loads(out)["tasks"]
    assert listed == expected and listed
    assert set(listed[0]) == {"id", "title", "case", "status", "lead", "assignee", "due_date"}
    assert any(t["assignee"] == me.name for t in listed)
    # the same id set with the query language
    code, out, _ = run(capsys, "--workspace", str(demo_copy), "--as", me.person_id, "task", "list",
                       "--query", "assignee:me", "--json")
    assert code == 0
    assert {t["id"] for t in json.loads(out)["tasks"]} == {t["id"] for t in listed if t["assignee"] == me.name}


def test_cli_as_refuses_an_ambiguous_or_unknown_name(workspace, capsys) -> None:
    create_person(workspace, name="山田 花子")
    create_person(workspace, name="山田 一郎")
    path = str(workspace.path)
    workspace.close()
    code, _, err = run(capsys, "--workspace", path, "--as", "山田", "task", "list")
    assert code == 1 and "山田 花子" in err and "山田 一郎" in err and "Traceback" not in err
    code, out, err = run(capsys, "--workspace", path, "--as", "花子", "task", "list", "--json")
    assert code == 0 and json.loads(out) == {"tasks": []}
    code, _, err = run(capsys, "--workspace", path, "--as", "佐藤", "task", "list")
    assert code == 1 and "佐藤" in err
    code, _, err = run(capsys, "--workspace", path, "task", "list", "--mine")
    assert code == 1 and "--as" in err


def test_the_cli_uses_the_identity_the_app_saved(demo_copy, capsys) -> None:
    with signed_in(demo_copy) as ws:
        identity.save_choice(ws.path, ws.identity)
        me = ws.identity
        with ws.session() as s:
            task_id = s.scalar(select(Task.id).where(Task.assignee_id == me.person_id))
    code, _, err = run(capsys, "--workspace", str(demo_copy), "task", "list", "--mine", "--json")
    assert code == 0, err
    with Workspace.open(demo_copy) as ws:
        from recovery_desk.cli.commands._common import sign_in_from

        class Args:
            as_person = None
        sign_in_from(Args(), ws)
        assert ws.identity == me
        tasks.update_task(ws, task_id, priority="urgent")
        with ws.session() as s:
            assert s.scalar(select(Activity.actor_id).order_by(Activity.id.desc()).limit(1)) == me.person_id
            assert s.scalar(select(func.count()).select_from(Activity).where(Activity.actor_id == me.person_id)) >= 1
