"""Laptops that work apart and converge: the change log, bundles, merging, conflicts.

See changelog.py (what is recorded), apply.py (the merge rules), exchange.py (bundles,
joining), conflicts.py, duplicates.py and identity.py. The erasure of a household
(services/erasure.py) calls :func:`scrub_case`.
"""

from __future__ import annotations

import json
from typing import Any

from recovery_desk.services.sync.sql import run_sql

# Rows of a case whose free text the erasure searches (a value copied into a task title, a
# comment…), found without the change log (rows created in bulk, by an import, are in no change).
_CASE_TEXT = (
    ("task", ("title", "description"), "SELECT id, {columns} FROM task WHERE case_id = ?"),
    ("comment", ("body",), "SELECT c.id, {columns} FROM comment c JOIN task t ON t.id = c.task_id WHERE t.case_id = ?"),
    ("conference", ("title", "notes"), "SELECT id, {columns} FROM conference WHERE case_id = ?"),
    ("decision", ("text",), "SELECT d.id, {columns} FROM decision d JOIN conference f ON f.id = d.conference_id "
                            "WHERE f.case_id = ?"),
)


def scrub_case(session: Any, case_id: str, values: list[str]) -> None:
    """The erasure of a case, in the change log: every stored copy of ``values`` in this
    laptop's log is replaced by the erased marker, and ``erase`` changes go to the other
    laptops (the blanked fields, never the values): the case's personal fields, its needs'
    and conferences' notes, and every other free text where this laptop found a value (a
    task title, a comment…) with its text as erased here. Receivers put those texts in
    place and scrub their own logs and audit trails.

    Called by the erasure (services/erasure.py) after it replaced the values in the rows,
    in the same transaction. A text another laptop wrote that this one never had (a comment
    made there meanwhile) is not found here: the erasure must be repeated there.
    """
    from recovery_desk.services.erasure import PERSONAL_FIELDS, TEXT_DEFAULTS, _scrub_json_text
    from recovery_desk.services.operation import encode
    from recovery_desk.services.sync import changelog

    conn = session.connection()
    copies = _copies_in_free_text(conn, case_id, values) if values else {}
    if values:
        for table, columns in (("sync_change", "replica, seq"), ("sync_head", "entity, row_id, field, replica, seq")):
            keys = columns.split(", ")
            for row in run_sql(conn, f"SELECT {columns}, value FROM {table} WHERE value IS NOT NULL").all():
                value = row[-1]
                if _holds(value, values):
                    run_sql(conn, f"UPDATE {table} SET value = ? WHERE {' AND '.join(k + ' = ?' for k in keys)}",
                                         (_scrub_json_text(value, values), *row[:-1]))
    blanks = {name: encode(TEXT_DEFAULTS[name]) for name in PERSONAL_FIELDS}
    erasures = [("erase", "case", case_id, None, json.dumps(blanks))]
    for entity, name in (("need", "note"), ("conference", "notes")):
        for (row_id,) in run_sql(conn, f'SELECT id FROM "{entity}" WHERE case_id = ?', (case_id,)):
            erasures.append(("erase", entity, row_id, None, json.dumps({name: encode("")})))
    for (entity, row_id), names in sorted(copies.items()):
        if entity == "case" and row_id == case_id:
            continue
        columns = sorted(names - ({"notes"} if entity == "conference" else set()))
        if not columns:
            continue
        row = run_sql(conn, f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{entity}" WHERE id = ?',
                      (row_id,)).fetchone()
        if row is not None:  # the text as the erasure left it here
            erasures.append(("erase", entity, row_id, None,
                             json.dumps({c: encode(v) for c, v in zip(columns, row, strict=True)}, ensure_ascii=False)))
    for _kind, entity, row_id, _field, value in erasures:
        changelog.scrub(conn, entity, row_id, json.loads(value), before_hlc=None)
    changelog.record_outside_operation(conn, "erase_case", erasures)


def _holds(text: str, values: list[str]) -> bool:
    return any(v in text or json.dumps(v, ensure_ascii=False)[1:-1] in text for v in values)


def _copies_in_free_text(conn: Any, case_id: str, values: list[str]) -> dict[tuple[str, str], set[str]]:
    """{(entity, row id): free-text fields} that held one of ``values``: found in the change
    log (before it is scrubbed: the rows already are), and among the case's own rows whose
    text the erasure changed (rows of an import are in no change)."""
    from recovery_desk.services.erasure import ERASED, FREE_TEXT

    free = set(FREE_TEXT)
    found: dict[tuple[str, str], set[str]] = {}
    for kind, entity, row_id, name, value in run_sql(conn,
            "SELECT kind, entity, row_id, field, value FROM sync_change WHERE kind IN ('create', 'update') "
            "AND value IS NOT NULL").all():
        if not _holds(value, values):
            continue
        if kind == "update":
            if (entity, name) in free:
                found.setdefault((entity, row_id), set()).add(name)
            continue
        snapshot = json.loads(value)
        for key, text in snapshot.items():
            if (entity, key) in free and isinstance(text, str) and _holds(text, values):
                found.setdefault((entity, row_id), set()).add(key)
    for entity, columns, query in _CASE_TEXT:
        sql = query.format(columns=", ".join(columns))
        for row_id, *texts in run_sql(conn, sql, (case_id,)).all():
            for column, text in zip(columns, texts, strict=True):
                if text and ERASED in text:
                    found.setdefault((entity, row_id), set()).add(column)
    return found
