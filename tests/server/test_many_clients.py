"""Many clients on one server workspace: changes reach the other windows, and the second of
two saves of the same field is refused showing both values."""

from __future__ import annotations

import threading
from select import select as wait_readable

import psycopg
import pytest
from sqlalchemy import select

from recovery_desk.domain.errors import ConflictError
from recovery_desk.services import cases, tasks
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Case, Task


def first_case(ws: Workspace) -> Case:
    with ws.session() as s:
        return s.scalars(select(Case).where(Case.priority == "normal").order_by(Case.reference)).first()


def test_a_change_in_one_client_reaches_another_windows_views_within_2_s(server_demo, qtbot, worker):
    from recovery_desk.ui.context import AppContext

    ctx = AppContext(worker)
    ctx.set_workspace(Workspace.open(server_demo))
    qtbot.waitUntil(lambda: ctx.server_listener.listener is not None, timeout=10_000)
    with Workspace.open(server_demo) as other:
        case = first_case(other)
        with qtbot.waitSignal(ctx.changed, timeout=2000) as heard:
            cases.update_case(other, case.id, priority="urgent")
    changes = heard.args[0]
    assert case.id in changes.ids("case") and case.id in changes.case_ids
    # This window's own changes are announced once, by the change itself, not again by the server.
    own = first_case(ctx.workspace)
    cases.update_case(ctx.workspace, own.id, priority="low")
    listener = ctx.server_listener.listener
    readable, _, _ = wait_readable([listener.fileno()], [], [], 5)  # the notice has arrived…
    assert readable
    assert listener.poll() == []  # …and is recognised as this window's own
    ctx.set_workspace(None)


def test_the_second_of_two_saves_of_one_field_is_refused_with_both_values(server_demo):
    with Workspace.open(server_demo) as ann, Workspace.open(server_demo) as ben:
        case = first_case(ann)
        cases.update_case(ann, case.id, based_on={"priority": "normal"}, priority="urgent")
        with pytest.raises(ConflictError) as refused:
            cases.update_case(ben, case.id, based_on={"priority": "normal"}, priority="low")
        message = refused.value.message("en")
        assert "'urgent'" in message and "'low'" in message
        # A different field of the same row is no conflict: both people keep their change.
        cases.update_case(ben, case.id, based_on={"household_size": case.household_size}, household_size=9)
        with ann.session() as s:
            stored = s.get(Case, case.id)
            assert (stored.priority, stored.household_size) == ("urgent", 9)


def test_a_save_waiting_for_anothers_transaction_sees_its_value_then_refuses(server_demo):
    """Two saves at the same moment: the row lock makes the second wait for the first to commit,
    and then it is judged against what the first saved (no lost update, no stale read)."""
    with Workspace.open(server_demo) as ann:
        with ann.session() as s:
            task = s.scalars(select(Task).where(Task.status == "received").order_by(Task.id)).first()
        first = psycopg.connect(server_demo)
        first.execute("SELECT 1 FROM task WHERE id = %s FOR UPDATE", (task.id,))
        first.execute("UPDATE task SET title = 'first editor', row_version = row_version + 1 WHERE id = %s",
                      (task.id,))
        outcome: list[BaseException | None] = []

        def second() -> None:
            try:
                tasks.update_task(ann, task.id, based_on={"title": task.title}, title="second editor")
                outcome.append(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                outcome.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        with psycopg.connect(server_demo, autocommit=True) as watch:
            for _ in range(2000):  # until the second save waits on the row lock (bounded)
                if watch.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND wait_event_type = 'Lock'").fetchone()[0]:
                    break
                watch.execute("SELECT pg_sleep(0.01)")
            else:
                pytest.fail("the second save never waited for the first")
        first.commit()
        first.close()
        thread.join(30)
        assert isinstance(outcome[0], ConflictError)
        assert "'first editor'" in outcome[0].message("en") and "'second editor'" in outcome[0].message("en")
        with ann.session() as s:
            assert s.get(Task, task.id).title == "first editor"


def _wait_until_a_client_waits(url: str, wait_event_type: str) -> None:
    with psycopg.connect(url, autocommit=True) as watch:
        for _ in range(2000):  # bounded
            if watch.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                             "AND wait_event_type = %s", (wait_event_type,)).fetchone()[0]:
                return
            watch.execute("SELECT pg_sleep(0.01)")
    pytest.fail(f"no client waited ({wait_event_type})")


def test_two_writers_never_take_the_same_change_numbers(server_demo):
    """The change log numbers a server's changes gap-free, in commit order: a writer waits for
    the one numbering before it, then numbers after it (not a duplicate key, not a gap)."""
    from recovery_desk.services.sync.changelog import _NUMBERING_LOCK

    with Workspace.open(server_demo) as ann:
        with ann.session() as s:
            task = s.scalars(select(Task).where(Task.status == "received").order_by(Task.id)).first()
        replica = ann.replica_id
        other = psycopg.connect(server_demo)  # another client, in the middle of numbering its change
        other.execute("SELECT pg_advisory_xact_lock(%s)", (_NUMBERING_LOCK,))
        (top,) = other.execute("SELECT max(seq) FROM sync_change WHERE replica = %s", (replica,)).fetchone()
        other.execute("INSERT INTO sync_change SELECT replica, %s, hlc + 1, at, actor, actor_id, operation, kind, "
                      "entity, row_id, field, value, base FROM sync_change WHERE replica = %s AND seq = %s",
                      (top + 1, replica, top))
        outcome: list[BaseException | None] = []

        def write() -> None:
            try:
                tasks.update_task(ann, task.id, title="numbered after the other")
                outcome.append(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                outcome.append(exc)

        thread = threading.Thread(target=write)
        thread.start()
        _wait_until_a_client_waits(server_demo, "Lock")
        other.commit()
        other.close()
        thread.join(30)
        assert outcome == [None]
        with psycopg.connect(server_demo) as con:
            seqs = [r[0] for r in con.execute("SELECT seq FROM sync_change WHERE replica = %s AND seq > %s "
                                              "ORDER BY seq", (replica, top))]
        assert seqs == [top + 1, top + 2]


def test_two_clients_moving_one_card_both_succeed_in_turn(server_demo):
    """A card someone else is moving: the second drop waits for the first, then moves the card
    from where the first left it (no stale row version, nothing to retry)."""
    from recovery_desk.services import board

    with Workspace.open(server_demo) as ann:
        with ann.session() as s:
            task = s.scalars(select(Task).where(Task.status == "received").order_by(Task.id)).first()
        first = psycopg.connect(server_demo)
        first.execute("UPDATE task SET status = 'matched', row_version = row_version + 1 WHERE id = %s", (task.id,))
        outcome: list[BaseException | None] = []

        def move() -> None:
            try:
                board.move_cards(ann, [task.id], "in_progress")
                outcome.append(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                outcome.append(exc)

        with ann.session() as s:  # the card as the second client's board shows it (before the first commits)
            shown = s.get(Task, task.id)
        thread = threading.Thread(target=move)
        thread.start()
        _wait_until_a_client_waits(server_demo, "Lock")
        first.commit()
        first.close()
        thread.join(30)
        assert outcome == [None] and shown.row_version == task.row_version
        with ann.session() as s:
            moved = s.get(Task, task.id)
            assert moved.status == "in_progress" and moved.row_version == task.row_version + 2


def test_a_lost_connection_is_a_clear_message(server_demo, pg_server, capsys):
    from recovery_desk.storage.postgres import explain_server_error

    with Workspace.open(server_demo) as ws:
        case = first_case(ws)
        with ws.engine.connect() as c:
            pid = c.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with pg_server.admin() as admin:  # and waits until that server process has gone
            assert admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone()[0]
        # The pool notices the dead connection and makes a new one: nothing is lost.
        cases.update_case(ws, case.id, priority="urgent")
        with ws.session() as s:
            assert s.get(Case, case.id).priority == "urgent"
    dead = psycopg.connect(server_demo)
    with pg_server.admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (dead.info.backend_pid,))
    with pytest.raises(psycopg.OperationalError) as lost:
        dead.execute("SELECT 1")
    message = explain_server_error(lost.value).message("ja")
    assert "接続が切れました" in message and "\n" not in message
