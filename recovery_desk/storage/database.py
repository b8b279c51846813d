"""Opening a workspace file safely: through SQLite, and only through SQLite.

A workspace is recognised by what SQLite says about it — ``PRAGMA application_id`` (set to
:data:`APPLICATION_ID` on every workspace) and the schema revision in ``alembic_version`` —
never by reading its bytes ourselves. That matters: closing *any* file descriptor a process
holds on a database drops all of that process's POSIX locks on it (sqlite.org/howtocorrupt
§2.2), after which another process may checkpoint and delete the WAL the first one is still
writing. So no ``open()``, no header parsing, and no size check (the main file of a
workspace may legitimately be shorter than its header says while the ``-wal`` holds the
rest).

Inspection reads through a read-only connection first, which changes nothing; a foreign
file (not SQLite, another application's database, a newer schema) is refused from that
and left byte-for-byte as it was. A file left with a hot ``-journal`` (a writer died) is
handed to SQLite read-write so that it rolls the journal back under its lock, as it is
meant to. Only a file that cannot be opened read-write at all (a read-only folder or
file, a write-protected USB stick) is used read-only, and still serves every reading
command. An older schema is upgraded after a backup beside the file. docs/concurrency.md
says which process may do what to a workspace at the same time.
"""

from __future__ import annotations

import enum
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.storage import files
from recovery_desk.storage.retry import count_commits

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# How long any connection waits for another process's lock before giving up. Every wait —
# opening, writing, backing up, restoring — is bounded by it. Tests shorten it.
BUSY_TIMEOUT_MS = int(os.environ.get("RECOVERY_DESK_BUSY_TIMEOUT_MS", "10000"))
# PRAGMA application_id of every workspace: "RDSK" in ASCII (sqlite.org/fileformat2.html).
APPLICATION_ID = int.from_bytes(b"RDSK", "big")

# SQLite's answers that mean "this needs a write to be readable" (a hot journal to roll
# back, a WAL index to rebuild) — not damage.
_NEEDS_RECOVERY = {"SQLITE_READONLY_ROLLBACK", "SQLITE_READONLY_RECOVERY", "SQLITE_READONLY_CANTINIT",
                   "SQLITE_READONLY_CANTLOCK", "SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN"}


if TYPE_CHECKING:  # SQLAlchemy and Alembic load only when a workspace is opened for writing
    from alembic.config import Config
    from sqlalchemy import Engine


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def known_revisions() -> tuple[set[str], str]:
    """The schema revisions this version knows, and the newest (head).

    Read from the migration files' ``revision`` / ``down_revision`` lines rather than
    through Alembic, so that opening a current workspace does not import Alembic at all.
    """
    revisions: dict[str, str | None] = {}
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.M)
        down = re.search(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.M)
        if revision:
            revisions[revision.group(1)] = down.group(1) if down else None
    heads = set(revisions) - {d for d in revisions.values() if d}
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(heads)}")
    return set(revisions), heads.pop()


def head_revision() -> str:
    return known_revisions()[1]


class FileState(enum.Enum):
    MISSING = "missing"
    EMPTY = "empty"  # a zero-byte file (no WAL with content beside it): may become a workspace
    CURRENT = "current"
    OLDER = "older"


@dataclass(frozen=True)
class Inspection:
    state: FileState
    revision: str | None = None
    application_id: int = 0
    # True when the file (or its folder) cannot be written: it is opened read-only.
    read_only: bool = False


# -- connections -------------------------------------------------------------------------------
def sqlite_uri(path: Path, **params: str) -> str:
    """An SQLite URI for ``path`` (percent-encoded, so any file name works)."""
    uri = "file:" + quote(str(Path(path).resolve()).replace(os.sep, "/"), safe="/:")
    return uri + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def connect(path: Path, *, mode: str = "rw", timeout_ms: int | None = None) -> sqlite3.Connection:
    """A DB-API connection; ``mode`` is ``rw`` (never creates a file), ``ro``, or ``rwc``.

    ``ro`` on a read-only medium with no ``-wal`` or ``-journal`` beside the file becomes
    ``immutable=1``: SQLite cannot create the WAL index there, and nothing can change the
    file (sqlite.org/wal.html#readonly). With a WAL beside it, ``mode=ro`` reads the WAL."""
    timeout = (BUSY_TIMEOUT_MS if timeout_ms is None else timeout_ms) / 1000
    params = {"mode": mode}
    if mode == "ro" and not folder_writable(path) and not any(
            os.path.lexists(f"{path}{side}") for side in ("-wal", "-journal")):
        params = {"immutable": "1"}
    return sqlite3.connect(sqlite_uri(path, **params), uri=True, timeout=timeout, check_same_thread=False)


@contextmanager
def read_only_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A DB-API connection that cannot write (reads of a workspace another process may use).

    Where the file is writable it is ``mode=rw`` with ``PRAGMA query_only``: it changes no
    data, yet SQLite may do its housekeeping (roll back a hot journal, and, as the last
    connection, fold the WAL into the file and remove the -wal and -shm)."""
    if folder_writable(path):
        con = connect(path, mode="rw")
        con.execute("PRAGMA query_only=ON")
    else:
        con = connect(path, mode="ro")
    try:
        yield con
    finally:
        con.close()


def folder_writable(path: Path) -> bool:
    """Can this process write ``path`` and create SQLite's side files beside it?

    ``os.access`` asks the kernel without opening the file (so no lock is disturbed) and
    honours read-only mounts and immutable files, even for root."""
    path = Path(path)
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


@dataclass(frozen=True)
class _Identity:
    application_id: int
    revision: str | None


def _read_identity(con: sqlite3.Connection) -> _Identity:
    # The first statement reads page 1 (from the WAL when it is newer there): SQLite says
    # "not a database", "malformed" (a truncated file), or needs to recover, here.
    application_id = con.execute("PRAGMA application_id").fetchone()[0]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = None
    if "alembic_version" in tables:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return _Identity(application_id, revision)


def _identity_via(path: Path, mode: str) -> _Identity:
    con = connect(path, mode=mode)
    try:
        con.execute("PRAGMA query_only=ON")
        return _read_identity(con)
    finally:
        con.close()


def _peek(path: Path) -> _Identity | str | None:
    """What the main file says on its own (``immutable=1``: no locks taken, nothing written,
    no -wal or -shm created beside a file that may not be ours; and, unlike a plain
    ``open()``, closing it leaves this process's other connections' locks alone).
    ``"not sqlite"``, an identity, or None when it cannot tell (SQLite must read the WAL
    or roll back a journal first)."""
    try:
        con = sqlite3.connect(sqlite_uri(path, immutable="1"), uri=True)
    except sqlite3.Error:
        return None
    try:
        return _read_identity(con)
    except sqlite3.Error as exc:
        return "not sqlite" if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB" else None
    finally:
        con.close()


def _is_ours(identity: _Identity) -> bool:
    return identity.application_id == APPLICATION_ID or (
        identity.application_id == 0 and identity.revision is not None)


def _clearly_foreign(path: Path, peek: _Identity) -> bool:
    """Another application's mark; or no mark and no schema revision while no WAL could hold
    one (a workspace made before the mark, its schema still only in its -wal, is not foreign)."""
    if peek.application_id not in (0, APPLICATION_ID):
        return True
    return not _is_ours(peek) and not os.path.lexists(f"{path}-wal")


def inspect_file(path: Path) -> Inspection:
    """Checks through SQLite; raises WorkspaceError with a one-line reason for a bad file.

    Changes nothing, except that a workspace with a hot journal is recovered by SQLite."""
    from recovery_desk.storage.failures import error_for

    path = Path(path)
    if not path.exists():
        return Inspection(FileState.MISSING)
    if path.is_dir():
        raise WorkspaceError("{path} is a folder, not a workspace file", path=path)
    if files.is_empty_leftover(path):  # zero bytes, and no WAL with content for it
        return Inspection(FileState.EMPTY, read_only=not folder_writable(path))
    peek = _peek(path)
    if peek == "not sqlite":
        raise WorkspaceError("{path} is not a Recovery Desk workspace (not an SQLite file)", path=path)
    if isinstance(peek, _Identity) and _clearly_foreign(path, peek):
        _refuse_foreign(path, peek)
    writable = folder_writable(path)
    # Ours: read-write (SQLite recovers and tidies as it should). Unsure: read-only first, so
    # that nothing — not even a checkpoint of its WAL — touches what may be someone else's.
    ours = isinstance(peek, _Identity) and _is_ours(peek)
    try:
        identity = _identity_via(path, "rw" if ours and writable else "ro")
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise WorkspaceError("{path} is not a Recovery Desk workspace (not an SQLite file)", path=path) from exc
        if getattr(exc, "sqlite_errorname", "") not in _NEEDS_RECOVERY:
            raise error_for(exc, path) from exc
        if not writable:
            raise WorkspaceError(
                "{path} was left with an unfinished change that SQLite must roll back, but the file or its "
                "folder is read-only; copy the file together with the files beside it named like it "
                "(-journal, -wal) to a writable folder and open it there", path=path) from exc
        try:
            identity = _identity_via(path, "rw")  # SQLite recovers the file under its lock
        except sqlite3.Error as exc2:
            raise error_for(exc2, path) from exc2
    if not _is_ours(identity):
        _refuse_foreign(path, identity)
    known, head = known_revisions()
    if identity.revision is None:
        from recovery_desk.storage.failures import DamagedError

        raise DamagedError("{path} is damaged: it is marked as a Recovery Desk workspace but has no schema "
                           "revision", path=path)
    if identity.revision not in known:
        raise WorkspaceError(
            "{path} was created by a newer version of Recovery Desk (schema {revision}); "
            "update the application to open it",
            path=path,
            revision=identity.revision,
        )
    state = FileState.CURRENT if identity.revision == head else FileState.OLDER
    return Inspection(state, identity.revision, identity.application_id, read_only=not writable)


def _refuse_foreign(path: Path, identity: _Identity) -> None:
    if identity.application_id not in (0, APPLICATION_ID):
        raise WorkspaceError("{path} is another application's SQLite database, not a Recovery Desk workspace",
                             path=path)
    raise WorkspaceError("{path} is an SQLite file but not a Recovery Desk workspace", path=path)


# -- engines -----------------------------------------------------------------------------------
def make_engine(path: Path, *, journal: str = "WAL", read_only: bool = False, create: bool = True,
                connection: sqlite3.Connection | None = None) -> Engine:
    """An engine whose every connection is configured (style.md 6).

    ``journal="DELETE"`` is only for filling a brand-new *temporary* file in one transaction
    (demo data: WAL would write each page twice); the file is switched to WAL before it gets
    its name (:func:`set_wal`). ``read_only=True`` opens ``mode=ro`` (a write-protected file:
    every reading command works, a write fails with "read-only"). ``Workspace.open`` passes
    ``create=False``: opening never conjures an empty workspace where one vanished.
    ``connection``: an engine over that one connection (the upgrade's exclusive one)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import QueuePool, StaticPool

    mode = "ro" if read_only else ("rwc" if create else "rw")
    if connection is not None:
        engine = create_engine("sqlite+pysqlite://", creator=lambda: connection, poolclass=StaticPool)
    else:
        engine = create_engine("sqlite+pysqlite://", creator=lambda: connect(path, mode=mode), poolclass=QueuePool)

    if connection is None:  # (the upgrade's own engine is the one changing the schema)
        @event.listens_for(engine, "handle_error")
        def _schema_changed_under_us(context) -> None:
            newer = newer_schema_than_ours(path, context.original_exception)
            if newer is not None:
                raise WorkspaceError(
                    "{path} was upgraded by a newer version of Recovery Desk (schema {revision}) while this one "
                    "had it open; close it here and use the newer version", path=path,
                    revision=newer) from context.original_exception

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):  # style.md 6
        cursor = dbapi_connection.cursor()
        if not read_only:
            cursor.execute(f"PRAGMA journal_mode={journal}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
        cursor.close()

    count_commits(engine)  # what a retry must not do twice (storage/retry.py)
    return engine


def lock_exclusively(path: Path) -> sqlite3.Connection | None:
    """A connection holding the workspace's lock for itself (``locking_mode=EXCLUSIVE``):
    no other process can read or write until it closes. In WAL mode every connection holds
    a shared lock while open, so this also fails — after the busy timeout, naming the holder
    (LockedError) — while another program merely has the workspace open. ``None`` when SQLite
    cannot read the file (damaged)."""
    from recovery_desk.storage.failures import LockedError, error_for

    con = connect(path, mode="rw")
    con.isolation_level = None
    try:
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
        con.execute("BEGIN EXCLUSIVE")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        con.execute("COMMIT")  # the lock stays: exclusive locking mode keeps it until close
    except sqlite3.Error as exc:
        con.close()
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise LockedError.for_path(path) from exc
        if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
            return None
        raise error_for(exc, path) from exc
    return con


def upgrade_alone(path: Path, revision: str) -> Path:
    """Upgrade an older workspace's schema while no other program has it open, and keep a copy
    of it as it was beside it; returns the copy.

    An older version of the app that still has the file open would go on writing rows of the
    old shape into the new schema (or fail on every query): so the upgrade takes the file for
    itself (:func:`lock_exclusively`) — waiting no longer than the busy timeout, then refusing
    with a message naming the holder — and holds it from the copy to the last migration, so
    that no one opens it half-upgraded either."""
    from recovery_desk.storage.failures import DamagedError, LockedError, holders

    try:
        con = lock_exclusively(path)
    except LockedError as exc:
        names = ", ".join(holders(path))
        if names:
            raise WorkspaceError(
                "{path} must be upgraded to this version's schema, but another program has it open ({holder}); "
                "close it there (an older version of Recovery Desk?) and open it here again", path=path,
                holder=names) from exc
        raise WorkspaceError(
            "{path} must be upgraded to this version's schema, but another program has it open; close it "
            "there (an older version of Recovery Desk?) and open it here again", path=path) from exc
    if con is None:
        raise DamagedError("{path} is damaged ({detail}); run 'check' and restore a backup", path=path,
                           detail="the schema upgrade could not read it")
    try:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = path.with_name(f"{path.stem}.before-upgrade-{revision}-{stamp}{path.suffix}.bak")
        with files.creating(kept, replace=True, database=True) as tmp:
            write_copy(con, tmp, check=False)
        con.isolation_level = ""  # SQLAlchemy's transactions, as on every other connection
        engine = make_engine(path, connection=con)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
    finally:
        con.close()
    return kept


# What a statement of this version meets in a schema that a newer version changed.
_SCHEMA_MISMATCH = ("no such table", "no such column", "has no column named", "NOT NULL constraint failed")


def newer_schema_than_ours(path: Path, exc: BaseException) -> str | None:
    """The schema revision of ``path`` when it is one this version does not know and ``exc`` is
    what a statement written for our schema meets there; None otherwise (then ``exc`` is
    what it seems). Reads the file's revision through a connection of its own."""
    if not isinstance(exc, sqlite3.DatabaseError) or not any(words in str(exc) for words in _SCHEMA_MISMATCH):
        return None
    try:
        with read_only_connection(path) as con:
            revision = _read_identity(con).revision
    except sqlite3.Error:
        return None
    return revision if revision is not None and revision not in known_revisions()[0] else None


def set_application_id(engine: Engine) -> None:
    """Mark the file as a Recovery Desk workspace (new files, and older ones on first write-open)."""
    with engine.begin() as connection:
        if connection.exec_driver_sql("PRAGMA application_id").scalar() != APPLICATION_ID:
            connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")


def set_wal(path: Path) -> None:
    """Switch a file nobody else has open to WAL mode (a workspace in use is always WAL)."""
    con = connect(path)
    try:
        mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    finally:
        con.close()
    if mode != "wal":
        raise WorkspaceError("{path}: could not switch to WAL mode ({mode})", path=path, mode=mode)


def upgrade(engine: Engine) -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# -- copies ------------------------------------------------------------------------------------
def copy_pages(source: sqlite3.Connection, target: sqlite3.Connection, *, what: Path,
               timeout_ms: int | None = None) -> None:
    """SQLite's online backup from ``source`` into ``target``, in one step (one consistent
    snapshot of the source, its WAL included), waiting for locks no longer than the busy
    timeout. (Python's ``Connection.backup`` retries a busy step forever; the progress
    callback is how we stop it.)"""
    from recovery_desk.storage.failures import LockedError

    limit = (BUSY_TIMEOUT_MS if timeout_ms is None else timeout_ms) / 1000
    import time

    started = time.monotonic()

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() - started > limit:
            raise LockedError.for_path(what)

    source.backup(target, pages=-1, progress=progress, sleep=0.05)


def quick_check(con: sqlite3.Connection) -> list[str]:
    """``PRAGMA quick_check``'s findings; an empty list means the pages are sound."""
    try:
        rows = [r[0] for r in con.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:  # a page so damaged that the check itself stops
        if (getattr(exc, "sqlite_errorname", "") or "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return [str(exc)]
        raise
    return [] if rows == ["ok"] else [str(r) for r in rows]


def write_copy(source: Path | sqlite3.Connection, tmp: Path, *, journal: str = "DELETE",
               check: bool = True) -> list[str]:
    """Copy a workspace into the new file ``tmp`` through the backup API; returns what
    ``quick_check`` found wrong with the copy (nothing when ``check`` is False)."""
    own_source = not isinstance(source, sqlite3.Connection)
    src = connect(Path(source), mode="ro") if own_source else source
    try:
        dst = connect(tmp, mode="rwc")
        try:
            copy_pages(src, dst, what=Path(source) if own_source else tmp)
            dst.execute(f"PRAGMA journal_mode={journal}").fetchone()
            problems = quick_check(dst) if check else []
        finally:
            dst.close()
    finally:
        if own_source:
            src.close()
    return problems


def backup_file(source: Path, destination: Path, *, replace: bool = True) -> Path:
    """Copy a workspace with SQLite's online backup API (safe while another process writes):
    one self-contained file (no WAL beside it), created whole or not at all. The checked
    copies users make go through ``services.backups``."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with files.creating(destination, replace=replace, database=True) as tmp:
        write_copy(source, tmp, check=False)
    return destination
