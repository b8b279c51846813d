"""Who may see what, enforced by the server: each role signs in (psycopg and a plain psql) and
the test proves what it is refused. The workspace is the demo after `server init`."""

from __future__ import annotations

import json
import os
import subprocess

import psycopg
import pytest

from recovery_desk.cli.main import main
from tests.pg_helpers import as_user

MEMBER_ORG = "七尾市役所"


@pytest.fixture(scope="module")
def access(pg_server, demo_path_pg):
    """The demo with roles: an owner URL, and a URL per person (viewer, member, coordinator)."""
    owner = pg_server.copy_of_demo(user="Test User (Test Org)")
    assert main(["server", "init", owner]) == 0
    people = {"official": ("viewer", None), "member_x": ("member", MEMBER_ORG), "coord": ("coordinator", None)}
    for name, (role, org) in people.items():
        argv = ["--workspace", owner, "server", "add-user", name, "--role", role]
        assert main(argv + (["--organisation", org] if org else [])) == 0
    urls = {name: as_user(owner, name) for name in people}
    yield owner, urls
    pg_server.drop(owner)


def household_secrets(owner: str) -> set[str]:
    with psycopg.connect(owner) as con:
        rows = con.execute('SELECT contact_name, contact_phone FROM public."case"').fetchall()
    secrets = {v for row in rows for v in row if v and len(v) >= 4}
    assert len(secrets) > 200
    return secrets


def readable_relations(con: psycopg.Connection) -> list[str]:
    """Every table and view this role may SELECT from, in every schema but the catalogs."""
    return [r[0] for r in con.execute(
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'v', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND has_table_privilege(c.oid, 'SELECT')")]


def test_a_viewer_reads_no_household_name_or_phone_from_any_table_or_view(access):
    owner, urls = access
    secrets = household_secrets(owner)
    with psycopg.connect(urls["official"]) as con:
        relations = readable_relations(con)
        assert 'rd_restricted."case"' in relations and "rd_restricted.activity" in relations
        assert not any(r.startswith("public.") and r not in ("public.alembic_version", "public.workspace_info",
                                                               "public.rd_me") for r in relations)
        for relation in relations:
            for row in con.execute(f"SELECT * FROM {relation}"):
                text = json.dumps(row, default=str, ensure_ascii=False)
                leaked = [s for s in secrets if s in text]
                assert not leaked, f"{relation} shows {leaked[:3]}"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute('SELECT contact_name FROM public."case"')
        con.rollback()
        # Nor any other personal column of a household (health, care needs, where they live).
        from recovery_desk.storage.server_access import PERSONAL_COLUMNS

        for column in PERSONAL_COLUMNS["case"]:
            shown = con.execute(f'SELECT count(*) FROM "case" WHERE "{column}" IS NOT NULL '
                                f"AND \"{column}\"::text <> ''").fetchone()[0]
            assert shown == 0, column


def test_a_viewer_in_psql_is_refused_the_table_and_gets_blanks_from_the_view(access):
    owner, urls = access
    psql = os.path.join(os.environ.get("RD_TEST_PG_BIN", "/usr/bin"), "psql")
    refused = subprocess.run([psql, urls["official"], "-tAc", 'SELECT contact_name FROM public."case" LIMIT 1'],
                             capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert refused.returncode != 0 and "permission denied" in refused.stderr
    blanks = subprocess.run([psql, urls["official"], "-tAc",
                             "SELECT count(*), count(*) FILTER (WHERE contact_name <> '' OR contact_phone <> '') "
                             'FROM "case"'], capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL)
    assert blanks.stdout.strip() == "300|0"
    as_other = subprocess.run([psql, urls["official"], "-tAc", "SET ROLE coord"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
    assert as_other.returncode != 0  # a viewer cannot become someone else


def test_a_viewer_gets_every_figure_and_the_incident_report(access, capsys, tmp_path):
    owner, urls = access
    with psycopg.connect(owner) as con:  # care-needs categories on a few cases (the demo has none)
        con.execute('UPDATE public."case" SET vulnerable_categories = %s WHERE id IN '
                    '(SELECT id FROM public."case" ORDER BY reference LIMIT 3)', ("elderly_alone disability",))
    figures = []
    for url in (owner, urls["official"]):
        assert main(["--workspace", url, "stats", "--json", "--to", "2024-06-30"]) == 0
        figures.append(json.loads(capsys.readouterr().out))
    # Care-needs categories are personal data, blanked for viewers row by row; their counts are
    # figures all the same (an aggregate view gives them).
    assert sum(figures[0]["cases"]["by_vulnerability"].values()) > 0
    assert figures[0] == figures[1]
    assert main(["--workspace", urls["official"], "report", "incident", "--out", str(tmp_path / "r.pdf"),
                 "--as-of", "2024-06-30"]) == 0
    assert (tmp_path / "r.pdf").stat().st_size > 10_000


def test_a_viewer_cannot_change_anything_and_is_told_why(access, capsys):
    owner, urls = access
    code = main(["--workspace", urls["official"], "case", "set", "NANAO-0001", "priority=urgent"])
    err = capsys.readouterr().err
    assert code == 1 and "does not allow this to your role" in err and len(err.strip().splitlines()) == 1


def test_a_member_sees_only_the_cases_their_organisation_takes_part_in(access):
    owner, urls = access
    with psycopg.connect(owner) as con:
        ours = {r[0] for r in con.execute(
            'SELECT DISTINCT p.case_id FROM public.participation p JOIN public.organisation o '
            "ON o.id = p.organisation_id WHERE o.name = %s AND p.deleted_at IS NULL", (MEMBER_ORG,))}
        other = con.execute('SELECT id, reference FROM public."case" WHERE NOT (id = ANY(%s)) LIMIT 1',
                            (list(ours),)).fetchone()
        consented = {r[0] for r in con.execute(
            "SELECT case_id FROM public.consent WHERE given AND scope IN ('coordination', 'reports') "
            "AND deleted_at IS NULL AND (expires_on IS NULL OR expires_on >= current_date)")}
    assert 0 < len(ours) < 300 and other
    with psycopg.connect(urls["member_x"]) as con:
        seen = {r[0] for r in con.execute('SELECT id FROM "case"')}
        assert seen == ours
        assert con.execute('SELECT count(*) FROM "case" WHERE id = %s', (other[0],)).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM task WHERE case_id = %s", (other[0],)).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM need WHERE case_id = %s", (other[0],)).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM activity WHERE case_id = %s", (other[0],)).fetchone()[0] == 0
        named = {r[0] for r in con.execute('SELECT id FROM "case" WHERE contact_name <> \'\'')}
        assert named and named <= ours & consented
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("SELECT * FROM public.task")


def test_a_members_change_is_audited_under_their_role_and_personal_data_needs_consent(access, capsys):
    from recovery_desk.domain.errors import RecoveryDeskError
    from recovery_desk.services import cases
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.models import Activity, Case

    owner, urls = access
    with psycopg.connect(owner) as con:
        ours = [r for r in con.execute(
            'SELECT c.id, c.reference, EXISTS (SELECT 1 FROM public.consent k WHERE k.case_id = c.id AND k.given '
            "AND k.scope IN ('coordination', 'reports') AND k.deleted_at IS NULL AND (k.expires_on IS NULL "
            'OR k.expires_on >= current_date)) FROM public."case" c WHERE EXISTS (SELECT 1 FROM public.participation p '
            "JOIN public.organisation o ON o.id = p.organisation_id WHERE p.case_id = c.id AND o.name = %s "
            "AND p.deleted_at IS NULL) AND c.deleted_at IS NULL ORDER BY c.reference", (MEMBER_ORG,))]
    without_consent = next(r for r in ours if not r[2])
    with Workspace.open(urls["member_x"], actor="typed name is ignored") as ws:
        assert ws.actor == "member_x"
        cases.update_case(ws, without_consent[0], priority="urgent")
        with pytest.raises(Exception) as refused:
            cases.update_case(ws, without_consent[0], contact_phone="0767-00-0000")
        assert "not yours to change" in str(refused.value) or isinstance(refused.value, RecoveryDeskError)
        with ws.session() as s:
            assert s.get(Case, without_consent[0]).priority == "urgent"
            actors = {a.actor for a in s.query(Activity).filter(Activity.entity_id == without_consent[0],
                                                                Activity.field == "priority")}
    assert actors == {"member_x"}
    with psycopg.connect(owner) as con:
        phone = con.execute('SELECT contact_phone FROM public."case" WHERE id = %s', (without_consent[0],)).fetchone()
        assert phone[0] != "0767-00-0000" and phone[0] != ""  # neither changed nor blanked by the save


@pytest.fixture
def private_access(server_demo):
    """Like ``access`` on a private copy (this test adds a case)."""
    assert main(["server", "init", server_demo]) == 0
    for name, role, org in (("official", "viewer", None), ("member_x", "member", MEMBER_ORG)):
        argv = ["--workspace", server_demo, "server", "add-user", name, "--role", role]
        assert main(argv + (["--organisation", org] if org else [])) == 0
    return server_demo, {name: as_user(server_demo, name) for name in ("official", "member_x")}


def test_the_change_log_shows_no_household_data_to_a_viewer_or_another_organisation(private_access):
    """Every value ever written is in the change log (sync_change, sync_head): personal data
    typed after the demo was built (a field changed, a case created one at a time) must not be
    readable there by a viewer, nor by a member of an organisation not on that case (neither reads
    a personal value of the log; tests/server/test_log_privacy.py says what else each reads); and
    a member's own edits still go into the log through its view, heads included."""
    from recovery_desk.services import cases
    from recovery_desk.services.workspace import Workspace

    owner, urls = private_access
    secrets = {"phone": "0767-99-4321", "name": "能登 秘密子", "new": "七尾 新規世帯"}
    with Workspace.open(owner) as ws:
        with psycopg.connect(owner) as con:
            (outside,) = con.execute(
                'SELECT c.id FROM public."case" c WHERE c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM '
                "public.participation p JOIN public.organisation o ON o.id = p.organisation_id WHERE "
                "p.case_id = c.id AND o.name = %s) ORDER BY c.reference LIMIT 1", (MEMBER_ORG,)).fetchone()
        cases.update_case(ws, outside, contact_phone=secrets["phone"], contact_name=secrets["name"])
        cases.create_case(ws, contact_name=secrets["new"], address="七尾市 秘密町 1-2-3")
    with psycopg.connect(owner) as con:  # the log does hold them (else this test proves nothing)
        assert con.execute("SELECT count(*) FROM public.sync_change WHERE value LIKE %s",
                           (f"%{secrets['phone']}%",)).fetchone()[0] == 1
    for person in ("official", "member_x"):
        with psycopg.connect(urls[person]) as con:
            for relation in readable_relations(con):
                for row in con.execute(f"SELECT * FROM {relation}"):
                    text = json.dumps(row, default=str, ensure_ascii=False)
                    leaked = [v for v in secrets.values() if v in text]
                    assert not leaked, f"{person} reads {leaked} in {relation}"
            for table in ("sync_change", "sync_head"):
                assert con.execute(f"SELECT count(*) FROM {table} WHERE value IS NOT NULL AND entity = 'case' "
                                   "AND field IN ('contact_name', 'contact_phone', 'address')").fetchone()[0] == 0
    with Workspace.open(urls["member_x"]) as ws, ws.session() as s:
        from sqlalchemy import select

        from recovery_desk.storage.models import Case

        theirs = s.scalars(select(Case.id).where(Case.deleted_at.is_(None), Case.priority != "low",
                                                 Case.priority != "high").order_by(Case.reference)).first()
    with Workspace.open(urls["member_x"]) as ws:
        cases.update_case(ws, theirs, priority="high")
        cases.update_case(ws, theirs, priority="low")
    with psycopg.connect(owner) as con:
        logged = [r[0] for r in con.execute(
            "SELECT value FROM public.sync_change WHERE entity = 'case' AND row_id = %s AND field = 'priority' "
            "AND actor = 'member_x' ORDER BY seq DESC LIMIT 2", (theirs,))]
        heads = [r[0] for r in con.execute(
            "SELECT value FROM public.sync_head WHERE entity = 'case' AND row_id = %s AND field = 'priority'",
            (theirs,))]
    assert logged == ['"low"', '"high"'] and heads == ['"low"']


def test_add_user_never_prompts_without_a_terminal_and_takes_a_password_file(access, pg_server, tmp_path):
    import sys

    owner, _urls = access
    with pg_server.admin() as con:
        con.execute("DROP ROLE IF EXISTS \"Ann O'Neil\"")
    password = tmp_path / "pw"
    password.write_text("s3cret horse\n")
    done = subprocess.run([sys.executable, "-m", "recovery_desk.cli.main", "--workspace", owner, "server",
                           "add-user", "Ann O'Neil", "--role", "viewer", "--password-file", str(password)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "s3cret" not in done.stdout + done.stderr
    with pg_server.admin() as con:
        verifier = con.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", ("Ann O'Neil",)).fetchone()[0]
    assert verifier.startswith("SCRAM-SHA-256$")
    done = subprocess.run([sys.executable, "-m", "recovery_desk.cli.main", "--workspace", owner, "server",
                           "add-user", "nopass", "--role", "viewer"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    bad = subprocess.run([sys.executable, "-m", "recovery_desk.cli.main", "--workspace", owner, "server",
                          "add-user", "m2", "--role", "member"], stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 1 and "--organisation" in bad.stderr


def test_server_init_on_an_existing_workspace_adds_only_what_is_missing(access, capsys):
    owner, urls = access
    assert main(["server", "init", owner]) == 0
    assert "in place" in capsys.readouterr().out
    with psycopg.connect(urls["official"]) as con:  # the people added before still sign in as before
        assert con.execute('SELECT count(*) FROM "case"').fetchone()[0] == 300


@pytest.mark.parametrize("person", ["official", "member_x"])
def test_the_window_of_a_restricted_role_opens_every_page_and_says_what_is_hidden(access, person, qtbot, worker):
    from recovery_desk.domain.errors import RecoveryDeskError
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.main_window import PAGES, MainWindow
    from tests.ui.conftest import _delete, wait_idle

    _owner, urls = access
    ctx = AppContext(worker)
    ctx.set_workspace(Workspace.open(urls[person]))
    errors: list = []
    ctx.error.connect(lambda exc, trace: errors.append((exc, trace)))
    window = MainWindow(ctx)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, ctx)
    for key, _label, _factory in PAGES:
        window.show_page(key)
        wait_idle(qtbot, ctx)
    expected = "(viewer)" if person == "official" else "(member of an organisation)"
    qtbot.waitUntil(lambda: expected in window.user_label.text(), timeout=5000)
    assert person in window.user_label.text()
    ctx.set_workspace(None)
    wait_idle(qtbot, ctx)
    _delete(window)
    assert not [e for e, _t in errors if not isinstance(e, RecoveryDeskError)], errors


def test_an_upgrade_rebuilds_the_restricted_views_for_the_new_columns(pg_server):
    """Views name every column: before a migration they are dropped, afterwards rebuilt from
    the new models, so a viewer reads the new schema (and no migration trips over a view)."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage import database, postgres
    from recovery_desk.storage.engines import ServerUrl

    url = pg_server.create_database(user="Test User (Test Org)")
    cfg = database.alembic_config()
    head = database.head_revision()
    previous = ScriptDirectory.from_config(cfg).get_revision(head).down_revision
    engine = postgres.make_engine(ServerUrl(url))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, previous)
    engine.dispose()
    with psycopg.connect(url) as con:
        con.execute("INSERT INTO workspace_info (key, value) VALUES ('replica_id', 'r-old')")
        con.execute("CREATE SCHEMA rd_restricted")
        con.execute('CREATE VIEW rd_restricted."case" AS SELECT * FROM public."case"')  # as an older version made
        con.execute("CREATE TABLE rd_user (role_name text PRIMARY KEY, kind text NOT NULL, "
                    "organisation_id varchar(36), added_at timestamp NOT NULL DEFAULT now())")
    with Workspace.open(url) as ws:
        assert ws.backup_made is not None
    from recovery_desk.storage.models import Case

    with psycopg.connect(url) as con:
        columns = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'rd_restricted' "
            "AND table_name = 'case'")}
        assert columns == set(Case.__table__.columns.keys())
        assert con.execute("SELECT to_regclass('rd_restricted.activity') IS NOT NULL").fetchone()[0]
    pg_server.drop(url)
