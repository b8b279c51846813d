"""The change log on a server, as each role reads it (issue 12, point 3): a member reads the
log's rows of the cases its organisation takes part in and nothing that says which rows of
other cases changed, or when; it sees the conflicts of its own cases (with the values its
role may read); a viewer counts conflicts and reads no personal value. Enforced by the
server's views: checked through plain psycopg sessions as each role, and through the CLI."""

from __future__ import annotations

import json
import os
import subprocess

import psycopg
import pytest

from recovery_desk.cli.main import main
from tests.pg_helpers import as_user

MEMBER_ORG = "七尾市役所"


def ok(capsys, *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def conflicts_of(capsys, target: str) -> list[dict]:
    return json.loads(ok(capsys, "--workspace", target, "sync", "conflicts", "--json"))["conflicts"]


@pytest.fixture
def conflicted(server_demo, tmp_path, capsys):
    """The demo with roles, and three open conflicts left by a laptop's push: the priority of a
    case the member's organisation takes part in (ours), the contact phone of that case (no
    consent to share it), and the priority of a case it does not take part in (theirs)."""
    owner = server_demo
    ok(capsys, "server", "init", owner)
    for name, role, org in (("official", "viewer", None), ("member_x", "member", MEMBER_ORG)):
        ok(capsys, "--workspace", owner, "server", "add-user", name, "--role", role,
           *(["--organisation", org] if org else []))
    with psycopg.connect(owner) as con:
        taking_part = ("EXISTS (SELECT 1 FROM public.participation p JOIN public.organisation o "
                       "ON o.id = p.organisation_id WHERE p.case_id = c.id AND o.name = %s AND p.deleted_at IS NULL)")
        consented = ("EXISTS (SELECT 1 FROM public.consent k WHERE k.case_id = c.id AND k.given AND k.deleted_at "
                     "IS NULL AND k.scope IN ('coordination', 'reports'))")
        ours = con.execute(f'SELECT c.id, c.reference FROM public."case" c WHERE c.deleted_at IS NULL AND {taking_part} '
                           f"AND NOT {consented} ORDER BY c.reference LIMIT 1", (MEMBER_ORG,)).fetchone()
        theirs = con.execute(f'SELECT c.id, c.reference FROM public."case" c WHERE c.deleted_at IS NULL '
                             f"AND NOT {taking_part} ORDER BY c.reference LIMIT 1", (MEMBER_ORG,)).fetchone()
    laptop = str(tmp_path / "field.rdesk")
    ok(capsys, "--workspace", owner, "server", "copy-to-file", laptop)
    for target, priority, phone in ((laptop, "urgent", "0767-11-1111"), (owner, "low", "0767-22-2222")):
        ok(capsys, "--workspace", target, "case", "set", ours[1], f"priority={priority}", f"contact_phone={phone}")
        ok(capsys, "--workspace", target, "case", "set", theirs[1], f"priority={priority}")
    ok(capsys, "--workspace", laptop, "sync", "push", "--server", owner)
    return owner, {name: as_user(owner, name) for name in ("official", "member_x")}, ours, theirs


def test_a_member_reads_nothing_of_the_log_rows_of_a_case_it_does_not_take_part_in(conflicted):
    owner, urls, ours, theirs = conflicted
    with psycopg.connect(owner) as con:  # the log holds changes of both cases (else this proves nothing)
        logged = {r[0] for r in con.execute("SELECT DISTINCT row_id FROM public.sync_change WHERE row_id = ANY(%s)",
                                            ([ours[0], theirs[0]],))}
        (total,) = con.execute("SELECT count(*) FROM public.sync_change").fetchone()
    assert logged == {ours[0], theirs[0]}
    with psycopg.connect(urls["member_x"]) as con:
        for table in ("sync_change", "sync_head"):
            assert con.execute(f"SELECT count(*) FROM {table} WHERE row_id = %s", (theirs[0],)).fetchone()[0] == 0
            assert con.execute(f"SELECT count(*) FROM {table} WHERE row_id = %s", (ours[0],)).fetchone()[0] > 0
        # Every change keeps its number (the next write's numbering reads it), saying nothing more.
        assert con.execute("SELECT count(*) FROM sync_change").fetchone()[0] == total
        hidden = con.execute("SELECT DISTINCT entity, row_id, field, value, actor, at, operation FROM sync_change "
                             "WHERE entity = ''").fetchall()
        assert hidden == [("", "", None, None, "", 0, "")]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE sync_change SET seq = seq + 1000000")
        con.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("DELETE FROM sync_change")
    # The same through a plain psql session of the member.
    psql = os.path.join(os.environ.get("RD_TEST_PG_BIN", "/usr/bin"), "psql")
    seen = subprocess.run([psql, urls["member_x"], "-tAc", "SELECT count(*) FROM sync_change WHERE row_id = "
                           f"'{theirs[0]}'; SELECT count(*) FROM sync_head WHERE row_id = '{theirs[0]}'"],
                          capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL)
    assert seen.stdout.split() == ["0", "0"]
    refused = subprocess.run([psql, urls["member_x"], "-tAc", "DELETE FROM sync_change"], capture_output=True,
                             text=True, stdin=subprocess.DEVNULL)
    assert refused.returncode != 0 and "permission denied" in refused.stderr


def test_a_member_sees_the_conflicts_of_its_own_cases_within_what_it_may_read(conflicted, capsys):
    owner, urls, ours, theirs = conflicted
    everyone = conflicts_of(capsys, owner)
    assert {(c["reference"], c["field"]) for c in everyone} == {
        (ours[1], "priority"), (ours[1], "contact_phone"), (theirs[1], "priority")}
    seen = conflicts_of(capsys, urls["member_x"])
    assert [(c["reference"], c["field"]) for c in seen] == [(ours[1], "priority")]
    assert {seen[0]["ours"], seen[0]["theirs"]} == {"urgent", "low"}
    assert seen[0]["id"] == next(c["id"] for c in everyone if (c["reference"], c["field"]) == (ours[1], "priority"))


def test_a_viewer_counts_the_conflicts_it_may_know_of_and_reads_no_personal_value(conflicted, capsys):
    owner, urls, ours, theirs = conflicted
    seen = conflicts_of(capsys, urls["official"])
    assert sorted((c["reference"], c["field"]) for c in seen) == sorted([(ours[1], "priority"),
                                                                         (theirs[1], "priority")])
    with psycopg.connect(urls["official"]) as con:
        for table in ("sync_change", "sync_head"):
            for row in con.execute(f"SELECT * FROM {table}"):
                text = json.dumps(row, default=str, ensure_ascii=False)
                assert "0767-11-1111" not in text and "0767-22-2222" not in text, (table, text)
