"""``stats`` on a server reads on two connections (storage/postgres.py ``sharing_snapshot``) that
must see one and the same state of the workspace: the figures agree with each other."""

from __future__ import annotations

import json

import psycopg
import pytest
from psycopg import sql

from recovery_desk.cli.main import main
from recovery_desk.services.figures import compute_figures
from recovery_desk.storage import postgres
from recovery_desk.storage.engines import ServerUrl
from tests.pg_helpers import as_user


def _figures_now(url: str) -> dict:
    with psycopg.connect(url) as con:
        return compute_figures(con)


def _delete_a_case_and_a_person(url: str) -> None:
    """Committed by a third connection: changes figures of both lanes (cases, tasks and people
    on the second connection; sector masks and needs on the first)."""
    with psycopg.connect(url, autocommit=True) as writer:
        writer.execute('UPDATE "case" SET deleted_at = now() WHERE id = '
                       "(SELECT case_id FROM participation WHERE deleted_at IS NULL AND role = 'lead' LIMIT 1)")
        writer.execute("UPDATE person SET deleted_at = now() WHERE id = "
                       "(SELECT id FROM person WHERE deleted_at IS NULL LIMIT 1)")


def test_a_change_committed_after_the_export_is_seen_by_neither_connection(server_demo):
    url = ServerUrl(server_demo)
    before = _figures_now(server_demo)
    with postgres.connect_dbapi(url) as con:
        postgres.read_in_one_snapshot(con)
        with postgres.sharing_snapshot(con, url) as beside:
            assert beside is not None
            _delete_a_case_and_a_person(server_demo)
            for each in (con, beside):
                (live,) = each.execute('SELECT count(*) FROM "case" WHERE deleted_at IS NULL').fetchone()
                assert live == before["cases"]["total"]
            during = compute_figures(con, beside=beside)
    after = _figures_now(server_demo)
    assert during == before
    assert after["cases"]["total"] == before["cases"]["total"] - 1
    assert after["people"]["total"] == before["people"]["total"] - 1
    assert after["cases"]["by_sectors_engaged"] != before["cases"]["by_sectors_engaged"]


def test_the_figures_on_two_connections_are_those_on_one(server_demo, capsys):
    url = ServerUrl(server_demo)
    with postgres.connect_dbapi(url) as con:
        postgres.read_in_one_snapshot(con)
        with postgres.sharing_snapshot(con, url) as beside:
            assert beside is not None
            on_two = compute_figures(con, beside=beside)
    assert on_two == _figures_now(server_demo)
    assert main(["--workspace", server_demo, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(on_two))


def test_a_failure_on_the_second_connection_reaches_the_caller(server_demo):
    url = ServerUrl(server_demo)
    with postgres.connect_dbapi(url) as con:
        postgres.read_in_one_snapshot(con)
        with postgres.sharing_snapshot(con, url) as beside:
            beside.close()
            with pytest.raises(psycopg.OperationalError):
                compute_figures(con, beside=beside)


@pytest.fixture
def one_connection_only(pg_server, server_demo):
    """The demo as a role that may hold one connection at a time (superusers have no limit)."""
    role = "rd_one_connection"
    with pg_server.admin() as admin:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN CONNECTION LIMIT 1").format(sql.Identifier(role)))
    with psycopg.connect(server_demo, autocommit=True) as owner:
        owner.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(sql.Identifier(role)))
    yield as_user(server_demo, role)
    pg_server.drop(server_demo)
    with pg_server.admin() as admin:
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_without_a_second_connection_one_does_all(one_connection_only, server_demo, capsys):
    url = ServerUrl(one_connection_only)
    with postgres.connect_dbapi(url) as con:
        postgres.read_in_one_snapshot(con)
        with postgres.sharing_snapshot(con, url) as beside:
            assert beside is None
    assert main(["--workspace", one_connection_only, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(_figures_now(server_demo)))


@pytest.fixture
def demo_pair_with_deleted_cases(pg_server, tmp_path):
    """`demo --cases 300 --seed 1` on a file and on a server, the same three cases (with tasks,
    needs and participations) deleted in both."""
    import sqlite3

    from tests.conftest import DEMO_AS_OF

    file = tmp_path / "demo.rdesk"
    url = pg_server.create_database(user="Test User (Test Org)")
    for target in (str(file), url):
        assert main(["--workspace", target, "demo", "--cases", "300", "--seed", "1",
                     "--as-of", DEMO_AS_OF.isoformat()]) == 0
    with sqlite3.connect(file) as lite:
        references = [r for (r,) in lite.execute(
            'SELECT c.reference FROM "case" c JOIN task t ON t.case_id = c.id GROUP BY c.reference '
            "ORDER BY count(*) DESC, c.reference LIMIT 3")]
        delete = 'UPDATE "case" SET deleted_at = \'2024-06-01 00:00:00\' WHERE reference IN ({})'
        lite.execute(delete.format(", ".join("?" * len(references))), references)
    lite.close()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(delete.format(", ".join(["%s"] * len(references))), references)
    yield file, url
    pg_server.drop(url)


def test_deleted_cases_are_left_out_alike_on_a_file_and_a_server(demo_pair_with_deleted_cases, capsys):
    file, url = demo_pair_with_deleted_cases
    capsys.readouterr()
    figures = []
    for target in (str(file), url):
        assert main(["--workspace", target, "stats", "--json"]) == 0
        figures.append(json.loads(capsys.readouterr().out))
    assert figures[0] == figures[1]
    assert figures[0]["cases"]["total"] == 297
    # Counted directly, row by row: the figures' own SQL (the same on both engines) could be
    # wrong alike on both.
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(file)) as lite:
        live = 'FROM task t JOIN "case" c ON c.id = t.case_id WHERE t.deleted_at IS NULL AND c.deleted_at IS NULL'
        (tasks,) = lite.execute(f"SELECT count(*) {live}").fetchone()
        by_status = dict(lite.execute(f"SELECT t.status, count(*) {live} GROUP BY 1").fetchall())
        (overdue,) = lite.execute(f"SELECT count(*) {live} AND t.due_date < ? AND t.status NOT IN ('done', 'cancelled')",
                                  (figures[0]["period"]["as_of"],)).fetchone()
    assert figures[0]["tasks"]["total"] == tasks
    assert {k: v for k, v in figures[0]["tasks"]["by_status"].items() if v} == by_status
    assert figures[0]["tasks"]["overdue"] == overdue
