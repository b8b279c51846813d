"""Every write path on a server workspace retries a transaction the server aborted (issue 12,
point 2): a row another client changed under our feet (the ORM's row-version check), a
serialization failure, a deadlock. Provoked with real connections and real server errors:
a second connection holding a row lock and then changing the row, and a trigger raising the
server's own serialization_failure (SQLSTATE 40001) for as many attempts as a test wants.
The deadlock of a synchronisation is in test_server_sync.py."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from recovery_desk.cli.main import main
from recovery_desk.domain.errors import ConflictError
from recovery_desk.services import cases, tasks
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Case, Incident, Task
from recovery_desk.storage.retry import ATTEMPTS, retrying
from tests.pg_helpers import abort_writes


def in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """``call()`` on a thread of its own; its result (or what it raised) lands in the list."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def wait_until_another_client_waits(url: str, *not_these: int) -> None:
    """Until a session of this database, other than the test's own, waits for a lock (bounded)."""
    with psycopg.connect(url, autocommit=True) as watch:
        for _ in range(3000):
            if watch.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                             "AND wait_event_type = 'Lock' AND NOT pid = ANY(%s)",
                             (list(not_these),)).fetchone()[0]:
                return
            watch.execute("SELECT pg_sleep(0.01)")
    pytest.fail("no client waited for a lock")


def a_task(url: str) -> Task:
    with Workspace.open(url) as ws, ws.session() as s:
        return s.scalars(select(Task).where(Task.status == "received", Task.priority != "high")
                         .order_by(Task.id)).first()


def a_case(url: str, priority: str = "normal") -> Case:
    with Workspace.open(url) as ws, ws.session() as s:
        return s.scalars(select(Case).where(Case.priority == priority).order_by(Case.reference)).first()


def test_task_set_is_done_again_when_another_client_changed_the_task_under_it(server_demo, capsys):
    """The command reads the task, then waits for another client's row lock; that client
    changes the task (a new row version) and commits: the command's update matches no row of
    the version it read. Done again, it reads the new version and sets its field on it; the
    other client's change is kept."""
    task = a_task(server_demo)
    other = psycopg.connect(server_demo)
    other.execute("SELECT 1 FROM task WHERE id = %s FOR UPDATE", (task.id,))
    thread, outcome = in_thread(lambda: main(["--workspace", server_demo, "task", "set", task.id, "priority=high"]))
    wait_until_another_client_waits(server_demo, other.info.backend_pid)
    other.execute("UPDATE task SET title = 'their title', row_version = row_version + 1 WHERE id = %s", (task.id,))
    other.commit()
    other.close()
    thread.join(60)
    assert outcome == [0], capsys.readouterr().err
    assert f"task {task.id}: set priority" in capsys.readouterr().out
    with Workspace.open(server_demo) as ws, ws.session() as s:
        stored = s.get(Task, task.id)
        assert (stored.title, stored.priority, stored.row_version) == ("their title", "high", task.row_version + 2)


@pytest.mark.parametrize("command", [["case", "set", "{reference}", "priority=urgent"],
                                     ["case", "delete", "{reference}"]])
def test_a_case_command_the_server_aborts_once_succeeds(server_demo, capsys, command):
    case = a_case(server_demo)
    tried = abort_writes(server_demo, "case", row_id=case.id, times=1)
    argv = [part.format(reference=case.reference) for part in command]
    assert main(["--workspace", server_demo, *argv]) == 0, capsys.readouterr().err
    assert tried() >= 2  # refused once, then written
    with Workspace.open(server_demo) as ws, ws.session() as s:
        stored = s.get(Case, case.id)
        if command[1] == "set":
            assert stored.priority == "urgent"
        else:
            assert stored.deleted_at is not None


@pytest.mark.parametrize("lang, words", [("en", "another person changed the same rows at the same moment; "
                                                "nothing was saved, try again"),
                                         ("ja", "同時に別の人が同じ行を変更しました。保存していません。")])
def test_when_every_attempt_is_aborted_the_command_says_so_in_one_line_and_saves_nothing(server_demo, capsys,
                                                                                         lang, words):
    case = a_case(server_demo)
    tried = abort_writes(server_demo, "case", row_id=case.id)
    code = main(["--workspace", server_demo, "--lang", lang, "case", "set", case.reference, "priority=urgent",
                 "household_size=12"])
    err = capsys.readouterr().err
    assert code == 1 and words in err and len(err.strip().splitlines()) == 1
    assert tried() == ATTEMPTS
    with Workspace.open(server_demo) as ws, ws.session() as s:
        stored = s.get(Case, case.id)
        assert (stored.priority, stored.household_size, stored.row_version) == (
            case.priority, case.household_size, case.row_version)


def test_a_command_that_saved_part_of_its_work_is_not_run_again(server_demo, capsys):
    """``incident close --anonymise``: the close is saved (one transaction), the anonymising
    (another) is aborted every time. It is tried again alone; the command is not run again,
    which would close the incident a second time."""
    with psycopg.connect(server_demo) as con:
        (coordinator,) = con.execute(
            "SELECT p.name FROM person p JOIN membership m ON m.person_id = p.id AND m.deleted_at IS NULL "
            "JOIN organisation o ON o.id = m.organisation_id WHERE o.org_type = 'gov_local' "
            "AND p.deleted_at IS NULL ORDER BY p.name LIMIT 1").fetchone()
        (incident_id,) = con.execute("SELECT id FROM incident ORDER BY created_at LIMIT 1").fetchone()
    anonymisations = abort_writes(server_demo, "case")
    code = main(["--workspace", server_demo, "--as", coordinator, "incident", "close", "--on", "2024-12-31",
                 "--anonymise", "--yes"])
    out, err = capsys.readouterr()
    assert code == 1 and "ended on 2024-12-31" in out and "nothing was saved" in err
    # Each attempt of the anonymising dies at its first write of a case: tried alone, ATTEMPTS
    # times (the command again would try ATTEMPTS more).
    assert anonymisations() == ATTEMPTS
    with Workspace.open(server_demo) as ws, ws.session() as s:
        assert s.get(Incident, incident_id).end_date == date(2024, 12, 31)
        assert s.scalar(select(Case.contact_name).where(Case.contact_name != "").limit(1))  # nothing erased


def test_work_that_committed_a_transaction_is_not_done_again(server_demo):
    """Re-running work of several transactions would do its first one twice: after a commit a
    failure goes on at once."""
    with Workspace.open(server_demo) as ws, ws.session() as s:
        first, second = s.scalars(select(Case).order_by(Case.reference).limit(2))
    tried = abort_writes(server_demo, "case", row_id=second.id)
    runs: list[int] = []
    with Workspace.open(server_demo) as ws:
        def work() -> None:
            runs.append(1)
            cases.update_case(ws, first.id, household_size=first.household_size + 1)
            cases.update_case(ws, second.id, household_size=1)

        with pytest.raises(DBAPIError) as failed:
            retrying(work)
        assert "could not serialize access (test)" in str(failed.value)
        assert runs == [1] and tried() == 1
        with ws.session() as s:
            assert s.get(Case, first.id).household_size == first.household_size + 1


def test_a_retried_edit_still_refuses_a_value_someone_else_saved_meanwhile(server_demo):
    """The app's edit carries the value it was based on. Its first attempt is aborted after
    another person saved the same field; the second reads the field again and refuses, showing
    both values — a retry never turns a conflict into an overwrite."""
    task = a_task(server_demo)
    tried = abort_writes(server_demo, "task", row_id=task.id, times=1)
    with Workspace.open(server_demo) as ann, Workspace.open(server_demo) as ben:
        attempts: list[int] = []

        def ann_saves() -> object:
            attempts.append(1)
            if len(attempts) == 2:  # Ben saves between Ann's attempts (the server aborted her first)
                tasks.update_task(ben, task.id, based_on={"title": task.title}, title="Ben's title")
            return tasks.update_task(ann, task.id, based_on={"title": task.title}, title="Ann's title")

        with pytest.raises(ConflictError) as refused:
            retrying(ann_saves)
        message = refused.value.message("en")
        assert "'Ben's title'" in message and "'Ann's title'" in message
        assert len(attempts) == 2 and tried() == 2  # Ann's first write (refused), Ben's; none of Ann's after
        with ann.session() as s:
            assert s.get(Task, task.id).title == "Ben's title"


def test_a_long_job_of_the_app_is_done_again_when_the_server_aborts_it(server_demo, qtbot, worker):
    """AppContext.run (imports, the sync button, closing, erasing…) retries as change does."""
    from recovery_desk.services.incident import move_start
    from recovery_desk.ui.context import AppContext

    with psycopg.connect(server_demo) as con:
        (incident_id,) = con.execute("SELECT id FROM incident ORDER BY created_at LIMIT 1").fetchone()
    tried = abort_writes(server_demo, "incident", row_id=incident_id, times=1)
    ctx = AppContext(worker)
    ctx.set_workspace(Workspace.open(server_demo))
    results: list[object] = []
    ctx.run(lambda ws, _progress: move_start(ws, "2023-12-25"), results.append,
            lambda exc, _trace: results.append(exc))
    qtbot.waitUntil(lambda: bool(results), timeout=20_000)
    assert results[0].operation == "move_incident_start", results
    assert tried() == 2  # refused once, then written
    with ctx.workspace.session() as s:
        assert s.get(Incident, incident_id).start_date == date(2023, 12, 25)
    ctx.set_workspace(None)
