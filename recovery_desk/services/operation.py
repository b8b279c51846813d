"""The one change path: every write of the product goes through an Operation.

An Operation lives inside one transaction. It writes the rows, writes an Activity row for
each created entity, changed field and deletion (rich enough to replay: entity, id,
field, old, new, actor, replica, time), keeps ``case.last_activity_at`` current and
collects the :class:`Changes` that views listen for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import JSON, Boolean, Date, DateTime
from sqlalchemy.orm import Session

from recovery_desk.services.changes import Changes
from recovery_desk.services.sync import changelog
from recovery_desk.services.sync.sql import batch, driver_sql
from recovery_desk.storage.models import (
    BULK_CREATE,
    Activity,
    Case,
    Conference,
    SyncMixin,
    Task,
    new_id,
    utcnow,
)

M = TypeVar("M", bound=SyncMixin)


def encode(value: Any) -> str | None:
    """A value as JSON text for the audit trail (dates as ISO strings)."""
    if value is None:
        return None
    return _ENCODER.encode(value)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def snapshot(values: Mapping[str, Any]) -> str:
    """A created row's values (less bookkeeping columns) as compact JSON."""
    bookkeeping = SyncMixin.BOOKKEEPING
    return _ENCODER.encode({k: v for k, v in values.items() if k not in bookkeeping})


class Operation:
    def __init__(self, session: Session, *, actor: str, replica_id: str, name: str,
                 actor_id: str | None = None):
        self.session = session
        self.actor = actor
        self.actor_id = actor_id  # the Person who acts, when known
        self.replica_id = replica_id
        self.name = name
        self.id = new_id()
        self.at = utcnow()
        self.changes = Changes(operation=name, operation_id=self.id)
        self._activities: list[dict[str, Any]] = []
        self._touched_cases: set[str] = set()
        # Called with the changes just before the change log is written (services/workspace.py).
        self.before_log: Any = None
        # (kind, entity, row id, field, value) for the replicable change log (services/sync).
        self.sync_log: list[tuple[str, str, str, str | None, str | None]] = []
        # (entity, row id, field) whose edit here settles every concurrent value (a resolution).
        self.supersede_all: set[tuple[str, str, str]] = set()

    # -- single rows ---------------------------------------------------------------------
    def add(self, model: type[M], **values: Any) -> M:
        entity = model.__tablename__  # type: ignore[attr-defined]
        natural = None if "id" in values else changelog.natural_id(entity, values)
        if natural is not None:
            # A row unique by its natural key has an id derived from it (the same row when two
            # laptops create it); one that was deleted here before comes back to life.
            existing = self.session.get(model, natural)
            if existing is not None:
                self.update(existing, deleted_at=None, **values)
                return existing
            values = {**values, "id": natural}
        obj = model(**values)
        obj.id = values.get("id") or new_id()
        obj.created_at = obj.updated_at = self.at
        obj.row_version = 1
        self.session.add(obj)
        self.session.flush()  # apply column defaults so the snapshot is complete
        case_id = self.case_of(obj)
        created = snapshot(obj.values())
        self._record(entity, obj.id, "create", None, None, created, case_id)
        self.sync_log.append(("create", entity, obj.id, None, created))
        if natural is not None:
            # Its values as edits of the (shared) creation: two laptops' values meet field by field.
            key = changelog.NATURAL_KEYS[entity]
            self.sync_log.extend(("update", entity, obj.id, name, encode(value)) for name, value in obj.values().items()
                                 if name not in key and name != "deleted_at" and changelog.replicated(entity, name))
        self.changes.created[entity].add(obj.id)
        return obj

    def update(self, obj: SyncMixin, **values: Any) -> set[str]:
        """Set fields that differ; returns the names of the fields that changed."""
        changed: set[str] = set()
        case_id = self.case_of(obj)
        for key, new in values.items():
            old = getattr(obj, key)
            if old == new:
                continue
            setattr(obj, key, new)
            changed.add(key)
            new_text = encode(new)
            self._record(obj.__tablename__, obj.id, "update", key, encode(old), new_text, case_id)
            if changelog.replicated(obj.__tablename__, key):
                self.sync_log.append(("update", obj.__tablename__, obj.id, key, new_text))
        if changed:
            obj.updated_at = self.at
            self.changes.updated[obj.__tablename__].add(obj.id)
        return changed

    def delete(self, obj: SyncMixin) -> None:
        """Soft delete: a tombstone that replicas can exchange."""
        if obj.deleted_at is not None:
            return
        obj.deleted_at = obj.updated_at = self.at
        self._record(obj.__tablename__, obj.id, "delete", None, None, None, self.case_of(obj))
        self.sync_log.append(("update", obj.__tablename__, obj.id, "deleted_at", encode(self.at)))
        self.changes.deleted[obj.__tablename__].add(obj.id)

    def restore(self, obj: SyncMixin) -> None:
        """Lift a tombstone (undo of a deletion): recorded as a change of ``deleted_at`` back
        to nothing (as the change log records deletions), so reverting it deletes again."""
        if obj.deleted_at is None:
            return
        self.update(obj, deleted_at=None)
        self.changes.created[obj.__tablename__].add(obj.id)

    # -- many rows at once (demo data, imports) -------------------------------------------
    def add_many(self, model: type[SyncMixin], rows: list[dict[str, Any]], *,
                 case_key: str | None = "case_id") -> int:
        """Insert many new rows with one executemany, audited by ONE record for the batch.

        The record (action ``create_many``) lists the ids it created and the cases they
        belong to. The rows themselves hold the values they were created with (row
        version 1, ``created_at`` = the record's time) and every later change is recorded
        field by field with its old value, so the trail still tells what each row was
        created as, who created it and when. A record per row would cost more than the
        rows: it doubled the time of a 100,000-case import and the size of the file.
        """
        if not rows:
            return 0
        table = model.__table__  # type: ignore[attr-defined]
        ids = _insert_rows(self.session, table, rows, self.at)
        case_ids = [row.get(case_key) for row in rows] if case_key else []
        return self._record_bulk(model, ids, case_ids)

    def add_columns(self, model: type[SyncMixin], columns: Mapping[str, list[Any]], *,
                    case_key: str | None = "case_id") -> int:
        """``add_many`` for rows given a column at a time (``{field: [value per row]}``, every
        list as long; fields left out take their defaults): no dictionary per row."""
        count = len(next(iter(columns.values()), []))
        if not count:
            return 0
        table = model.__table__  # type: ignore[attr-defined]
        ids = _insert_columns(self.session, table, columns, count, self.at)
        return self._record_bulk(model, ids, columns.get(case_key, []) if case_key else [])

    def _record_bulk(self, model: type[SyncMixin], ids: list[str], row_case_ids: list[str | None]) -> int:
        entity = model.__tablename__  # type: ignore[attr-defined]
        payload: dict[str, list[str]] = {"ids": ids}
        if entity == "case":
            case_ids = ids
        else:
            case_ids = sorted({cid for cid in row_case_ids if cid})
            if case_ids:
                payload["case_ids"] = case_ids
            self._touched_cases.update(case_ids)
        bulk = _ENCODER.encode(payload)
        self._activities.append(self._activity_row(entity, "", BULK_CREATE, None, None, bulk, None))
        self.sync_log.append(("bulk", entity, "", None, _ENCODER.encode({"ids": ids})))
        self.changes.created[entity].update(ids)
        self.changes.case_ids.update(case_ids)
        return len(ids)

    # -- bookkeeping -----------------------------------------------------------------------
    def case_of(self, obj: SyncMixin) -> str | None:
        """The case an entity belongs to, for the case timeline and last-activity time."""
        if isinstance(obj, Case):
            return obj.id
        case_id = getattr(obj, "case_id", None)
        if case_id is not None:
            return case_id
        task_id = getattr(obj, "task_id", None)
        if task_id is not None:
            task = self.session.get(Task, task_id)
            return task.case_id if task else None
        conference_id = getattr(obj, "conference_id", None)
        if conference_id is not None:
            conference = self.session.get(Conference, conference_id)
            return conference.case_id if conference else None
        return None

    def _activity_row(self, entity: str, entity_id: str, action: str, field: str | None,
                      old: str | None, new: str | None, case_id: str | None) -> dict[str, Any]:
        return {
            "at": self.at, "actor": self.actor, "actor_id": self.actor_id, "replica_id": self.replica_id,
            "operation_id": self.id, "operation": self.name, "entity": entity,
            "entity_id": entity_id, "action": action, "field": field, "old_value": old,
            "new_value": new, "case_id": case_id,
        }

    def _record(self, entity: str, entity_id: str, action: str, field: str | None,
                old: str | None, new: str | None, case_id: str | None) -> None:
        self._activities.append(self._activity_row(entity, entity_id, action, field, old, new, case_id))
        if case_id:
            self.changes.case_ids.add(case_id)

    def finish(self) -> Changes:
        """Write the audit trail, the touched cases' last-activity time and the change log (same
        transaction). On a server the change log's last round trip also commits it (the numbering
        lock is held only while the server works: services/sync/changelog.py write)."""
        self.session.flush()
        # The touched cases are locked (their last-activity time) before the change log takes
        # its numbering lock: on a server, no transaction then waits for a row while holding it.
        self._touched_cases.update(a["case_id"] for a in self._activities if a["case_id"])
        if self.sync_log or self._activities:  # under this transaction's replica id (a copy takes its own)
            changelog.settle_replica(self)
        asked: dict[str, Any] = {}
        with batch(self.session.connection()):  # on a server: one round trip for these
            self._touch_cases()
            self._write_activities()
            if self.before_log is not None:  # a server's change notice (delivered at commit anyway)
                self.before_log(self.changes)
            if self.sync_log:
                asked = changelog.ask_heads_of(self)
        changelog.write(self, asked)  # last: on a server it takes the log's numbering lock, held until commit
        return self.changes

    def _touch_cases(self) -> None:
        if self._touched_cases:
            case_ids = self._touched_cases
            self.changes.case_ids |= case_ids
            # Cases created here already carry their own last-activity time.
            touched = sorted(case_ids - self.changes.created.get("case", set()))
            at = _format_datetime(self.at) if self.session.bind.dialect.name == "sqlite" else self.at
            conn = self.session.connection()
            for start in range(0, len(touched), 500):
                chunk = touched[start:start + 500]
                driver_sql(conn, f'UPDATE "case" SET last_activity_at = ? WHERE id IN ({",".join("?" * len(chunk))})',
                           (at, *chunk))
            self._touched_cases = set()

    def _write_activities(self) -> None:
        if self._activities:
            _executemany(self.session, Activity.__table__, self._activities)
            self._activities = []


def _column_defaults(table: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Scalar defaults and default factories (SQLAlchemy wraps factories to take a context)."""
    scalars: dict[str, Any] = {c.key: None for c in table.columns}
    factories: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if default is None:
            continue
        if callable(default.arg):
            factories[column.key] = default.arg
            scalars.pop(column.key)
        else:
            scalars[column.key] = default.arg
    return scalars, factories


def _executemany(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """One driver-level executemany for a batch of complete rows (the audit records)."""
    columns = [c for c in table.columns if not (c.primary_key and c.autoincrement is True and c.key not in rows[0])]
    values_of = itemgetter(*(c.key for c in columns))
    converter = _converter_for(session)
    conversions = [(i, convert) for i, c in enumerate(columns) if (convert := converter(c.type))]
    params: list[Any] = []
    for row in rows:
        values = values_of(row)
        if conversions:
            values = list(values)
            for i, convert in conversions:
                if values[i] is not None:
                    values[i] = convert(values[i])
            values = tuple(values)
        params.append(values)
    _write_rows(session, table, columns, params)


def _insert_rows(session: Session, table: Any, rows: list[dict[str, Any]], at: datetime) -> list[str]:
    """``_insert_columns`` for rows given as dictionaries; a key a row leaves out takes the
    column's default for that row."""
    missing = object()
    scalar_defaults, factories = _column_defaults(table)
    columns: dict[str, list[Any]] = {}
    for column in table.columns:
        key = column.key
        values = [row.get(key, missing) for row in rows]
        gaps = [i for i, value in enumerate(values) if value is missing]
        if len(gaps) == len(values):
            continue  # the column's default throughout
        for i in gaps:
            values[i] = factories[key](None) if key in factories else scalar_defaults[key]
        columns[key] = values
    return _insert_columns(session, table, columns, len(rows), at)


def _insert_columns(session: Session, table: Any, given: Mapping[str, list[Any]], count: int,
                    at: datetime) -> list[str]:
    """Insert ``count`` new synchronisable rows given a column at a time (defaults applied,
    stamped with ``at``); returns their ids.

    The bulk path (demo data, imports) is dominated by per-value overhead: SQLAlchemy's
    ORM bulk insert regroups rows by which values are None and runs thousands of
    statements, so values go to the driver here, converted exactly as SQLAlchemy stores
    them in SQLite, a column at a time, and the rows are zipped in C.
    """
    stamp = _format_datetime(at)
    scalar_defaults, factories = _column_defaults(table)
    fixed = {"created_at": stamp, "updated_at": stamp, "row_version": 1}
    columns = list(table.columns)
    lists: list[Any] = []
    for column in columns:
        key = column.key
        if key in fixed:
            values: Any = [fixed[key]] * count
        elif key in given:
            values = given[key]
            convert = _stored_form(column, _converter_for(session))
            if convert is not None:
                values = _converted(values, convert)
        elif key in factories:
            values = [factories[key](None) for _ in range(count)]
        else:
            values = [scalar_defaults[key]] * count
        lists.append(values)
    _write_rows(session, table, columns, list(zip(*lists, strict=True)))
    return lists[columns.index(table.c.id)]


def _converted(values: list[Any], convert: Any) -> list[Any]:
    """Each value converted; each distinct value once (a column of dates has few)."""
    try:
        stored = {v: convert(v) for v in set(values) if v is not None}
    except TypeError:  # unhashable values (JSON lists)
        return [None if v is None else convert(v) for v in values]
    stored[None] = None
    return [stored[v] for v in values]


def _stored_form(column: Any, converter: Any) -> Any:
    """The conversion of a column's values to what the database stores, if any. Dates given
    already as text (ISO) pass; a JSON value is always encoded."""
    convert = converter(column.type)
    if convert is None or not isinstance(column.type, Date | DateTime):
        return convert
    return lambda value: value if value.__class__ is str else convert(value)


def _write_rows(session: Session, table: Any, columns: list[Any], rows: list[tuple[Any, ...]]) -> None:
    """Complete rows to the driver: one executemany on SQLite; on PostgreSQL (which parses
    dates given as text and takes Python values as they are) one COPY for a bulk batch, and
    an executemany for a few rows (they may go through a member's view, which COPY cannot) and
    within a batch of statements (which COPY cannot join)."""
    if not rows:
        return
    if session.bind.dialect.name == "postgresql" and (len(rows) < 500 or _in_pipeline(session)):
        driver_sql(session.connection(), _insert_sql(table, columns), rows, many=True)
        return
    if session.bind.dialect.name == "postgresql":
        names = ", ".join(f'"{c.name}"' for c in columns)
        cursor = session.connection().connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    session.connection().exec_driver_sql(_insert_sql(table, columns), rows)


def _in_pipeline(session: Session) -> bool:
    """Whether statements are being batched (sync/sql.py ``batch``): COPY cannot be."""
    from psycopg import pq

    return session.connection().connection.driver_connection.pgconn.pipeline_status != pq.PipelineStatus.OFF


def _converter_for(session: Session) -> Any:
    return _postgresql_converter if session.bind.dialect.name == "postgresql" else _sqlite_converter


def _postgresql_converter(column_type: Any) -> Any:
    """COPY takes dates, times, booleans and numbers as Python values; JSON goes as text."""
    if isinstance(column_type, JSON):
        return lambda v: json.dumps(v, ensure_ascii=False)
    return None


def _insert_sql(table: Any, columns: list[Any]) -> str:
    return 'INSERT INTO "{}" ({}) VALUES ({})'.format(
        table.name, ", ".join(f'"{c.name}"' for c in columns), ", ".join(["?"] * len(columns)))


def _sqlite_converter(column_type: Any) -> Any:
    """The Python-side conversion SQLAlchemy's SQLite dialect applies to a bound value."""
    if isinstance(column_type, DateTime):
        return _format_datetime
    if isinstance(column_type, Date):
        return lambda v: v.isoformat()
    if isinstance(column_type, JSON):
        return lambda v: json.dumps(v, ensure_ascii=False)
    if isinstance(column_type, Boolean):
        return int
    return None


@lru_cache(maxsize=8192)
def _format_datetime(value: datetime) -> str:
    # Cached: a batch repeats the operation's own time in every row.
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")
