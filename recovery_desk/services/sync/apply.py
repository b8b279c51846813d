"""Applying another laptop's changes: the merge rules (README "How laptops merge").

Changes are applied in clock order (hybrid logical clocks respect "who saw what", so a
change always comes after the changes it was made on). Per field:

- the change's *base* (what its editor had seen) is taken off the field's heads and the
  change becomes a head; one head → the value simply follows; several heads with different
  values → an open conflict, and the value shown is the head with the highest clock (then
  the highest replica id): the same on every laptop, whatever the order of arrival;
- a deletion is a change of ``deleted_at`` made on everything the deleting laptop had of the
  row: an edit it had not seen is a conflict (services/sync/conflicts.py), never a silent
  resurrection or loss;
- bookkeeping (``updated_at``, ``row_version``, ``last_activity_at``) follows from the changes
  applied; derived fields (an organisation's sector) are derived again.

Every applied change is also written to the audit trail (who, when, from which laptop), so a
case's timeline shows what happened on the other laptops. Nothing here commits: the caller
applies a whole bundle in one transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime
from sqlalchemy.orm import Session

from recovery_desk.domain.vocabulary import derive_sector
from recovery_desk.i18n import tr
from recovery_desk.services.changes import Changes
from recovery_desk.services.operation import (
    _column_defaults,
    _converted,
    _format_datetime,
    _insert_sql,
    _postgresql_converter,
    _sqlite_converter,
    _stored_form,
    encode,
)
from recovery_desk.services.sync import changelog
from recovery_desk.services.sync.changelog import (
    CHANGE_COLUMNS,
    Head,
    advance,
    load_heads,
    store_heads,
    winner,
)
from recovery_desk.services.sync.sql import bound, greatest, least, run_sql, sqlite_form
from recovery_desk.storage.models import BULK_CREATE, ENTITY_MODELS, Activity

# The columns of a row a bundle carries for a bulk creation (the rest follow from them).
NOT_CARRIED = frozenset({"updated_at", "row_version", "deleted_at"})
AXES = ("ownership", "profit", "formality")
# The operation of the changes by which an upgraded workspace put its rows, tombstones and audit
# trail into the log (storage/migrations/versions/sync_log.py).
UPGRADE = "upgrade"


@dataclass
class Change:
    replica: str
    seq: int
    hlc: int
    at: int
    actor: str
    actor_id: str | None
    operation: str
    kind: str
    entity: str
    row_id: str
    field: str | None
    value: str | None
    base: str | None

    @property
    def id(self) -> str:
        return changelog.change_id(self.replica, self.seq)

    def row(self) -> tuple:
        return tuple(getattr(self, c) for c in CHANGE_COLUMNS)


@dataclass
class Summary:
    """What reading a bundle did (``sync import`` prints it)."""

    changes: int = 0  # changes applied
    new: int = 0  # rows created
    updated: int = 0  # field values changed
    deleted: int = 0  # rows deleted
    conflicts: int = 0  # conflicts that are open now and were not before
    flags: list[str] = field(default_factory=list)
    touched: Changes = field(default_factory=Changes)

    def as_dict(self) -> dict[str, Any]:
        return {"changes": self.changes, "new": self.new, "updated": self.updated, "deleted": self.deleted,
                "conflicts": self.conflicts, "flags": self.flags}

    def describe(self, where: str | None = None, lang: str | None = None) -> str:
        """What the read brought, in words (``sync import``, ``sync push|pull``, the app's
        summaries); ``where``: the bundle or server it came from, named first."""
        counts = dict(new=self.new, updated=self.updated, deleted=self.deleted, conflicts=self.conflicts)
        if where is None:
            return (tr("nothing new", lang) if self.changes == 0 else
                    tr("{new} new, {updated} updated, {deleted} deleted, {conflicts} new conflict(s)", lang, **counts))
        return (tr("{path}: nothing new", lang, path=where) if self.changes == 0 else
                tr("{path}: {new} new, {updated} updated, {deleted} deleted, {conflicts} new conflict(s)", lang,
                   path=where, **counts))


# -- values: JSON (as the log carries them) <-> what SQLite stores ---------------------------------
def _column(entity: str, name: str) -> Any:
    return ENTITY_MODELS[entity].__table__.c[name]  # type: ignore[attr-defined]


def stored(entity: str, name: str, text: str | None) -> Any:
    """A JSON value of the log as SQLite stores it in that column."""
    if text is None:
        return None
    value = json.loads(text)
    if value is None:
        return None
    kind = _column(entity, name).type
    if isinstance(kind, DateTime):
        return _format_datetime(datetime.fromisoformat(value))
    if isinstance(kind, JSON):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(kind, Boolean):
        return int(bool(value))
    return value


def as_json(entity: str, name: str, value: Any) -> str | None:
    """What SQLite stores, as the JSON text the log would hold."""
    if value is None:
        return None
    kind = _column(entity, name).type
    if isinstance(kind, DateTime):
        return encode(datetime.fromisoformat(value) if isinstance(value, str) else value)
    if isinstance(kind, Date):
        return encode(value if isinstance(value, str) else value.isoformat())
    if isinstance(kind, JSON):
        return encode(json.loads(value) if isinstance(value, str) else value)
    if isinstance(kind, Boolean):
        return encode(bool(value))
    return encode(value)


def same_value(entity: str, name: str, a: str | None, b: str | None) -> bool:
    if name == "deleted_at":  # deleted or not is what counts, not when
        return (stored(entity, name, a) is None) == (stored(entity, name, b) is None)
    return stored(entity, name, a) == stored(entity, name, b)


def distinct_values(entity: str, name: str, heads: list[Head]) -> int:
    kinds: list[str | None] = []
    for h in heads:
        if not any(same_value(entity, name, h[3], k) for k in kinds):
            kinds.append(h[3])
    return len(kinds)


# -- applying -----------------------------------------------------------------------------------
class Applier:
    def __init__(self, session: Session, bulk: dict[str, dict[str, list[Any]]], history: dict[str, Any]):
        self.session = session
        self.conn = session.connection()
        self.bulk = bulk
        self.history = history
        self.summary = Summary()
        self.activities: list[dict[str, Any]] = []
        self.touched: dict[tuple[str, str], int] = {}  # (entity, row id) -> latest change time
        self.organisations: set[str] = set()
        # (entity, row id, field) -> (id, kind, base, value) of this bundle's changes applied so far
        self.field_changes: dict[tuple[str, str, str], list[tuple[str, str, str | None, str | None]]] = {}
        self.erased = self._erasures()
        # The clock of the latest anonymisation of the incident (services/anonymise.py): the
        # personal values of changes made before it stay erased.
        self.anonymised = run_sql(self.conn, "SELECT max(hlc) FROM sync_change WHERE kind = 'anon'").scalar() or 0
        self.batch: list[Change] = []

    def _erasures(self) -> dict[tuple[str, str], dict[str, int]]:
        out: dict[tuple[str, str], dict[str, int]] = {}
        for entity, row_id, value, hlc in run_sql(self.conn,
                "SELECT entity, row_id, value, hlc FROM sync_change WHERE kind = 'erase'"):
            for name in json.loads(value or "{}"):
                out.setdefault((entity, row_id), {})[name] = hlc
        return out

    def apply(self, changes: list[Change], progress: Any = None) -> Summary:
        self.batch = changes
        for number, change in enumerate(changes):
            if progress is not None and number % 200 == 0:
                progress.report(number, len(changes), "")  # raises when the reader cancels
            handler = getattr(self, f"_apply_{change.kind}", None)
            if handler is None:
                raise ValueError(f"unknown change kind {change.kind!r}")
            handler(change)
            self.summary.changes += 1
        self._finish()
        return self.summary

    # each kind
    def _apply_create(self, c: Change) -> None:
        table = ENTITY_MODELS[c.entity].__table__  # type: ignore[attr-defined]
        if self._current(c.entity, c.row_id, "id") is not _MISSING:
            # The same row created on another laptop too (a row unique by its key): one row,
            # created when it was first created.
            run_sql(self.conn, f'UPDATE "{c.entity}" SET created_at = {least(self.conn)}(created_at, ?) WHERE id = ?',
                                      (_format_datetime(changelog.from_micros(c.at)), c.row_id))
            return
        if self._before_anonymisation(c):
            from recovery_desk.services.anonymise import _drop_personal

            c.value = _drop_personal(c.value, c.entity)
        values = json.loads(c.value or "{}")
        for name in self.erased.get((c.entity, c.row_id), {}):
            values.pop(name, None)
        stamp = _format_datetime(changelog.from_micros(c.at))
        scalars, factories = _column_defaults(table)
        row = []
        for column in table.columns:
            key = column.key
            if key == "id":
                row.append(c.row_id)
            elif key in ("created_at", "updated_at"):
                row.append(stamp)
            elif key == "row_version":
                row.append(1)
            elif key == "deleted_at":
                row.append(None)
            elif key in values:
                row.append(stored(c.entity, key, encode(values[key])))
            elif key in factories:
                row.append(factories[key](None))
            else:
                row.append(scalars[key])
        if c.entity == "case":
            row[list(table.columns).index(table.c.reference)] = self._place_references(
                c, [(c.row_id, values.get("reference", ""), values.get("incident_id"))])[0]
        run_sql(self.conn, _insert_sql(table, list(table.columns)),
                tuple(bound(self.conn, column, v) for column, v in zip(table.columns, row, strict=True)))
        self.summary.new += 1
        self.summary.touched.created[c.entity].add(c.row_id)
        self._activity(c, c.row_id, "create", None, None, c.value)
        self._touch(c, c.row_id)
        if c.entity == "organisation":
            self.organisations.add(c.row_id)
        if c.entity == "case_alias":
            from recovery_desk.services.sync.duplicates import follow_alias

            merged = run_sql(self.conn, 'SELECT id FROM "case" WHERE reference = ?',
                                               (values.get("reference"),)).fetchone()
            if merged:
                follow_alias(self.conn, values.get("case_id"), merged[0])

    def _place_references(self, c: Change, cases: list[tuple[str, str, str | None]]) -> list[str]:
        """The references incoming cases are stored under (``cases``: id, reference, incident).

        Two laptops never issue one reference (identity.py), unless two that never met drew
        the same laptop code. Then, of the cases carrying the reference, the one with the
        smallest id keeps it and each other becomes ``REF~`` + the first 4 characters of its
        own id — whichever arrived first: every laptop ends with the same references. A case
        already here may so be renamed; both renamings are flagged."""
        holders: dict[tuple[str | None, str], str] = {}
        wanted: dict[str | None, set[str]] = {}
        for _, ref, incident in cases:
            wanted.setdefault(incident, set()).add(ref)
        for incident, refs in wanted.items():
            if len(refs) > 500:
                rows = [r for r in run_sql(self.conn, 'SELECT id, reference FROM "case" WHERE incident_id = ?',
                                           (incident,)) if r[1] in refs]
            else:  # the unique index (incident, reference)
                rows = run_sql(self.conn, f'SELECT id, reference FROM "case" WHERE incident_id = ? AND reference IN '
                                          f'({",".join("?" * len(refs))})', (incident, *refs)).all()
            for case_id, ref in rows:
                holders[(incident, ref)] = case_id
        placed = []
        for case_id, ref, incident in cases:
            holder = holders.get((incident, ref))
            if holder is None or holder == case_id:
                holders[(incident, ref)] = case_id
                placed.append(ref)
                continue
            keeper, other = sorted((case_id, holder))
            renamed = f"{ref}~{other[:4]}"
            if other == holder:  # the case here gives the reference up
                run_sql(self.conn, 'UPDATE "case" SET reference = ? WHERE id = ?', (renamed, holder))
                self._activity(c, holder, "update", "reference", encode(ref), encode(renamed))
                self.summary.updated += 1
                self.summary.touched.updated["case"].add(holder)
                self.touched[("case", holder)] = max(self.touched.get(("case", holder), 0), c.at)
            holders[(incident, ref)] = keeper
            placed.append(ref if keeper == case_id else renamed)
            self.summary.flags.append(tr("two laptops issued reference {reference}: one case keeps it, the other is "
                                         "now {renamed}", reference=ref, renamed=renamed))
        return placed

    def _apply_update(self, c: Change) -> None:
        name = c.field or ""
        current = self._current(c.entity, c.row_id, name)
        if current is _MISSING:
            raise ValueError(f"change {c.id} edits {c.entity} {c.row_id}, which is not here")
        erased_at = self.erased.get((c.entity, c.row_id), {}).get(name)
        value = c.value
        if erased_at is not None and c.hlc < erased_at:
            value = as_json(c.entity, name, current)  # a value made before the erasure stays erased
            c.value = value
        if self._before_anonymisation(c, name):
            from recovery_desk.services.anonymise import blank

            value = c.value = blank(name)
        heads = load_heads(self.conn, c.entity, [c.row_id]).get(c.row_id, {})
        base = (c.base or "").split()
        self.field_changes.setdefault((c.entity, c.row_id, name), []).append((c.id, c.kind, c.base, c.value))
        after = advance(heads.get(name), base, Head((c.replica, c.seq, c.hlc, value)),
                        as_json(c.entity, name, current))
        self._show(c, name, current, after, value)

    def _apply_reopen(self, c: Change) -> None:
        """A resolution undone on another laptop: the values it settled stand again."""
        name = c.field or ""
        current = self._current(c.entity, c.row_id, name)
        if current is _MISSING:
            raise ValueError(f"change {c.id} reopens {c.entity} {c.row_id}, which is not here")
        undone, settled = changelog.read_reopening(c.value or "")
        earlier = self.field_changes.setdefault((c.entity, c.row_id, name), [])  # this bundle's (not logged yet)
        superseded = changelog.superseded_ids(self.conn, c.entity, c.row_id, name, undone, earlier)
        earlier.append((c.id, c.kind, c.base, c.value))
        heads = load_heads(self.conn, c.entity, [c.row_id]).get(c.row_id, {})
        after = changelog.reopened(heads.get(name), undone, settled, superseded)
        self._show(c, name, current, after, winner(after)[3] if after else None)

    def _show(self, c: Change, name: str, current: Any, after: list[Head], value: str | None) -> None:
        """Store a field's new heads and show the winner's value (with its audit record)."""
        store_heads(self.conn, c.entity, {(c.row_id, name): after})
        shown = stored(c.entity, name, winner(after)[3])
        if shown != current:
            run_sql(self.conn, f'UPDATE "{c.entity}" SET "{name}" = ? WHERE id = ?',
                    (bound(self.conn, _column(c.entity, name), shown), c.row_id))
            if name == "deleted_at" and current is None:
                self.summary.deleted += 1
                self.summary.touched.deleted[c.entity].add(c.row_id)
                self._activity(c, c.row_id, "delete", None, None, None)
            else:
                self.summary.updated += 1
                self.summary.touched.updated[c.entity].add(c.row_id)
                self._activity(c, c.row_id, "update", name, as_json(c.entity, name, current), value)
            if c.entity == "organisation" and name in AXES:
                self.organisations.add(c.row_id)
        self._touch(c, c.row_id)

    def _apply_bulk(self, c: Change) -> None:
        columns = self.bulk.get(c.id)
        if columns is None:
            raise ValueError(f"bulk change {c.id} has no rows in the bundle")
        ids = columns["id"]
        table = ENTITY_MODELS[c.entity].__table__  # type: ignore[attr-defined]
        erased = {row_id: names for (entity, row_id), names in self.erased.items() if entity == c.entity}
        if self._before_anonymisation(c):
            from recovery_desk.services.anonymise import ANONYMISED

            erased = {row_id: {**erased.get(row_id, {}), **dict.fromkeys(ANONYMISED[c.entity], c.hlc)}
                      for row_id in ids}
        if c.entity == "case" and ids:
            columns["reference"] = self._place_references(
                c, list(zip(ids, columns["reference"], columns["incident_id"], strict=True)))
        _insert_bulk(self.conn, table, columns, erased)
        payload = json.dumps({"ids": ids}, separators=(",", ":"))
        self._activity(c, "", BULK_CREATE, None, None, payload)
        c.value = payload
        self.summary.new += len(ids)
        self.summary.touched.created[c.entity].update(ids)
        if c.entity == "organisation":
            self.organisations.update(ids)

    def _apply_erase(self, c: Change) -> None:
        blanks = json.loads(c.value or "{}")
        if self._current(c.entity, c.row_id, "id") is not _MISSING:
            table = ENTITY_MODELS[c.entity].__table__  # type: ignore[attr-defined]
            names = [n for n in blanks if n in table.c]
            if names:
                run_sql(self.conn,
                    f'UPDATE "{c.entity}" SET {", ".join(chr(34) + n + chr(34) + " = ?" for n in names)} WHERE id = ?',
                    (*(bound(self.conn, table.c[n], stored(c.entity, n, blanks[n])) for n in names), c.row_id))
        changelog.scrub(self.conn, c.entity, c.row_id, blanks, before_hlc=c.hlc)
        scrub_audit(self.conn, c.entity, c.row_id, blanks)
        scrub_pending(self.activities, c.entity, c.row_id, blanks)
        self.erased.setdefault((c.entity, c.row_id), {}).update({name: c.hlc for name in blanks})
        self._touch(c, c.row_id)

    def _apply_anon(self, c: Change) -> None:
        """The incident anonymised on another laptop: the same here, for what was set before it."""
        from recovery_desk.services.anonymise import anonymise_rows

        anonymise_rows(self.conn, before=c.hlc, pending=[*self.activities, *self.batch])
        self.anonymised = max(self.anonymised, c.hlc)

    def _before_anonymisation(self, c: Change, name: str | None = None) -> bool:
        """Whether ``c`` (or its field ``name``) holds personal data the anonymisation erased."""
        from recovery_desk.services.anonymise import ANONYMISED

        fields = ANONYMISED.get(c.entity, ())
        return c.hlc < self.anonymised and bool(fields) and (name is None or name in fields)

    def _apply_history(self, c: Change) -> None:
        columns = self.history.get(c.id)
        if not columns:
            return
        names = [n for n in columns if n != "id"]
        rows = list(zip(*(columns[n] for n in names), strict=True))
        run_sql(self.conn,
            f'INSERT INTO activity ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})', rows)

    # bookkeeping
    def _current(self, entity: str, row_id: str, name: str) -> Any:
        row = run_sql(self.conn, f'SELECT "{name}" FROM "{entity}" WHERE id = ?', (row_id,)).fetchone()
        if row is None:
            return _MISSING
        return sqlite_form(self.conn, _column(entity, name), row[0])

    def _touch(self, c: Change, row_id: str) -> None:
        key = (c.entity, row_id)
        self.touched[key] = max(self.touched.get(key, 0), c.at)

    def _activity(self, c: Change, row_id: str, action: str, name: str | None, old: str | None,
                  new: str | None) -> None:
        if c.operation == UPGRADE:
            return  # what an upgraded workspace held has its audit records in its `history` change
        self.activities.append({
            "at": changelog.from_micros(c.at), "actor": c.actor, "actor_id": c.actor_id, "replica_id": c.replica,
            "operation_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"rd-op:{c.replica}:{c.hlc}")),
            "operation": c.operation, "entity": c.entity, "entity_id": row_id, "action": action, "field": name,
            "old_value": old, "new_value": new, "case_id": None,
        })

    def _finish(self) -> None:
        conn = self.conn
        for org_id in self.organisations:
            axes = run_sql(conn, "SELECT ownership, profit, formality FROM organisation WHERE id = ?",
                                        (org_id,)).fetchone()
            if axes:
                run_sql(conn, "UPDATE organisation SET sector = ? WHERE id = ?", (derive_sector(*axes), org_id))
        by_entity: dict[str, list[tuple[str, str]]] = {}
        for (entity, row_id), at in self.touched.items():
            by_entity.setdefault(entity, []).append((_format_datetime(changelog.from_micros(at)), row_id))
        case_times: dict[str, str] = {}
        for entity, rows in by_entity.items():
            run_sql(conn, f'UPDATE "{entity}" SET updated_at = {greatest(conn)}(updated_at, ?), '
                                 f'row_version = row_version + 1 WHERE id = ?', rows)
            owners = case_ids(conn, entity, [r for _, r in rows])
            for stamp, row_id in rows:
                case_id = owners.get(row_id)
                if case_id and stamp > case_times.get(case_id, ""):
                    case_times[case_id] = stamp
        if case_times:
            run_sql(conn, f'UPDATE "case" SET last_activity_at = {greatest(conn)}(last_activity_at, ?) WHERE id = ?',
                                 [(stamp, case_id) for case_id, stamp in case_times.items()])
            self.summary.touched.case_ids.update(case_times)
        self._write_activities()

    def _write_activities(self) -> None:
        if not self.activities:
            return
        by_entity: dict[str, list[str]] = {}
        for a in self.activities:
            if a["entity_id"]:
                by_entity.setdefault(a["entity"], []).append(a["entity_id"])
        owners = {entity: case_ids(self.conn, entity, ids) for entity, ids in by_entity.items()}
        for a in self.activities:
            a["case_id"] = owners.get(a["entity"], {}).get(a["entity_id"])
        from recovery_desk.services.operation import _executemany

        _executemany(self.session, Activity.__table__, self.activities)


_MISSING = object()


def _insert_bulk(conn: Any, table: Any, given: dict[str, list[Any]], erased: dict[str, dict[str, int]]) -> None:
    """Rows of a bulk creation, given a column at a time (as a bundle carries them)."""
    count = len(given["id"])
    scalars, factories = _column_defaults(table)
    columns = list(table.columns)
    lists: list[Any] = []
    created = given.get("created_at") or [None] * count
    for column in columns:
        key = column.key
        if key in ("created_at", "updated_at"):
            values: Any = created
        elif key == "row_version":
            values = [1] * count
        elif key == "deleted_at":
            values = [None] * count
        elif key in given:
            values = given[key]
            convert = _stored_form(column, _sqlite_converter if conn.dialect.name == "sqlite"
                                   else _postgresql_converter)
            if convert is not None:
                values = _converted(values, convert)
        elif key in factories:
            values = [factories[key](None) for _ in range(count)]
        else:
            values = [scalars[key]] * count
        lists.append([bound(conn, column, v) for v in values] if isinstance(column.type, Boolean) else values)
    if erased:
        position = {c.key: i for i, c in enumerate(columns)}
        ids = given["id"]
        for i, row_id in enumerate(ids):
            for name in erased.get(row_id, {}):
                if name in position:
                    lists[position[name]] = list(lists[position[name]])
                    lists[position[name]][i] = scalars.get(name)
    run_sql(conn, _insert_sql(table, columns), list(zip(*lists, strict=True)))


def case_ids(conn: Any, entity: str, row_ids: list[str]) -> dict[str, str]:
    """The case each row belongs to (for timelines and last-activity times)."""
    if entity == "case":
        return {r: r for r in row_ids}
    table = ENTITY_MODELS[entity].__table__  # type: ignore[attr-defined]
    if "case_id" in table.c:
        join, key = "", f'"{entity}".case_id'
    elif "conference_id" in table.c:  # before task_id: a decision belongs to its conference, and may name a task
        join, key = f'JOIN conference ON conference.id = "{entity}".conference_id', "conference.case_id"
    elif "task_id" in table.c:
        join, key = f'JOIN task ON task.id = "{entity}".task_id', "task.case_id"
    else:
        return {}
    out: dict[str, str] = {}
    ids = list(dict.fromkeys(row_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out.update(run_sql(conn,
            f'SELECT "{entity}".id, {key} FROM "{entity}" {join} WHERE "{entity}".id IN ({",".join("?" * len(chunk))})',
            tuple(chunk)).all())
    return out


def scrub_audit(conn: Any, entity: str, row_id: str, blanks: dict[str, str | None]) -> None:
    """The erased values out of this laptop's audit trail as well."""
    for name, blank in blanks.items():
        run_sql(conn, "UPDATE activity SET old_value = ?, new_value = ? WHERE entity = ? AND entity_id = ? "
                             "AND field = ?", (blank, blank, entity, row_id, name))
    for activity_id, value in run_sql(conn,
            "SELECT id, new_value FROM activity WHERE entity = ? AND entity_id = ? AND action = 'create'",
            (entity, row_id)).all():
        snapshot = json.loads(value) if value else {}
        for name, blank in blanks.items():
            if name in snapshot:
                snapshot[name] = None if blank is None else json.loads(blank)
        run_sql(conn, "UPDATE activity SET new_value = ? WHERE id = ?",
                             (json.dumps(snapshot, ensure_ascii=False), activity_id))


def scrub_pending(activities: list[dict[str, Any]], entity: str, row_id: str, blanks: dict[str, str | None]) -> None:
    """The erased values out of audit records not written yet."""
    for a in activities:
        if a["entity"] != entity or a["entity_id"] != row_id:
            continue
        if a["field"] in blanks:
            a["old_value"] = a["new_value"] = blanks[a["field"]]
        elif a["action"] == "create" and a["new_value"]:
            snapshot = json.loads(a["new_value"])
            for name, blank in blanks.items():
                if name in snapshot:
                    snapshot[name] = None if blank is None else json.loads(blank)
            a["new_value"] = json.dumps(snapshot, ensure_ascii=False)


def to_plain(value: Any) -> Any:
    """A value read from SQLite as a bundle carries it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
