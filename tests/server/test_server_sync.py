"""Laptops and the server meet (issue 12, point 4): a workspace file copied onto a server, a
server workspace written out as a file, `sync push|pull --server`, and bundles read into a
server workspace. Real files, real bundles, the run's real PostgreSQL; the merge rules are
services/sync's (tests/sync proves them), these tests prove they hold across the two engines."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from recovery_desk.cli.main import main
from tests.conftest import DEMO_AS_OF
from tests.pg_helpers import abort_writes, as_user

OWNER = "Test User (Test Org)"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out


def cases_of(capsys, target: str) -> list[dict]:
    """Every case as `case list --json --all` prints it (needs, organisations, deleted…)."""
    return json.loads(ok(capsys, "--workspace", target, "case", "list", "--all", "--json"))["cases"]


def stats_of(capsys, target: str) -> dict:
    return json.loads(ok(capsys, "--workspace", target, "stats", "--json", "--from", "2024-02-01",
                         "--to", DEMO_AS_OF.isoformat()))


def conflicts_of(capsys, target: str) -> list[dict]:
    return json.loads(ok(capsys, "--workspace", target, "sync", "conflicts", "--json"))["conflicts"]


def case_field(capsys, target: str, reference: str, field: str):
    return next(c[field] for c in cases_of(capsys, target) if c["reference"] == reference)


@pytest.fixture(scope="module")
def laptop_demo(tmp_path_factory) -> Path:
    """A laptop's workspace file (demo, 60 cases), never changed: tests copy it."""
    path = tmp_path_factory.mktemp("laptop") / "laptop.rdesk"
    assert main(["--workspace", str(path), "demo", "--cases", "60", "--seed", "3",
                 "--as-of", DEMO_AS_OF.isoformat()]) == 0
    return path


@pytest.fixture
def laptop(laptop_demo, tmp_path) -> str:
    import sqlite3

    copy = tmp_path / "field.rdesk"
    with sqlite3.connect(laptop_demo) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    return str(copy)


@pytest.fixture
def empty_db(pg_server):
    url = pg_server.create_database(user=OWNER)
    yield url
    pg_server.drop(url)


@pytest.fixture
def laptop_and_server(laptop, empty_db, capsys):
    ok(capsys, "--workspace", laptop, "server", "copy-to-server", empty_db)
    return laptop, empty_db


def test_a_file_copied_onto_a_server_holds_the_same_workspace(laptop_and_server, capsys):
    laptop, server = laptop_and_server
    assert cases_of(capsys, server) == cases_of(capsys, laptop)
    assert stats_of(capsys, server) == stats_of(capsys, laptop)
    assert run(capsys, "--workspace", server, "check")[0] == 0
    with psycopg.connect(server) as con:
        info = dict(con.execute("SELECT key, value FROM workspace_info").fetchall())
    laptop_status = json.loads(ok(capsys, "--workspace", laptop, "sync", "status", "--json"))
    assert info["workspace_id"] == laptop_status["workspace"]  # the same incident's exchanges
    assert info["replica_id"] != laptop_status["replica"]  # a replica of its own


def test_copy_to_server_refuses_a_database_that_is_not_empty(laptop_and_server, capsys):
    laptop, server = laptop_and_server
    code, _, err = run(capsys, "--workspace", laptop, "server", "copy-to-server", server)
    assert code == 1 and "already holds a workspace" in err and len(err.strip().splitlines()) == 1


def test_push_and_pull_bring_each_sides_edits_to_the_other(laptop_and_server, capsys):
    laptop, server = laptop_and_server
    first, second = (c["reference"] for c in cases_of(capsys, laptop)[:2])
    ok(capsys, "--workspace", laptop, "case", "set", first, "priority=urgent")
    ok(capsys, "--workspace", server, "case", "set", second, "household_size=7")
    out = ok(capsys, "--workspace", laptop, "sync", "push", "--server", server)
    assert "1 updated" in out
    out = ok(capsys, "--workspace", laptop, "sync", "pull", "--server", server)
    assert "1 updated" in out
    for target in (laptop, server):
        assert case_field(capsys, target, first, "priority") == "urgent"
        assert case_field(capsys, target, second, "household_size") == 7
    assert cases_of(capsys, laptop) == cases_of(capsys, server)
    # Again: nothing new either way, and the laptop has sent everything.
    assert "nothing new" in ok(capsys, "--workspace", laptop, "sync", "push", "--server", server)
    assert "nothing new" in ok(capsys, "--workspace", laptop, "sync", "pull", "--server", server)
    assert json.loads(ok(capsys, "--workspace", laptop, "sync", "status", "--json"))["unsent"] == 0


def test_the_same_field_changed_on_both_sides_is_one_conflict_with_both_values(laptop_and_server, capsys):
    laptop, server = laptop_and_server
    reference = cases_of(capsys, laptop)[0]["reference"]
    ok(capsys, "--workspace", laptop, "case", "set", reference, "household_size=3")
    ok(capsys, "--workspace", server, "case", "set", reference, "household_size=9")
    assert "1 new conflict(s)" in ok(capsys, "--workspace", laptop, "sync", "push", "--server", server)
    assert "1 new conflict(s)" in ok(capsys, "--workspace", laptop, "sync", "pull", "--server", server)
    on_laptop, on_server = conflicts_of(capsys, laptop), conflicts_of(capsys, server)
    assert len(on_laptop) == 1 and [c["id"] for c in on_laptop] == [c["id"] for c in on_server]
    assert {on_laptop[0]["ours"], on_laptop[0]["theirs"]} == {"3", "9"} or \
        {str(on_laptop[0]["ours"]), str(on_laptop[0]["theirs"])} == {"3", "9"}
    shown = case_field(capsys, laptop, reference, "household_size")
    assert case_field(capsys, server, reference, "household_size") == shown  # the same winner on both
    # Settled on the server, the settlement reaches the laptop.
    ok(capsys, "--workspace", server, "sync", "resolve", on_server[0]["id"], "--value", "5")
    ok(capsys, "--workspace", laptop, "sync", "pull", "--server", server)
    assert conflicts_of(capsys, laptop) == [] and conflicts_of(capsys, server) == []
    assert case_field(capsys, laptop, reference, "household_size") == 5


def test_a_server_written_out_as_a_file_is_a_laptop_that_brings_its_work_back(laptop_and_server, capsys,
                                                                              tmp_path):
    _laptop, server = laptop_and_server
    field_file = str(tmp_path / "team.rdesk")
    ok(capsys, "--workspace", server, "server", "copy-to-file", field_file)
    assert cases_of(capsys, field_file) == cases_of(capsys, server)
    status = json.loads(ok(capsys, "--workspace", field_file, "sync", "status", "--json"))
    assert len(status["peers"]) == 1  # it knows the server it came from
    reference = cases_of(capsys, field_file)[3]["reference"]
    ok(capsys, "--workspace", field_file, "case", "set", reference, "household_size=11")
    assert "1 updated" in ok(capsys, "--workspace", field_file, "sync", "push", "--server", server)
    assert case_field(capsys, server, reference, "household_size") == 11
    code, _, err = run(capsys, "--workspace", server, "server", "copy-to-file", field_file)
    assert code == 1 and "already exists" in err


def test_a_bundle_is_read_into_a_server_workspace(laptop_and_server, capsys, tmp_path):
    laptop, server = laptop_and_server
    secret = tmp_path / "pass"
    secret.write_text("correct horse battery\n")
    reference = cases_of(capsys, laptop)[5]["reference"]
    ok(capsys, "--workspace", laptop, "case", "set", reference, "priority=low")
    bundle = str(tmp_path / "evening.rdsync")
    ok(capsys, "--workspace", laptop, "sync", "export", "--out", bundle, "--all", "--passphrase-file", str(secret))
    out = ok(capsys, "--workspace", server, "sync", "import", bundle, "--passphrase-file", str(secret))
    assert "1 updated" in out
    assert case_field(capsys, server, reference, "priority") == "low"
    assert "nothing new" in ok(capsys, "--workspace", server, "sync", "import", bundle, "--passphrase-file",
                               str(secret))
    assert "nothing new" in ok(capsys, "--workspace", laptop, "sync", "push", "--server", server)


def test_a_bundle_import_the_server_aborts_once_is_read_again_whole(laptop_and_server, capsys, tmp_path):
    """The server refuses the import's write of a case once (a serialization failure): the whole
    bundle is read again in a new transaction, not reported as a bundle that cannot be applied."""
    laptop, server = laptop_and_server
    secret = tmp_path / "pass"
    secret.write_text("correct horse battery\n")
    first, second = (c["reference"] for c in cases_of(capsys, laptop)[5:7])
    ok(capsys, "--workspace", laptop, "case", "set", first, "priority=low")
    ok(capsys, "--workspace", laptop, "case", "set", second, "priority=urgent")
    bundle = str(tmp_path / "evening.rdsync")
    ok(capsys, "--workspace", laptop, "sync", "export", "--out", bundle, "--passphrase-file", str(secret))
    with psycopg.connect(server) as con:
        (second_id,) = con.execute('SELECT id FROM "case" WHERE reference = %s', (second,)).fetchone()
    tried = abort_writes(server, "case", row_id=second_id, times=1)
    out = ok(capsys, "--workspace", server, "sync", "import", bundle, "--passphrase-file", str(secret))
    assert "2 updated" in out and tried() >= 2
    assert case_field(capsys, server, first, "priority") == "low"
    assert case_field(capsys, server, second, "priority") == "urgent"


def test_another_workspace_on_the_server_is_refused_and_nothing_changes(laptop, pg_server, capsys):
    url = pg_server.create_database(user=OWNER)
    try:
        ok(capsys, "--workspace", url, "init", "--incident", "Another quake")
        before = cases_of(capsys, laptop)
        for action in ("push", "pull"):
            code, _, err = run(capsys, "--workspace", laptop, "sync", action, "--server", url)
            assert code == 1 and "another workspace" in err and len(err.strip().splitlines()) == 1
        assert cases_of(capsys, url) == [] and cases_of(capsys, laptop) == before
    finally:
        pg_server.drop(url)


def test_only_a_coordinator_may_synchronise_a_laptop(laptop_and_server, capsys):
    laptop, server = laptop_and_server
    assert main(["server", "init", server]) == 0
    assert main(["--workspace", server, "server", "add-user", "official", "--role", "viewer"]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "--lang", "ja", "--workspace", laptop, "sync", "pull", "--server",
                       as_user(server, "official"))
    assert code == 1 and "調整役だけ" in err and len(err.strip().splitlines()) == 1


def test_push_pull_of_a_server_workspace_itself_is_refused(laptop_and_server, capsys):
    _laptop, server = laptop_and_server
    code, _, err = run(capsys, "--workspace", server, "sync", "push", "--server", server)
    assert code == 1 and "laptop's file" in err


def _until_waiting_for_a_lock(url: str, *, pid: int | None = None, besides: tuple[int, ...] = ()) -> None:
    """Until the session ``pid`` (or any session but ``besides`` and this one) waits for a lock."""
    with psycopg.connect(url, autocommit=True) as watch:
        for _ in range(3000):  # bounded
            if watch.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                             "AND wait_event_type = 'Lock' AND (pid = %s::int OR %s::int IS NULL AND NOT pid = ANY(%s::int[]))",
                             (pid, pid, list(besides))).fetchone()[0]:
                return
            watch.execute("SELECT pg_sleep(0.01)")
    pytest.fail("nobody waited for a lock")


def test_a_push_the_server_aborts_in_a_deadlock_is_applied_again_and_keeps_the_conflict(laptop_and_server, capsys):
    """A real deadlock: the push holds the server's workspace_info row (its first statement) and
    waits for a case row another session holds; a third session, holding the clock it records
    after the changes (workspace_info's hlc_seen), asks for the push's row; the case row is freed
    and the push asks for the clock. The server aborts the push (the third session waits far longer before it
    looks for deadlocks); the push is applied again, whole, and the field both sides changed is
    still one conflict with both values, not overwritten."""
    import threading

    laptop, server = laptop_and_server
    both, only_laptop = (c["reference"] for c in cases_of(capsys, laptop)[:2])
    ok(capsys, "--workspace", laptop, "case", "set", both, "household_size=3")
    ok(capsys, "--workspace", server, "case", "set", both, "household_size=9")
    ok(capsys, "--workspace", laptop, "case", "set", only_laptop, "priority=urgent")
    case_holder, clock_holder = psycopg.connect(server), psycopg.connect(server)
    for con in (case_holder, clock_holder):
        con.execute("SET deadlock_timeout = '10min'")
    case_holder.execute('SELECT 1 FROM "case" WHERE reference = %s FOR UPDATE', (only_laptop,))
    assert clock_holder.execute("SELECT 1 FROM workspace_info WHERE key = 'hlc_seen' FOR UPDATE").fetchone()
    outcome: list[object] = []
    pushing = threading.Thread(target=lambda: outcome.append(main(
        ["--workspace", laptop, "sync", "push", "--server", server + "&options=-c%20deadlock_timeout%3D100ms"])))
    pushing.start()
    _until_waiting_for_a_lock(server, besides=(case_holder.info.backend_pid, clock_holder.info.backend_pid))

    def ask_for_workspace_info() -> None:
        clock_holder.execute("UPDATE workspace_info SET value = value WHERE key = 'replica_id'")
        clock_holder.commit()  # once the server aborted the push: the push's retry then goes on

    asking = threading.Thread(target=ask_for_workspace_info)
    asking.start()
    _until_waiting_for_a_lock(server, pid=clock_holder.info.backend_pid)
    case_holder.commit()
    pushing.join(60)
    asking.join(60)
    case_holder.close()
    clock_holder.close()
    out, err = capsys.readouterr()
    assert outcome == [0], err
    assert "1 new conflict(s)" in out
    with psycopg.connect(server, autocommit=True) as con:  # the server did find the deadlock
        for _ in range(3000):  # bounded: the push's session reports it as it ends
            con.execute("SELECT pg_stat_clear_snapshot()")
            if con.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
                           ).fetchone()[0]:
                break
            con.execute("SELECT pg_sleep(0.01)")
        else:
            pytest.fail("no deadlock was detected")
    (conflict,) = conflicts_of(capsys, server)
    assert {str(conflict["ours"]), str(conflict["theirs"])} == {"3", "9"}
    assert case_field(capsys, server, only_laptop, "priority") == "urgent"
    assert "nothing new" in ok(capsys, "--workspace", laptop, "sync", "push", "--server", server)
