"""Anonymising the incident as it closes: the personal data of every case erased at once.

What :func:`~recovery_desk.services.erasure.erase_case` guarantees for one household, for all
of them, set-based: a handful of statements for the rows, and **one pass over each free-text
column, the audit trail and the change log** whatever the number of households (erasing case
by case searched every text once per household: about an hour for 60,000 cases). The values to
hunt down (each case's name, phone, address, notes, vulnerable members, and their variants) are
searched all at once by :class:`Scrubber`.

What goes: every case's personal fields, its needs' notes and its conferences' notes; each copy
of a value in comments, task titles and descriptions, conference and decision texts; the audit
trail's old and new values and creation snapshots; the change log's values, creation snapshots
and heads. What stays: the anonymous record (references, areas, stages, needs, tasks, who took
part) and one audit record of the anonymisation naming the fields and the number of households.

Replicable: the anonymisation is one ``anon`` change in the change log, carrying its clock H.
A laptop that receives it runs :func:`anonymise_rows` on its own rows with ``before=H``: values
from changes made before H go (its own copies in free text too: it searches its own values),
values set by changes at or after H (a case created after the close) stay, so every laptop ends
with the same rows. Changes made before H that arrive later are blanked as they are applied
(services/sync/apply.py). A free text written before H on a laptop that had not yet seen the
anonymisation and arriving afterwards is not searched (as for one erasure: repeat it there).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from recovery_desk.services.erasure import (
    ERASED,
    FREE_TEXT,
    MIN_SCRUB_LENGTH,
    PERSONAL_FIELDS,
    TEXT_DEFAULTS,
    scrub_values,
)
from recovery_desk.services.sync.sql import run_sql
from recovery_desk.storage.models import BULK_CREATE

# The fields the anonymisation blanks, per table (what an ``anon`` change erases on arrival too).
ANONYMISED = {"case": PERSONAL_FIELDS, "need": ("note",), "conference": ("notes",)}
DEFAULTS = {**TEXT_DEFAULTS, "note": ""}


def blank(name: str) -> str | None:
    """The field's erased value as the audit trail and the change log encode it (JSON)."""
    value = DEFAULTS.get(name, "")
    return None if value is None else json.dumps(value)


class Scrubber:
    """Replaces every occurrence of any of many values by the erased marker, in one pass.

    The values (and their forms inside JSON text) go into a trie; a text is first checked for
    the values' first three characters (one set look-up per position), and only where one
    starts is the trie followed, longest value first (as erase_case replaces them). Linear in
    the text whatever the number of values: the 142,000 values of 60,000 cases take about a
    second to prepare (a regular expression of them all took Python's parser 5-15 s)."""

    def __init__(self, values: Iterable[str]):
        self._trie: dict[str, Any] = {}
        self._starts: set[str] = set()
        for value in values:
            for form in (value, json.dumps(value, ensure_ascii=False)[1:-1]):  # as in JSON text too
                if len(form) < MIN_SCRUB_LENGTH:
                    continue
                node = self._trie
                for ch in form:
                    node = node.setdefault(ch, {})
                node[""] = True  # a value ends here
                self._starts.add(form[:MIN_SCRUB_LENGTH])

    def __call__(self, text: str | None) -> str | None:
        if not text or not self._starts:
            return text
        starts, width = self._starts, MIN_SCRUB_LENGTH
        hits = [i for i in range(len(text) - width + 1) if text[i:i + width] in starts]
        if not hits:
            return text
        pieces, done = [], 0
        for i in hits:
            if i < done:
                continue
            node, j, end = self._trie, i, -1
            while j < len(text):
                node = node.get(text[j])
                if node is None:
                    break
                j += 1
                if "" in node:
                    end = j
            if end > 0:
                pieces += [text[done:i], ERASED]
                done = end
        return "".join(pieces) + text[done:] if pieces else text


@dataclass
class Anonymised:
    """What :func:`anonymise_rows` did."""

    case_ids: list[str] = field(default_factory=list)  # cases whose personal data went
    fields: set[str] = field(default_factory=set)  # personal fields that held something
    values: int = 0  # distinct values searched for


def anonymise_rows(conn: Any, before: int | None = None, progress: Any = None,
                   pending: Iterable[Any] = ()) -> Anonymised:
    """Erase, in the current transaction of ``conn``, every case's personal data (the module's
    docstring). ``before``: a received anonymisation's clock (values set at or after it stay);
    ``pending``: the receiving laptop's audit records and changes not written yet (dicts with
    old_value/new_value; Change objects with value), scrubbed the same way."""
    step = _Steps(progress)
    step(0)
    pending = list(pending)
    kept_rows, kept_fields = _set_since(conn, before, [p for p in pending if not isinstance(p, dict)])
    done = Anonymised()
    values: set[str] = set()
    blanked: dict[str, list[str]] = {}  # case id -> the fields blanked
    columns = ", ".join(f'"{name}"' for name in ("id", *PERSONAL_FIELDS))
    for row in run_sql(conn, f'SELECT {columns} FROM "case"').mappings():
        if row["id"] in kept_rows.get("case", ()):
            continue
        names = [n for n in PERSONAL_FIELDS if row[n] not in ("", None) and (row["id"], n) not in kept_fields["case"]]
        if names:
            blanked[row["id"]] = names
            done.fields.update(names)
            values.update(scrub_values(_Only(row, names)))
    done.case_ids, done.values = sorted(blanked), len(values)
    step(1)
    _blank_cases(conn, blanked)
    for table, (name,) in (("need", ANONYMISED["need"]), ("conference", ANONYMISED["conference"])):
        kept = {row_id for row_id, _n in kept_fields[table]} | kept_rows.get(table, set())
        ids = [row_id for (row_id,) in run_sql(conn, f'SELECT id FROM "{table}" WHERE "{name}" <> \'\'')
               if row_id not in kept]
        if ids:
            run_sql(conn, f'UPDATE "{table}" SET "{name}" = ? WHERE id = ?', [("", row_id) for row_id in ids])
    scrub = Scrubber(values)
    step(2)
    for table, column in FREE_TEXT:
        _scrub_column(conn, table, "id", (column,), scrub)
    step(3)
    _scrub_audit(conn, scrub)
    _scrub_pending(pending, scrub, before)
    step(4)
    _scrub_change_log(conn, scrub, before)
    step(5)
    return done


class _Only:
    """A case row seen through only some of its fields (the others read as empty)."""

    def __init__(self, row: Any, names: list[str]):
        self._row, self._names = row, names

    def __getattr__(self, name: str) -> Any:
        return self._row[name] if name in self._names else ""


class _Steps:
    PHASES = 6

    def __init__(self, progress: Any):
        self.progress = progress

    def __call__(self, done: int) -> None:
        if self.progress is not None:
            from recovery_desk.i18n import tr

            self.progress.report(done, self.PHASES, tr("Erasing the personal data of every case"))


def _set_since(conn: Any, before: int | None, batch: list[Any]
               ) -> tuple[dict[str, set[str]], dict[str, set[tuple[str, str]]]]:
    """Rows created, and (row, field) values set, by changes at or after ``before`` (in the log,
    or applied from the same bundle and not written yet): they stay."""
    rows: dict[str, set[str]] = {}
    fields: dict[str, set[tuple[str, str]]] = {table: set() for table in ANONYMISED}
    if before is None:
        return rows, fields
    logged = run_sql(conn, "SELECT kind, entity, row_id, field, value FROM sync_change "
                     "WHERE kind IN ('create', 'bulk', 'update') AND hlc >= ?", (before,)).all()
    later = [(c.kind, c.entity, c.row_id, c.field, c.value) for c in batch if c.hlc >= before]
    for kind, entity, row_id, name, value in [*logged, *later]:
        if entity not in ANONYMISED:
            continue
        if kind == "update":
            if name in ANONYMISED[entity]:
                fields[entity].add((row_id, name))
        elif kind in ("create", "bulk"):
            ids = json.loads(value or "{}").get("ids", []) if kind == "bulk" else [row_id]
            rows.setdefault(entity, set()).update(ids)
    return rows, fields


def _blank_cases(conn: Any, blanked: dict[str, list[str]]) -> None:
    """One statement per set of blanked fields (all of them, on the laptop that anonymises)."""
    from recovery_desk.services.operation import _format_datetime
    from recovery_desk.storage.models import utcnow

    now = _format_datetime(utcnow()) if conn.dialect.name == "sqlite" else utcnow()
    by_fields: dict[tuple[str, ...], list[str]] = {}
    for case_id, names in blanked.items():
        by_fields.setdefault(tuple(names), []).append(case_id)
    for names, ids in by_fields.items():
        sets = ", ".join(f'"{n}" = ?' for n in names)
        run_sql(conn, f'UPDATE "case" SET {sets}, updated_at = ?, row_version = row_version + 1 WHERE id = ?',
                [(*(DEFAULTS[n] for n in names), now, case_id) for case_id in ids])


def _scrub_column(conn: Any, table: str, key: str, columns: tuple[str, ...], scrub: Any,
                  where: str = "") -> None:
    """Read each text of ``columns`` once and write back only the rows where a value was found."""
    listed = ", ".join(f'"{c}"' for c in columns)
    keys = key.split(", ")
    changed = []
    result = run_sql(conn, f'SELECT {", ".join(keys)}, {listed} FROM "{table}"{where}')
    rows = result.cursor.fetchall()  # the driver's tuples: a million rows without Row objects
    result.close()
    for row in rows:
        texts = row[len(keys):]
        scrubbed = tuple(scrub(t) for t in texts)
        if scrubbed != tuple(texts):
            changed.append((*scrubbed, *row[:len(keys)]))
    if changed:
        sets = ", ".join(f'"{c}" = ?' for c in columns)
        run_sql(conn, f'UPDATE "{table}" SET {sets} WHERE {" AND ".join(k + " = ?" for k in keys)}', changed)


def _drop_personal(snapshot_text: str | None, entity: str) -> str | None:
    """A creation snapshot (JSON) with the entity's anonymised fields blanked."""
    if not snapshot_text:
        return snapshot_text
    try:
        snapshot = json.loads(snapshot_text)
    except ValueError:
        return snapshot_text
    if not isinstance(snapshot, dict):
        return snapshot_text
    for name in ANONYMISED[entity]:
        if name in snapshot:
            snapshot[name] = DEFAULTS[name]
    return json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))


def _scrub_audit(conn: Any, scrub: Scrubber) -> None:
    """The audit trail forgets the values: the anonymised fields' old and new values, the
    creation snapshots' personal keys, and every copy of a value in any record."""
    for entity, names in ANONYMISED.items():
        marks = ", ".join("?" for _ in names)
        run_sql(conn, f"UPDATE activity SET old_value = NULL, new_value = NULL WHERE entity = ? AND field IN ({marks})",
                (entity, *names))
        snapshots = [(_drop_personal(new, entity), activity_id) for activity_id, new in run_sql(conn,
                     "SELECT id, new_value FROM activity WHERE entity = ? AND action = 'create' "
                     "AND new_value IS NOT NULL", (entity,)).all()]
        if snapshots:
            run_sql(conn, "UPDATE activity SET new_value = ? WHERE id = ?", snapshots)
    # A bulk creation's record holds the rows' ids only (megabytes of them: not searched).
    _scrub_column(conn, "activity", "id", ("old_value", "new_value"), scrub,
                  f" WHERE (old_value IS NOT NULL OR new_value IS NOT NULL) AND action <> '{BULK_CREATE}'")


def _scrub_pending(pending: Iterable[Any], scrub: Scrubber, before: int | None) -> None:
    """A receiving laptop's audit records and changes of the same bundle, not written yet."""
    for item in pending:
        if isinstance(item, dict):  # an audit record
            if item.get("field") in ANONYMISED.get(item.get("entity"), ()):
                item["old_value"] = item["new_value"] = None
            elif item.get("action") == "create" and item.get("entity") in ANONYMISED:
                item["new_value"] = _drop_personal(item.get("new_value"), item["entity"])
            item["old_value"], item["new_value"] = scrub(item.get("old_value")), scrub(item.get("new_value"))
        elif before is None or item.hlc < before:  # a change
            if item.kind == "update" and item.field in ANONYMISED.get(item.entity, ()):
                item.value = blank(item.field)
            elif item.kind == "create" and item.entity in ANONYMISED:
                item.value = _drop_personal(item.value, item.entity)
            item.value = scrub(item.value)


def _scrub_change_log(conn: Any, scrub: Scrubber, before: int | None) -> None:
    """This laptop's change log: the anonymised fields' values, creation snapshots and heads
    (those set before ``before``), reopened resolutions' values, then every copy of a value."""
    from recovery_desk.services.sync.changelog import Head, read_reopening, reopening

    earlier, clock = ("", ()) if before is None else (" AND hlc < ?", (before,))
    for entity, names in ANONYMISED.items():
        for name in names:
            run_sql(conn, f"UPDATE sync_change SET value = ? WHERE kind = 'update' AND entity = ? AND field = ?{earlier}",
                    (blank(name), entity, name, *clock))
            run_sql(conn, f"UPDATE sync_head SET value = ? WHERE entity = ? AND field = ?{earlier}",
                    (blank(name), entity, name, *clock))
            reopened = []
            for replica, seq, value in run_sql(conn, "SELECT replica, seq, value FROM sync_change WHERE kind = 'reopen' "
                                               f"AND entity = ? AND field = ?{earlier}", (entity, name, *clock)).all():
                undone, settled = read_reopening(value)
                reopened.append((reopening(undone, [Head((*h[:3], blank(name))) for h in settled]), replica, seq))
            if reopened:
                run_sql(conn, "UPDATE sync_change SET value = ? WHERE replica = ? AND seq = ?", reopened)
        snapshots = [(_drop_personal(value, entity), replica, seq) for replica, seq, value in run_sql(conn,
                     f"SELECT replica, seq, value FROM sync_change WHERE kind = 'create' AND entity = ?{earlier}",
                     (entity, *clock)).all()]
        if snapshots:
            run_sql(conn, "UPDATE sync_change SET value = ? WHERE replica = ? AND seq = ?", snapshots)
    _scrub_column(conn, "sync_change", "replica, seq", ("value",), scrub,
                  " WHERE value IS NOT NULL AND kind <> 'bulk'")  # a bulk change's value: the rows' ids
    _scrub_column(conn, "sync_head", "entity, row_id, field, replica, seq", ("value",), scrub,
                  " WHERE value IS NOT NULL")


def anonymise_incident(ws: Any, progress: Any = None) -> Any:
    """Erase the personal data of every case (closing the incident), in one transaction (a
    cancel erases nothing), then rewrite the file once (SQLite); returns an AnonymisePlan with
    the cases erased. A coordinator only."""
    from sqlalchemy.orm import Session

    from recovery_desk.services.erasure import (
        AnonymisePlan,
        _forget_in_file,
        plan_anonymise,
        secure_delete,
    )
    from recovery_desk.services.identity import require_coordinator
    from recovery_desk.services.sync import changelog
    from recovery_desk.services.sync.identity import settle  # this transaction's id (a copy's own)
    from recovery_desk.storage.models import Activity, new_id, utcnow

    require_coordinator(ws)
    plan = plan_anonymise(ws)

    def anonymise_once() -> Any:  # again from the start if a server aborts it (storage/retry.py)
        with ws.engine.connect() as conn, secure_delete(conn):
            with Session(bind=conn) as session, session.begin():
                done = anonymise_rows(session.connection(), progress=progress)
                incident_id = ws.default_incident(session).id
                record = {"fields": sorted(done.fields, key=PERSONAL_FIELDS.index),
                          "households": len(done.case_ids)}
                session.add(Activity(at=utcnow(), actor=ws.actor, actor_id=getattr(ws, "person_id", None),
                                     replica_id=settle(session.connection()), operation_id=new_id(),
                                     operation="anonymise_incident",
                                     entity="incident", entity_id=incident_id, action="anonymise", field=None,
                                     old_value=None, new_value=json.dumps(record), case_id=None))
                session.flush()
                changelog.record_outside_operation(session.connection(), "anonymise_incident",
                                                   [("anon", "incident", incident_id, None, json.dumps(record))],
                                                   actor=ws.actor)
        return done

    from recovery_desk.storage.retry import retrying

    done = retrying(anonymise_once)
    _forget_in_file(ws)
    return AnonymisePlan(plan.households, plan.fields, tuple(done.case_ids))
