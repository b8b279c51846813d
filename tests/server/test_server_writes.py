"""The write path on a server: an operation's audit records, change notice and change log are
sent together (a psycopg pipeline), whatever their number."""

from __future__ import annotations

import psycopg
from sqlalchemy import select

from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Case


def test_an_operation_with_more_audit_records_than_a_copy_batch_is_saved_whole(server_demo):
    """Beyond 500 rows the audit trail goes by COPY, which cannot join the batch of statements
    an operation sends at its end: those rows go by INSERT then, and nothing is left out."""
    with Workspace.open(server_demo) as ws:
        with ws.operation("many_fields") as op:
            cases = op.session.scalars(select(Case).where(Case.deleted_at.is_(None)).order_by(Case.id)).all()
            assert len(cases) >= 250
            for case in cases:
                op.update(case, notes=f"checked {case.reference}", household_size=(case.household_size or 0) + 1)
    with psycopg.connect(server_demo) as con:
        (audited,) = con.execute("SELECT count(*) FROM activity WHERE operation_id = %s", (op.id,)).fetchone()
        (logged,) = con.execute("SELECT count(*) FROM sync_change WHERE operation = 'many_fields'").fetchone()
        (touched,) = con.execute("SELECT count(*) FROM \"case\" WHERE last_activity_at = "
                                 "(SELECT at FROM activity WHERE operation_id = %s LIMIT 1)", (op.id,)).fetchone()
    assert audited == logged == 2 * len(cases) >= 500
    assert touched == len(cases)


def _log_of(url: str, operation: str) -> list[tuple]:
    with psycopg.connect(url) as con:
        return con.execute("SELECT replica, seq, hlc, field, value, base FROM sync_change WHERE operation = %s "
                           "ORDER BY seq", (operation,)).fetchall()


def test_a_server_numbers_an_operations_changes_after_the_last_and_a_change_on_another_names_it(server_demo):
    """The server numbers the changes itself (in the round trip that commits them): gap-free after
    the last, one clock later than any before. A field changed twice in one operation stands on its
    first change, which must then be numbered before it is named: numbered by the client, as on a laptop."""
    with Workspace.open(server_demo) as ws:
        with psycopg.connect(server_demo) as con:
            last_seq, last_hlc = con.execute("SELECT max(seq), max(hlc) FROM sync_change").fetchone()
        with ws.session() as s:
            first, second = s.scalars(select(Case).where(Case.deleted_at.is_(None)).order_by(Case.id).limit(2)).all()
        with ws.operation("two_cases") as op:
            for case in op.session.scalars(select(Case).where(Case.id.in_([first.id, second.id]))):
                op.update(case, notes="numbered by the server")
        with ws.operation("one_field_twice") as op:
            case = op.session.get(Case, first.id)
            op.update(case, notes="first")
            op.update(case, notes="second")
    numbered = _log_of(server_demo, "two_cases")
    assert [seq for _, seq, *_ in numbered] == [last_seq + 1, last_seq + 2]
    assert len({hlc for _, _, hlc, *_ in numbered}) == 1 and numbered[0][2] > last_hlc
    twice = _log_of(server_demo, "one_field_twice")
    (replica, seq, hlc, _, _, base), (_, seq2, hlc2, _, value, base2) = twice
    assert seq == last_seq + 3 and seq2 == seq + 1 and hlc == hlc2 > numbered[0][2]
    assert base2 == f"{replica}:{seq}" and value == '"second"'
    with psycopg.connect(server_demo) as con:
        heads = con.execute("SELECT replica, seq, value FROM sync_head WHERE entity = 'case' AND row_id = %s "
                            "AND field = 'notes'", (first.id,)).fetchall()
    assert heads == [(replica, seq2, '"second"')]
