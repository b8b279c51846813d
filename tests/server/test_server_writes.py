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
