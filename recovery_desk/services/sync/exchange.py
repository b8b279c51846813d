"""Writing and reading bundles, joining a laptop from one, and where this laptop stands.

A bundle holds the changes the receiving laptop may lack: every change of the log above
what that laptop had, by its version vector, as learnt from the last bundle read from it
(``--for``), or above what *every* known laptop had (the default), or everything
(``--all``; a laptop with no known peer writes everything too). Bundles lost on the way do
no harm: what a laptop has is only ever learnt from its own bundles, so the next bundle
holds the lost changes again. Reading one twice changes nothing.

Reading a bundle while the app runs is a second writer of the workspace: the whole bundle is
applied in one transaction that takes the write lock first (the busy timeout waits for the
app's transaction); a refused bundle writes nothing at all — no peer record, no log row.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.services.sync import changelog
from recovery_desk.services.sync.apply import NOT_CARRIED, Applier, Change, Summary, to_plain
from recovery_desk.services.sync.bundle import Bundle, BundleError, open_bundle, write_bundle
from recovery_desk.services.sync.changelog import CHANGE_COLUMNS, version_vector
from recovery_desk.services.sync.identity import identity, settle
from recovery_desk.services.sync.sql import all_rows, run_sql, sqlite_form
from recovery_desk.storage.models import ENTITY_MODELS, Activity, Base, utcnow
from recovery_desk.storage.retry import is_transient, retrying

Progress = Callable[[int, int, str], None]


@dataclass
class ExportResult:
    path: Path
    changes: int
    size: int
    covers: dict[str, list[int]] = field(default_factory=dict)


def _incident_name(conn: Connection) -> str:
    row = run_sql(conn, "SELECT name FROM incident WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1"
                               ).fetchone()
    return row[0] if row else ""


def peers(conn: Connection) -> list[dict[str, Any]]:
    return [{"replica": r, "last_seen": seen, "known": json.loads(known or "{}"), "actor": actor}
            for r, seen, known, actor in run_sql(conn,
                "SELECT replica, last_seen, known, actor FROM sync_peer ORDER BY last_seen")]


def _since(conn: Connection, for_replica: str | None, everything: bool) -> dict[str, int]:
    if everything:
        return {}
    known = {p["replica"]: p["known"] for p in peers(conn)}
    if for_replica:
        matches = [r for r in known if r.startswith(for_replica)]
        if len(matches) != 1:
            raise WorkspaceError("no other laptop {replica} is known here (see 'sync status')", replica=for_replica)
        return known[matches[0]]
    if not known:
        return {}
    # What every known laptop has: the smallest of their vectors (one bundle serves them all).
    replicas = set().union(*known.values())
    return {r: min(k.get(r, 0) for k in known.values()) for r in replicas}


def _bulk_columns(conn: Connection, bulks: dict[str, tuple[str, list[str]]]) -> dict[str, dict[str, list[Any]]]:
    """The rows of bulk creations as they are now, a column at a time, for each bulk change
    (``bulks``: change id -> (entity, the ids it created)).

    Each table is read once for all of its bulk creations: the 60,000-case demo made 30 of
    each, and reading the whole table for every one of them was 20 million rows fetched for
    1.1 million carried (96 s of the 97 s that ``sync export --all`` took)."""
    by_entity: dict[str, list[str]] = {}
    for entity, ids in bulks.values():
        by_entity.setdefault(entity, []).extend(ids)
    out: dict[str, dict[str, list[Any]]] = {}
    with _without_cyclic_gc():
        rows = {entity: _rows_by_id(conn, entity, ids) for entity, ids in by_entity.items()}
        for key, (entity, ids) in bulks.items():
            names, by_id = rows[entity]
            out[key] = _as_columns(conn, entity, names, [by_id[i] for i in ids if i in by_id])
    return out


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Millions of tuples and strings made at once, none in a cycle: Python's cycle collector
    would walk the growing heap again and again (a third of the time of reading the rows of
    the whole workspace), and once more, whole, at its first run after them — unless they are
    freed by then (``export_bundle`` keeps it off until the bundle is written and dropped)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rows_by_id(conn: Connection, entity: str, ids: list[str]) -> tuple[list[str], dict[str, tuple]]:
    """(the carried column names, {id: row}) of these rows of one table: many are read in one
    pass over the table, a few through the primary key."""
    table = ENTITY_MODELS[entity].__table__  # type: ignore[attr-defined]
    names = ["id", *(c.key for c in table.columns if c.key not in NOT_CARRIED and c.key != "id")]
    select = f'SELECT {", ".join(chr(34) + n + chr(34) for n in names)} FROM "{entity}"'
    by_id: dict[str, tuple] = {}
    if len(ids) > 5000:
        wanted = set(ids)
        by_id = {row[0]: row for row in all_rows(conn, select) if row[0] in wanted}
    else:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            by_id.update((row[0], row) for row in all_rows(conn, f"{select} WHERE id IN ({','.join('?' * len(chunk))})",
                                                            tuple(chunk)))
    return names, by_id


def _as_columns(conn: Connection, entity: str, names: list[str], rows: list[tuple]) -> dict[str, list[Any]]:
    table = ENTITY_MODELS[entity].__table__  # type: ignore[attr-defined]
    json_columns = {c.key for c in table.columns if c.type.__class__.__name__ == "JSON"}
    columns: dict[str, list[Any]] = {}
    for name, column in zip(names, zip(*rows, strict=True) if rows else [()] * len(names), strict=True):
        values = list(column)
        if conn.dialect.name != "sqlite":  # a server's typed values, as SQLite (and bundles) hold them
            values = [sqlite_form(conn, table.c[name], v) for v in values]
        if name in json_columns:
            values = [None if v is None else json.loads(v) for v in values]
        columns[name] = [to_plain(v) for v in values] if values and isinstance(values[0], bytes) else values
    return columns


def _history_columns(conn: Connection, span: dict[str, int]) -> dict[str, list[Any]]:
    names = ["at", "actor", "actor_id", "replica_id", "operation_id", "operation", "entity", "entity_id", "action", "field",
             "old_value", "new_value", "case_id"]
    rows = run_sql(conn, f"SELECT {', '.join(names)} FROM activity WHERE id BETWEEN ? AND ? ORDER BY id",
                                (span["from"], span["to"])).all()
    table = Activity.__table__
    return {n: [sqlite_form(conn, table.c[n], r[i]) for r in rows] for i, n in enumerate(names)}


def collect_changes(ws: Any, since: dict[str, int], progress: Any = None) -> Bundle:
    """What a bundle holds for a laptop (or server) that has ``since`` (its version vector):
    every change above it, bulk rows and history included — not encrypted, not written
    (``sync push|pull --server`` hands it to :func:`apply_bundle` on the other side)."""
    from recovery_desk.storage.database import head_revision

    with ws.engine.connect() as conn:
        have = version_vector(conn)
        info = identity(conn)
        changes: list[tuple] = []
        bulks: dict[str, tuple[str, list[str]]] = {}
        history: dict[str, dict[str, list[Any]]] = {}
        covers: dict[str, list[int]] = {}
        for number, (replica, top) in enumerate(sorted(have.items())):
            if progress is not None:
                progress.report(number, len(have), "")
            start = since.get(replica, 0)
            if top <= start:
                continue
            covers[replica] = [start + 1, top]
            for row in run_sql(conn, f"SELECT {', '.join(CHANGE_COLUMNS)} FROM sync_change "
                                            "WHERE replica = ? AND seq > ? ORDER BY seq", (replica, start)):
                change = list(row)
                kind, entity, value = change[7], change[8], change[11]
                key = changelog.change_id(replica, change[1])
                if kind == "bulk":
                    bulks[key] = (entity, json.loads(value)["ids"])
                    change[11] = None
                elif kind == "history":
                    history[key] = _history_columns(conn, json.loads(value))
                changes.append(tuple(change))
        bulk = _bulk_columns(conn, bulks)
        incident = _incident_name(conn)
    replicas = sorted({c[0] for c in changes})
    index = {r: i for i, r in enumerate(replicas)}
    body = {"replicas": replicas, "changes": [[index[c[0]], *c[1:]] for c in changes], "bulk": bulk,
            "history": history}
    written_at = utcnow().isoformat(timespec="seconds")
    header = {"workspace_id": info["workspace_id"], "incident": incident, "source_replica": info["replica_id"],
              "schema": head_revision(), "written_at": written_at}
    manifest = {**header, "home_replica": info["home_replica"], "has": have, "covers": covers,
                "changes": len(changes), "actor": ws.actor}
    return Bundle(header, manifest, body)


def export_bundle(ws: Any, path: Path, passphrase: str, *, for_replica: str | None = None,
                  everything: bool = False, progress: Any = None) -> ExportResult:
    path = Path(path)
    with ws.engine.connect() as conn:
        since = _since(conn, for_replica, everything)
    with _without_cyclic_gc():  # until the rows read are freed again (see there)
        bundle = collect_changes(ws, since, progress)
        size = write_bundle(path, bundle.header, bundle.manifest, bundle.body, passphrase)
        result = ExportResult(path, bundle.manifest["changes"], size, bundle.manifest["covers"])
        del bundle
    return result


# -- reading ------------------------------------------------------------------------------------
def _changes_of(bundle: Bundle) -> list[Change]:
    replicas = bundle.body["replicas"]
    return [Change(replicas[c[0]], *c[1:]) for c in bundle.body["changes"]]


def check_bundle_for(bundle: Bundle, info: dict[str, str], path: Path) -> None:
    from recovery_desk.storage.database import known_revisions

    manifest = bundle.manifest
    if manifest.get("workspace_id") != info["workspace_id"] or bundle.header.get("workspace_id") != info[
            "workspace_id"]:
        raise BundleError("{path} belongs to another workspace (incident '{incident}'), not to this one",
                          path=path, incident=manifest.get("incident", ""))
    if manifest.get("schema") not in known_revisions()[0]:
        raise BundleError("{path} was written by a newer version of Recovery Desk (schema {revision}); "
                          "update the application to read it", path=path, revision=manifest.get("schema"))


def _new_changes(conn: Connection, changes: list[Change], me: str, path: Path) -> list[Change]:
    """The changes this laptop lacks, after checking that they follow on from what it has."""
    have = version_vector(conn)
    by_replica: dict[str, list[Change]] = {}
    for c in changes:
        by_replica.setdefault(c.replica, []).append(c)
    new: list[Change] = []
    for replica, items in by_replica.items():
        items.sort(key=lambda c: c.seq)
        top = have.get(replica, 0)
        old = [c for c in items if c.seq <= top]
        if old:
            # Changes we have already: the very same ones, or a copy of this laptop's file is at work.
            lo, hi = old[0].seq, old[-1].seq
            ours = dict(run_sql(conn, "SELECT seq, hlc FROM sync_change WHERE replica = ? AND seq BETWEEN ? "
                                             "AND ?", (replica, lo, hi)).all())
            if any(ours.get(c.seq) != c.hlc for c in old):
                raise BundleError(_COPY_MESSAGE, path=path, replica=replica[:8])
        fresh = [c for c in items if c.seq > top]
        if fresh and replica == me:
            raise BundleError(_COPY_MESSAGE, path=path, replica=replica[:8])
        expected = top + 1
        for c in fresh:
            if c.seq != expected:
                raise BundleError("{path} does not follow on from what this laptop has (laptop {replica}: "
                                  "changes up to {have} here, the bundle starts at {first}); ask for a bundle "
                                  "written with --all", path=path, replica=replica[:8], have=expected - 1,
                                  first=c.seq)
            expected += 1
        new.extend(fresh)
    new.sort(key=lambda c: (c.hlc, c.replica, c.seq))
    return new


_COPY_MESSAGE = ("{path} holds changes made under this laptop's identity ({replica}) that this laptop did not "
                 "make: a copy of this workspace file is in use on another laptop. Nothing was read. Keep working "
                 "on one of the two; on the other, join the incident again from a bundle ('join')")


def import_bundle(ws: Any, path: Path, passphrase: str, *, dry_run: bool = False, progress: Any = None) -> Summary:
    """Apply a bundle in one transaction; a refused bundle (BundleError) writes nothing, and
    neither does one whose reading is cancelled (``progress.report`` raising). A transaction a
    server aborted (a deadlock) is applied again from the start, from the file (applying may
    consume what was read of it): storage/retry.py."""
    path = Path(path)
    return retrying(lambda: apply_bundle(ws, open_bundle(path, passphrase), path, dry_run=dry_run,
                                         progress=progress))


def apply_bundle(ws: Any, bundle: Bundle, path: Path, *, dry_run: bool = False, progress: Any = None) -> Summary:
    """:func:`import_bundle` of a bundle already opened (``path`` names it in messages)."""
    from recovery_desk.services.erasure import _forget_in_file, mark_forget_pending
    from recovery_desk.services.sync.conflicts import open_conflict_ids

    with ws.session() as session:
        transaction = session.begin()
        try:
            conn = session.connection()
            # Take the write lock first (waits for the app's transaction, by the busy timeout).
            run_sql(conn, "UPDATE workspace_info SET value = value WHERE key = 'replica_id'")
            me = settle(conn)  # a copied file takes its own identity before it reads anything
            info = identity(conn)
            check_bundle_for(bundle, info, path)
            new = _new_changes(conn, _changes_of(bundle), me, path)
            before = open_conflict_ids(conn)
            summary = Applier(session, bundle.body.get("bulk", {}), bundle.body.get("history", {})).apply(new, progress)
            if new:
                run_sql(conn, changelog._INSERT_CHANGE, [c.row() for c in new])
                changelog.observe_clock(conn, max(c.hlc for c in new))
            summary.conflicts = len(open_conflict_ids(conn) - before)
            if bundle.manifest.get("source_replica") != me:
                _remember_peer(conn, bundle)
            # Another laptop's erasure (or the incident's anonymisation): this file must forget the
            # values too, as the erasing laptop's did (services/erasure.py), after the commit.
            forget = not dry_run and any(c.kind in ("erase", "anon") for c in new)
            if forget:
                mark_forget_pending(conn)
        except (ValueError, KeyError, TypeError, IndexError, SQLAlchemyError) as exc:
            transaction.rollback()
            if is_transient(exc):  # the server aborted us (a deadlock): whole again, by whoever retries
                raise
            raise BundleError("{path} could not be applied ({detail}); nothing was read", path=path,
                              detail=f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            transaction.rollback()  # refused, or cancelled: nothing written
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    if forget:
        _forget_in_file(ws)
    return summary


def _remember_peer(conn: Connection, bundle: Bundle) -> None:
    """What the sending laptop had (merged with what was known of it: bundles may come late)
    and when it wrote its latest bundle. Reading a bundle again changes nothing."""
    m = bundle.manifest
    row = run_sql(conn, "SELECT last_seen, known, actor FROM sync_peer WHERE replica = ?",
                               (m["source_replica"],)).fetchone()
    known = json.loads(row[1]) if row else {}
    merged = dict(known)
    for replica, seq in m.get("has", {}).items():
        merged[replica] = max(merged.get(replica, 0), seq)
    written = m.get("written_at", "")
    last_seen = max(row[0], written) if row else written
    actor = m.get("actor", "") if not row or written >= row[0] else row[2]
    if row is not None and (merged, last_seen, actor) == (known, row[0], row[2]):
        return
    run_sql(conn,
        "INSERT INTO sync_peer (replica, last_seen, known, actor) VALUES (?, ?, ?, ?) ON CONFLICT(replica) DO UPDATE "
        "SET last_seen = excluded.last_seen, known = excluded.known, actor = excluded.actor",
        (m["source_replica"], last_seen, json.dumps(merged, sort_keys=True), actor))


# -- joining ------------------------------------------------------------------------------------
# Page cache while a joining laptop's file is built (KiB; the file is ~700 MB at 60,000 cases).
JOIN_CACHE_KIB = 512 * 1024


def join_workspace(path: Path, bundle_path: Path, passphrase: str, *, actor: str = "") -> Any:
    """A new workspace file for this laptop, filled from a bundle holding the whole workspace.

    Built as SQLite builds big files fast: the tables first, without their secondary indexes
    (an index kept up to date row by row, in random id order, is what made a 60,000-case join
    take minutes: each insert touched pages all over the file), the rows applied exactly as
    ``sync import`` applies them (the same merge code, so the result is the same), then each
    index built once from the finished table, with a large page cache and no foreign-key
    look-up per row (the rows come from a workspace that was consistent)."""
    from recovery_desk.services.workspace import Workspace

    path = Path(path)
    if path.exists():
        raise WorkspaceError("{path} already exists; join into a new file", path=path)
    with _without_cyclic_gc():  # the decoded bundle is millions of objects (see there); freed before the end
        _build_joined(path, Path(bundle_path), passphrase, actor)
    return Workspace.open(path, actor=actor)


def _build_joined(path: Path, bundle_path: Path, passphrase: str, actor: str) -> None:
    from sqlalchemy import event

    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage import database
    from recovery_desk.storage.models import new_id

    bundle = open_bundle(Path(bundle_path), passphrase)
    check_bundle_for(bundle, {"workspace_id": bundle.manifest.get("workspace_id", "")}, Path(bundle_path))
    changes = _changes_of(bundle)
    starts: dict[str, int] = {}
    for c in changes:
        starts[c.replica] = min(starts.get(c.replica, c.seq), c.seq)
    if not changes or any(first != 1 for first in starts.values()):
        raise BundleError("{path} does not hold the whole workspace; to join a laptop, write a bundle with --all",
                          path=bundle_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Built under a temporary name in one big transaction (no WAL: each page written once),
    # switched to WAL, then given its name: a join that fails or is killed leaves no workspace.
    building = path.with_name(f".{path.name}.joining")
    building.unlink(missing_ok=True)
    engine = database.make_engine(building, journal="DELETE")

    @event.listens_for(engine, "connect")
    def _building(dbapi_connection, _record):  # after make_engine's own settings
        for pragma in ("foreign_keys=OFF", "synchronous=OFF", f"cache_size=-{JOIN_CACHE_KIB}"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    try:
        # The models are what the migrations build (tests/test_storage.py checks it): create
        # them at the head revision directly, without running every migration.
        Base.metadata.create_all(engine)
        if hasattr(database, "set_application_id"):
            database.set_application_id(engine)  # what marks the file as a workspace
        with engine.connect() as conn:
            indexes = run_sql(conn, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                    "ORDER BY name").all()
            for name, _sql in indexes:
                run_sql(conn, f'DROP INDEX "{name}"')
            run_sql(conn, "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
                                 "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
            run_sql(conn, "INSERT INTO alembic_version VALUES (?)", (database.head_revision(),))
            for key, value in (("replica_id", new_id()), ("created_at", utcnow().isoformat()),
                               ("workspace_id", bundle.manifest["workspace_id"]),
                               ("home_replica", bundle.manifest.get("home_replica", "")),
                               ("joined_from", bundle.manifest["source_replica"])):
                changelog.set_info(conn, key, value)
            settle(conn)
            conn.commit()
        filling = Workspace(building, engine, actor)
        apply_bundle(filling, bundle, Path(bundle_path))
        del bundle, changes  # the decoded bundle is big: free it before the indexes are built
        with engine.begin() as conn:
            for _name, sql in indexes:
                run_sql(conn, sql)
        engine.dispose()
        if hasattr(database, "set_wal"):
            database.set_wal(building)
        building.replace(path)
    except BaseException:
        engine.dispose()
        building.unlink(missing_ok=True)
        raise


# -- where this laptop stands -------------------------------------------------------------------
def status(ws: Any) -> dict[str, Any]:
    with ws.engine.connect() as conn:
        known = peers(conn)
        info = identity(conn)
        me = info["replica_id"]
        mine = version_vector(conn).get(me, 0)
        sent = max((p["known"].get(me, 0) for p in known), default=0)
    return {"replica": me, "workspace": info["workspace_id"], "reference_code": info["reference_code"],
            "peers": [{"replica": p["replica"], "last_seen": p["last_seen"], "actor": p["actor"]} for p in known],
            "unsent": max(mine - sent, 0)}


def unsent_count(ws: Any) -> int:
    return status(ws)["unsent"]
