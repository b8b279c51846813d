"""Laptops that work apart and converge: the change log, bundles, merging, conflicts.

See changelog.py (what is recorded), apply.py (the merge rules), exchange.py (bundles,
joining), conflicts.py, duplicates.py and identity.py. The erasure of a household
(services/erasure.py) calls :func:`scrub_case`.
"""

from __future__ import annotations

from typing import Any

from recovery_desk.services.sync.sql import run_sql


def scrub_case(session: Any, case_id: str, values: list[str]) -> None:
    """The erasure of a case, in the change log: every stored copy of ``values`` in this
    laptop's log is replaced by the erased marker, and ``erase`` changes (the blanked fields of
    the case and of its needs and conferences, never the values) go to the other laptops,
    which blank those fields and scrub their own logs and audit trails when they receive them.

    Values copied into other free text (comments, task titles…) are replaced here by the
    erasure itself; on the other laptops only the case's own fields and its needs' and
    conferences' notes are blanked (a bundle cannot name the values without carrying them).
    """
    import json

    from recovery_desk.services.erasure import PERSONAL_FIELDS, TEXT_DEFAULTS, _scrub_json_text
    from recovery_desk.services.operation import encode
    from recovery_desk.services.sync import changelog

    conn = session.connection()
    if values:
        for table, columns in (("sync_change", "replica, seq"), ("sync_head", "entity, row_id, field, replica, seq")):
            keys = columns.split(", ")
            for row in run_sql(conn, f"SELECT {columns}, value FROM {table} WHERE value IS NOT NULL").all():
                value = row[-1]
                if any(v in value or json.dumps(v, ensure_ascii=False)[1:-1] in value for v in values):
                    run_sql(conn, f"UPDATE {table} SET value = ? WHERE {' AND '.join(k + ' = ?' for k in keys)}",
                                         (_scrub_json_text(value, values), *row[:-1]))
    blanks = {name: encode(TEXT_DEFAULTS[name]) for name in PERSONAL_FIELDS}
    erasures = [("erase", "case", case_id, None, json.dumps(blanks))]
    for entity, name in (("need", "note"), ("conference", "notes")):
        for (row_id,) in run_sql(conn, f'SELECT id FROM "{entity}" WHERE case_id = ?', (case_id,)):
            erasures.append(("erase", entity, row_id, None, json.dumps({name: encode("")})))
    for _kind, entity, row_id, _field, value in erasures:
        changelog.scrub(conn, entity, row_id, json.loads(value), before_hlc=None)
    changelog.record_outside_operation(conn, "erase_case", erasures)
