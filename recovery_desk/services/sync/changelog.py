"""The replicable change log, written by the one change path (services/operation.py).

Every change an :class:`Operation` makes becomes one ``sync_change`` row: origin replica, a
gap-free sequence number per replica, a hybrid logical clock (one per operation), actor,
entity, row id, field, new value (JSON) and **what the editor had seen**: the change(s) the
field's value came from on this laptop when it was edited (ODK Central's ``baseVersion``).
That pointer is what lets a receiving laptop *detect* a concurrent edit rather than merely
order it: an edit whose base is not the field's current value was made without seeing it.

Kinds of change:

- ``create``: one row (value = the row's values as JSON);
- ``update``: one field of one row. A deletion is an update of ``deleted_at`` (and undoing
  it, an update back to null); its base is everything the deleting laptop had of the row;
- ``bulk``: many rows created at once (imports, demo data; value = their ids). A bundle
  carries those rows' values a column at a time, read from the rows when it is written;
- ``erase``: the fields of a row erased for privacy (value = the field names); every
  laptop that receives it scrubs those values from its own log too;
- ``history``: the audit trail a workspace had before it had a change log (upgrade);
- ``reopen``: a resolution undone (value = the resolution's id and the values it settled,
  base = the resolution): the conflict is open again, with its values and authors.

``sync_head`` keeps, per (row, field), the change(s) the value stands on: one, or several
when laptops changed the field concurrently. Several heads with different values are an
open conflict; the shown value is the head with the highest clock (then replica id).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from recovery_desk.services.sync.sql import batch, driver_sql, run_sql

if TYPE_CHECKING:
    from recovery_desk.services.operation import Operation

CREATION = "c"  # a base naming the row's creation (the value it was created with)

# Never replicated as changes: bookkeeping that follows from the merged changes.
BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "row_version", "last_activity_at"})
# Derived from other fields by the services; recomputed wherever changes are applied.
DERIVED = {"organisation": frozenset({"sector"})}
# Fields that follow a person's choice but are no choice of their own (a card's place in its
# column, when it was completed…): concurrent values are merged by the rule without a conflict.
QUIET = {
    "task": frozenset({"position", "completed_at", "claimed_at"}),
    "checklist_item": frozenset({"position"}),
    "case": frozenset({"closed_on"}),
    "consent": frozenset({"recorded_by"}),
}
# Rows that must be unique by these fields: their id is derived from them, so that the same
# row created on two laptops is one row (created twice: the second creation is no change).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "consent": ("case_id",),
    "need": ("case_id", "category"),
    "participation": ("case_id", "organisation_id"),
    "task_supporter": ("task_id", "organisation_id"),
    "task_dependency": ("task_id", "blocked_by_id"),
    "membership": ("person_id", "organisation_id"),
    "capability": ("organisation_id", "need_category"),
    "service_area": ("organisation_id", "area_id"),
    "board_setting": ("key", "status", "lane"),
}

_INSERT_CHANGE = "INSERT INTO sync_change VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
CHANGE_COLUMNS = ("replica", "seq", "hlc", "at", "actor", "actor_id", "operation", "kind", "entity", "row_id", "field",
                  "value", "base")
_INSERT_HEAD = "INSERT INTO sync_head VALUES (?,?,?,?,?,?,?)"


def change_id(replica: str, seq: int) -> str:
    return f"{replica}:{seq}"


def natural_id(entity: str, values: dict[str, Any]) -> str | None:
    """The id of a row unique by its natural key (None for other entities)."""
    import uuid

    key = NATURAL_KEYS.get(entity)
    if key is None:
        return None
    text = "|".join([entity, *(str(values.get(k) or "") for k in key)])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "recovery-desk:" + text))


def replicated(entity: str, field: str) -> bool:
    return field not in BOOKKEEPING and field not in DERIVED.get(entity, ())


def micros(at: datetime) -> int:
    return int(at.replace(tzinfo=UTC).timestamp() * 1_000_000)


def from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, UTC).replace(tzinfo=None)


# -- the clock --------------------------------------------------------------------------------
def _info(conn: Connection, key: str) -> str | None:
    row = run_sql(conn, "SELECT value FROM workspace_info WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_info(conn: Connection, key: str, value: str) -> None:
    run_sql(conn, "INSERT INTO workspace_info (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


# On a server many clients write at once, each numbering its changes from the highest one
# stored: the numbering is taken one transaction at a time (a lock held until commit), or two
# would take the same numbers — and a later number could commit before an earlier one.
_NUMBERING_LOCK = 0x52445351  # "RDSQ"


def next_clock(conn: Connection, replica: str, at: datetime) -> tuple[int, int]:
    """(last sequence number of this replica, the clock for a new operation)."""
    with batch(conn):  # on a server, the lock and the read in one round trip (the read sees what
        if conn.dialect.name == "postgresql":  # committed before the lock: a statement of its own)
            driver_sql(conn, "SELECT pg_advisory_xact_lock(?)", (_NUMBERING_LOCK,))
        clock = driver_sql(conn,  # one statement: this runs in every write (under the lock on a server)
            "SELECT (SELECT seq FROM sync_change WHERE replica = ? ORDER BY seq DESC LIMIT 1), "
            "(SELECT hlc FROM sync_change WHERE replica = ? ORDER BY seq DESC LIMIT 1), "
            "(SELECT value FROM workspace_info WHERE key = 'hlc_seen')", (replica, replica))
    seq, last_hlc, seen = clock.fetchone()
    return seq or 0, max(_wall_clock(at), (last_hlc or 0) + 1, int(seen or 0) + 1)


def _wall_clock(at: datetime) -> int:
    return (micros(at) // 1000) << 16


# A server numbers an operation's changes itself, in the round trip that commits it (write()):
# the numbering lock is then held only while the server works, never while a client process
# waits for a CPU to read the numbers and send the rows (20 clients on 2 cores: milliseconds).
_SERVER_CLOCK = (
    "SELECT set_config('rd.seq', coalesce((SELECT seq FROM sync_change WHERE replica = ? ORDER BY seq DESC LIMIT 1), "
    "0)::text, true), set_config('rd.hlc', GREATEST(?, coalesce((SELECT hlc FROM sync_change WHERE replica = ? "
    "ORDER BY seq DESC LIMIT 1), 0) + 1, coalesce((SELECT value FROM workspace_info WHERE key = 'hlc_seen'), "
    "'0')::bigint + 1)::text, true)")
_SEQ, _HLC = "current_setting('rd.seq')::integer + ?", "current_setting('rd.hlc')::bigint"
_INSERT_CHANGE_NUMBERED = f"INSERT INTO sync_change VALUES (?,{_SEQ},{_HLC},?,?,?,?,?,?,?,?,?,?)"
_INSERT_HEAD_NUMBERED = f"INSERT INTO sync_head VALUES (?,?,?,?,{_SEQ},{_HLC},?)"


def observe_clock(conn: Connection, hlc: int) -> None:
    """Remember the highest clock received, so that later changes here come after it."""
    if hlc > int(_info(conn, "hlc_seen") or 0):
        set_info(conn, "hlc_seen", str(hlc))


# -- heads ------------------------------------------------------------------------------------
class Head(tuple):
    """(replica, seq, hlc, value): a change a field's value stands on."""

    __slots__ = ()

    @property
    def id(self) -> str:
        return CREATION if self[0] == "" else change_id(self[0], self[1])

    @property
    def order(self) -> tuple[int, str, int]:
        return (self[2], self[0], self[1])


def load_heads(conn: Connection, entity: str, row_ids: Iterable[str]) -> dict[str, dict[str, list[Head]]]:
    """{row id: {field: [heads]}} for these rows (fields with no head stand on the creation)."""
    return collect_heads(ask_heads(conn, entity, row_ids))


def ask_heads(conn: Connection, entity: str, row_ids: Iterable[str]) -> list[Any]:
    """The statements of :func:`load_heads`, whose cursors :func:`collect_heads` reads (in a
    :func:`batch`, after its end)."""
    ids = list(dict.fromkeys(row_ids))
    cursors = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        cursors.append(driver_sql(conn, f"SELECT row_id, field, replica, seq, hlc, value FROM sync_head "
                                        f"WHERE entity = ? AND row_id IN ({marks})", (entity, *chunk)))
    return cursors


def collect_heads(cursors: list[Any]) -> dict[str, dict[str, list[Head]]]:
    out: dict[str, dict[str, list[Head]]] = {}
    for cursor in cursors:
        for row_id, field, replica, seq, hlc, value in cursor.fetchall():
            out.setdefault(row_id, {}).setdefault(field, []).append(Head((replica, seq, hlc, value)))
    return out


def winner(heads: list[Head]) -> Head:
    return max(heads, key=lambda h: h.order)


def store_heads(conn: Connection, entity: str, updates: dict[tuple[str, str], list[Head]]) -> None:
    """Replace the heads of these (row id, field) pairs."""
    if not updates:
        return
    driver_sql(conn, "DELETE FROM sync_head WHERE entity = ? AND row_id = ? AND field = ?",
               [(entity, row_id, field) for row_id, field in updates], many=True)
    rows = [(entity, row_id, field, *h) for (row_id, field), heads in updates.items() for h in heads]
    if rows:
        driver_sql(conn, _INSERT_HEAD, rows, many=True)


def _move_heads(conn: Connection, moves: list[tuple[str, str, str, list[Head], list[Head]]],
                numbered_by_server: bool = False) -> None:
    """Heads (entity, row id, field, before, after) of one operation: only the heads it
    superseded are deleted and only its own inserted — the field's other heads (a conflict's)
    stay as they are. ``numbered_by_server``: its own carry their offset, no clock (write())."""
    gone = [(entity, row_id, field, h[0], h[1])
            for entity, row_id, field, before, after in moves for h in before if h not in after]
    new = [(entity, row_id, field, *h) for entity, row_id, field, before, after in moves for h in after
           if h not in before]
    if gone:
        driver_sql(conn, "DELETE FROM sync_head WHERE entity = ? AND row_id = ? AND field = ? AND replica = ? "
                         "AND seq = ?", gone, many=True)
    if new and numbered_by_server:
        driver_sql(conn, _INSERT_HEAD_NUMBERED, [(*h[:5], h[6]) for h in new], many=True)
    elif new:
        driver_sql(conn, _INSERT_HEAD, new, many=True)


def base_for(field: str, row_heads: dict[str, list[Head]], supersede_all: bool = False) -> list[str]:
    """What an edit made here stands on: the field's shown value (or, for a deletion and a
    resolution, everything this laptop has of the row / the field)."""
    if field == "deleted_at":
        return [CREATION, *sorted({h.id for heads in row_heads.values() for h in heads} - {CREATION})]
    heads = row_heads.get(field)
    if not heads:
        return [CREATION]
    if supersede_all:
        return sorted(h.id for h in heads)
    return [winner(heads).id]


def advance(heads: list[Head] | None, base: Iterable[str], new: Head, creation_value: str | None) -> list[Head]:
    """The heads of a field after a change standing on ``base`` (no heads: the field stands
    on the row's creation, with ``creation_value``)."""
    current = heads or [Head(("", 0, 0, creation_value))]
    seen = set(base)
    return [h for h in current if h.id not in seen] + [new]


def reopened(heads: list[Head] | None, undone: str, settled: Iterable[Head], superseded: set[str]) -> list[Head]:
    """The heads of a field once the resolution ``undone`` is undone: it is taken off, and
    the values it settled stand again — each unless a change known here was made on it
    since (``superseded``: the ids in the bases of the field's other changes), so that the
    result is the same whether that change arrives before or after the undoing."""
    current = [h for h in heads or [] if h.id != undone]
    ids = {h.id for h in current}
    return current + [h for h in settled if h.id not in ids and h.id not in superseded]


def superseded_ids(conn: Connection, entity: str, row_id: str, field: str, but: str,
                   more: Iterable[tuple[str, str, str | None, str | None]] = ()) -> set[str]:
    """The changes that a change of this field was made on — other than ``but`` and other
    than resolutions undone since (those settled nothing). ``more``: (id, kind, base, value)
    of changes not in the log yet."""
    changes = [(change_id(replica, seq), kind, base, value) for replica, seq, kind, base, value in run_sql(conn,
               "SELECT replica, seq, kind, base, value FROM sync_change WHERE entity = ? AND row_id = ? AND field = ?",
               (entity, row_id, field))]
    changes += list(more)
    undone = {but} | {read_reopening(value)[0] for _, kind, _, value in changes if kind == "reopen" and value}
    out: set[str] = set()
    for change, kind, base, _ in changes:
        if base and kind == "update" and change not in undone:
            out.update(base.split())
    return out


def reopening(undone: str, settled: Iterable[Head]) -> str:
    """The value of a ``reopen`` change."""
    return json.dumps({"undo": undone, "settled": [list(h) for h in settled]}, ensure_ascii=False)


def read_reopening(value: str) -> tuple[str, list[Head]]:
    data = json.loads(value)
    return data["undo"], [Head(tuple(h)) for h in data["settled"]]


# -- writing the changes of one operation -------------------------------------------------------
def settle_replica(op: Operation) -> str:
    """This laptop's replica id for the operation's changes and its audit records (a copied
    file takes a new one first: services/sync/identity.py). Runs before the audit records are
    written, which is before :func:`write` takes a server's numbering lock."""
    from recovery_desk.services.sync.identity import settle

    replica = settle(op.session.connection())
    if replica != op.replica_id:  # the file is a copy (or this laptop's identity changed meanwhile)
        op.replica_id = replica
        for activity in op._activities:
            activity["replica_id"] = replica
    return replica


def ask_heads_of(op: Operation) -> dict[str, list[Any]]:
    """Ask for the heads of the rows the operation's changes move, for :func:`write` (in the
    operation's :func:`batch` with its audit records, before the numbering lock: the rows' own
    locks — the operation's flushed updates — keep their heads from changing until commit)."""
    by_entity: dict[str, set[str]] = {}
    for kind, entity, row_id, _field, _value in op.sync_log:
        if kind in ("update", "reopen"):
            by_entity.setdefault(entity, set()).add(row_id)
    conn = op.session.connection()
    return {entity: ask_heads(conn, entity, ids) for entity, ids in by_entity.items()}


def write(op: Operation, asked: dict[str, list[Any]]) -> None:
    """Append the operation's changes to the log and move the heads (same transaction), under
    the replica id :func:`settle_replica` settled; ``asked``: :func:`ask_heads_of`'s cursors."""
    log = op.sync_log
    if not log:
        return
    conn = op.session.connection()
    replica = op.replica_id
    heads = {entity: collect_heads(cursors) for entity, cursors in asked.items()}
    # On a server the changes are numbered by the server (offsets 1, 2… here) unless one of
    # them stands on another of the same operation (a field changed twice: its base names it).
    by_server = conn.dialect.name == "postgresql" and _none_stands_on_another(log)
    seq, hlc = (0, 0) if by_server else next_clock(conn, replica, op.at)
    at = micros(op.at)
    actor_id = getattr(op, "actor_id", None)
    changes = []
    before: dict[tuple[str, str, str], list[Head]] = {}  # the heads of each field it moves, as loaded
    vector: dict[str, int] | None = None
    for kind, entity, row_id, field, value in log:
        seq += 1
        base = None
        if kind in ("update", "reopen"):
            row_heads = heads[entity].setdefault(row_id, {})
            before.setdefault((entity, row_id, field), row_heads.get(field, []))
        if kind == "update":
            ids = base_for(field, row_heads, (entity, row_id, field) in op.supersede_all)
            base = " ".join(ids)
            if field == "deleted_at" and value not in (None, "null"):
                # What this laptop had when it deleted: a row added to it elsewhere meanwhile
                # (a task on a deleted case) is told apart from one it saw (conflicts.py).
                vector = vector if vector is not None else version_vector(conn)
                base += "".join(f" {VECTOR_MARK}{r}:{n}" for r, n in sorted(vector.items()))
            # Base ids are this laptop's own heads (never the implicit creation).
            row_heads[field] = [h for h in row_heads.get(field, []) if h.id not in ids] + [
                Head((replica, seq, hlc, value))]
        elif kind == "reopen":
            base, settled = read_reopening(value)
            row_heads[field] = reopened(row_heads.get(field), base, settled,
                                        superseded_ids(conn, entity, row_id, field, base))
        changes.append((replica, seq, hlc, at, op.actor, actor_id, op.name, kind, entity, row_id, field, value, base))
    moves = [(entity, row_id, field, old, heads[entity][row_id][field]) for (entity, row_id, field), old in before.items()]
    if not by_server:
        with batch(conn):
            driver_sql(conn, _INSERT_CHANGE, changes, many=True)
            _move_heads(conn, moves)
        return
    with batch(conn):  # one round trip: lock, number, insert, commit (the lock ends with it)
        driver_sql(conn, "SELECT pg_advisory_xact_lock(?)", (_NUMBERING_LOCK,))
        driver_sql(conn, _SERVER_CLOCK, (replica, _wall_clock(op.at), replica))
        driver_sql(conn, _INSERT_CHANGE_NUMBERED, [(c[0], c[1], *c[3:]) for c in changes], many=True)
        _move_heads(conn, moves, numbered_by_server=True)
        driver_sql(conn, "COMMIT")  # the operation's own commit (workspace.py) then finds nothing to do


def _none_stands_on_another(log: list[tuple[str, str, str, str | None, str | None]]) -> bool:
    """No field changed twice, no deletion of a row with another field changed (its base names
    every head of the row), no resolution undone (rare: those are numbered here, as on a laptop)."""
    if any(kind == "reopen" for kind, *_ in log):
        return False
    fields = [(entity, row_id, field) for kind, entity, row_id, field, _ in log if kind == "update"]
    deleted = {(entity, row_id) for entity, row_id, field in fields if field == "deleted_at"}
    return len(fields) == len(set(fields)) and all(
        field == "deleted_at" or (entity, row_id) not in deleted for entity, row_id, field in fields)


# -- reading -------------------------------------------------------------------------------------
def version_vector(conn: Connection) -> dict[str, int]:
    """What this laptop has: origin replica -> highest sequence number (two look-ups in the
    primary key per replica, not a pass over the whole log: deletions and the status bar ask)."""
    out: dict[str, int] = {}
    replica = ""
    while True:
        row = run_sql(conn, "SELECT replica FROM sync_change WHERE replica > ? ORDER BY replica LIMIT 1",
                      (replica,)).fetchone()
        if row is None:
            return out
        replica = row[0]
        out[replica] = run_sql(conn, "SELECT max(seq) FROM sync_change WHERE replica = ?", (replica,)).scalar()


VECTOR_MARK = "@"  # in a deletion's base: "@replica:seq" = every change of that replica up to seq


def seen_by(deletion: Head, base: str, change: Head) -> bool:
    """Whether the laptop that made ``deletion`` (with ``base``) had ``change`` then.

    A laptop's own earlier changes, and what its version vector covered (deletions carry it
    in their base), were seen. A deletion written before the vector was recorded: what came
    before it by the clock counts as seen."""
    if change.id == CREATION or change.id in base.split():
        return True
    if change[0] == deletion[0]:
        return change[1] < deletion[1]
    vector = {}
    for item in base.split():
        if item.startswith(VECTOR_MARK):
            replica, _, seq = item[1:].rpartition(":")
            vector[replica] = int(seq)
    if not vector:
        return change[2] < deletion[2]
    return change[1] <= vector.get(change[0], 0)


# -- erasure ---------------------------------------------------------------------------------
def scrub_row_from_log(op: Operation, obj: Any, fields: Iterable[str]) -> None:
    """Remove the earlier values of ``fields`` of one row (``obj``) from this laptop's change
    log, and record an ``erase`` change so that every laptop receiving it scrubs its own log too.

    For the erasure of a household (privacy): call it inside the erasing operation *after* the
    fields were blanked with ``op.update`` (those blank values replicate as usual, and are what
    the log keeps in place of the old ones). The audit trail's copies of the old values (this
    operation's records included) are blanked too, here and on every receiving laptop."""
    from recovery_desk.services.operation import encode
    from recovery_desk.services.sync.apply import scrub_audit, scrub_pending

    blanks = {name: encode(getattr(obj, name)) for name in sorted(set(fields))}
    conn = op.session.connection()
    scrub(conn, obj.__tablename__, obj.id, blanks, before_hlc=None)
    scrub_audit(conn, obj.__tablename__, obj.id, blanks)
    scrub_pending(op._activities, obj.__tablename__, obj.id, blanks)
    op.sync_log.append(("erase", obj.__tablename__, obj.id, None, json.dumps(blanks, ensure_ascii=False)))


def scrub(conn: Connection, entity: str, row_id: str, blanks: dict[str, str | None],
          before_hlc: int | None) -> None:
    """Put the ``blanks`` (encoded values) in place of every stored value of those fields of one
    row: its creation snapshot, its field changes and its heads. With ``before_hlc``, changes
    made after the erasure (clock at or above it) are kept."""
    later = "" if before_hlc is None else " AND hlc < ?"
    extra: tuple[Any, ...] = () if before_hlc is None else (before_hlc,)
    for name, blank in blanks.items():
        run_sql(conn, f"UPDATE sync_change SET value = ? WHERE entity = ? AND row_id = ? AND kind = 'update' "
                             f"AND field = ?{later}", (blank, entity, row_id, name, *extra))
        run_sql(conn, f"UPDATE sync_head SET value = ? WHERE entity = ? AND row_id = ? AND field = ?{later}",
                             (blank, entity, row_id, name, *extra))
        for replica, seq, value in run_sql(conn,
                f"SELECT replica, seq, value FROM sync_change WHERE entity = ? AND row_id = ? AND kind = 'reopen' "
                f"AND field = ?{later}", (entity, row_id, name, *extra)).all():
            undone, settled = read_reopening(value)
            blanked = [Head((*h[:3], blank)) for h in settled]
            run_sql(conn, "UPDATE sync_change SET value = ? WHERE replica = ? AND seq = ?",
                    (reopening(undone, blanked), replica, seq))
    for replica, seq, value in run_sql(conn,
            f"SELECT replica, seq, value FROM sync_change WHERE entity = ? AND row_id = ? AND kind = 'create'{later}",
            (entity, row_id, *extra)).all():
        snapshot = json.loads(value) if value else {}
        for name, blank in blanks.items():
            if name in snapshot:
                snapshot[name] = None if blank is None else json.loads(blank)
        run_sql(conn, "UPDATE sync_change SET value = ? WHERE replica = ? AND seq = ?",
                             (json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")), replica, seq))


def record_outside_operation(conn: Connection, name: str, entries: list[tuple[str, str, str, str | None, str | None]],
                             actor: str = "") -> None:
    """Append changes that carry no field heads (erasures) from a write that is not an
    Operation (the erasure's own transaction)."""
    from recovery_desk.services.sync.identity import settle
    from recovery_desk.storage.models import utcnow

    replica = settle(conn)
    at = utcnow()
    seq, hlc = next_clock(conn, replica, at)
    rows = [(replica, seq + i + 1, hlc, micros(at), actor, None, name, kind, entity, row_id, field, value, None)
            for i, (kind, entity, row_id, field, value) in enumerate(entries)]
    if rows:
        run_sql(conn, _INSERT_CHANGE, rows)
