"""A workspace on a PostgreSQL server: connecting, inspecting, creating and upgrading it.

The same models and Alembic migrations as a file. What differs is said here: libpq does
the connecting (its URI, its password means), a database is "empty" when its ``public``
schema has no tables, the audit trail's actor is the database role, and the backup taken
before a schema upgrade is a ``pg_dump`` archive (custom format, ``pg_restore`` reads it).
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.i18n import tr
from recovery_desk.storage.engines import ServerUrl
from recovery_desk.storage.retry import count_commits

if TYPE_CHECKING:
    from sqlalchemy import Engine

# libpq's words when a password is wanted and none was given (a prompt may then help).
_NO_PASSWORD = ("no password supplied", "password authentication failed")
WORK_MEM = "32MB"
RANDOM_PAGE_COST = 1.1
# Passwords typed at a prompt, per server URL, for this process only (never written anywhere).
_typed_passwords: dict[str, str] = {}


def connect_dbapi(url: ServerUrl, **kwargs: Any):
    """A psycopg connection, or a one-line WorkspaceError saying why there is none.

    Without a password from .pgpass / PGPASSFILE, and on a terminal only, the password is asked
    for once (getpass: not echoed) and kept in memory for this process."""
    import psycopg

    password = _typed_passwords.get(url.url)
    try:
        con = psycopg.connect(url.url, **({"password": password} if password else {}),
                              options=_session_options(url), **kwargs)
    except psycopg.OperationalError as exc:
        detail = _first_line(exc)
        wants_password = any(s in detail for s in _NO_PASSWORD)
        if wants_password and password is None and sys.stdin is not None and sys.stdin.isatty():
            typed = getpass.getpass(tr("Password for {user} on {server}: ", user=url.params.get("user", ""),
                                       server=url.url))
            _typed_passwords[url.url] = typed
            return connect_dbapi(url, **kwargs)
        if wants_password:
            raise WorkspaceError("could not sign in to {server}: {detail} (a password comes from ~/.pgpass, "
                                 "the file PGPASSFILE names, or a prompt on a terminal)",
                                 server=url.url, detail=detail) from None
        raise WorkspaceError("could not connect to {server}: {detail}", server=url.url, detail=detail) from None
    return con


def read_in_one_snapshot(con: Any) -> None:
    """Make ``con``'s next transaction read-only and REPEATABLE READ: every statement in it sees
    the database as it was at the first one (figures that agree with each other)."""
    from psycopg import IsolationLevel

    con.read_only = True
    con.isolation_level = IsolationLevel.REPEATABLE_READ


_NO_PARALLEL_WORKERS = "SET LOCAL max_parallel_workers_per_gather = 0"  # for this transaction only


@contextmanager
def sharing_snapshot(con: Any, url: ServerUrl) -> Iterator[Any]:
    """A second connection whose read-only transaction sees exactly what ``con``'s sees, or None
    when there can be none (the server refused a connection or the export): then ``con`` does all.

    ``con`` must be set up by :func:`read_in_one_snapshot` and not have read yet: its snapshot
    is exported now (the transaction begins with the export) and the second connection imports
    it before anything else (``SET TRANSACTION SNAPSHOT``), so a change committed by anyone
    after this moment is seen by neither. The export lasts as long as ``con``'s transaction."""
    import psycopg

    try:
        (snapshot,) = con.execute("SELECT pg_export_snapshot()").fetchone()
    except psycopg.Error:
        con.rollback()  # nothing was read yet: con begins again with a snapshot of its own
        yield None
        return
    second = _connection_in_snapshot(url, snapshot)
    if second is None:
        yield None
        return
    with second:
        # Two connections keep two cores busy: parallel workers on top only compete with them
        # (60,000 cases, 2 cores: the figures' SQL took 242 ms without them, 316 ms with).
        for each in (con, second):
            each.execute(_NO_PARALLEL_WORKERS)
        yield second


def _connection_in_snapshot(url: ServerUrl, snapshot: str) -> Any:
    """A new read-only connection whose transaction imported ``snapshot``, or None if the server
    said no (too many connections, say): then one connection is enough."""
    import psycopg
    from psycopg import sql

    try:
        second = connect_dbapi(url)
    except WorkspaceError:
        return None
    try:
        read_in_one_snapshot(second)
        second.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(snapshot))
    except psycopg.Error:
        second.close()
        return None
    return second


def _session_options(url: ServerUrl) -> str:
    """Our settings for each session, sent with the connection request (no statement, no round
    trip), after any ``options`` the URL itself gives.

    - work_mem: the cases list sorts every matching id (60,000); with the default 4 MB it spills
      to disk.
    - random_page_cost: a workspace (1 GB at 60,000 cases) lives in memory or on an SSD, where a
      page read at random costs little more than one read in sequence. With the default (4) the
      planner scanned all 300,000 tasks to find the 218 blockers of a board's 2,309 cards
      (0.44 s) instead of looking them up by key (16 ms), and read the statistics' counts from
      the tables rather than from their covering indexes (1.4–1.8x slower)."""
    ours = f"-c work_mem={WORK_MEM} -c random_page_cost={RANDOM_PAGE_COST}"
    given = str(url.params.get("options") or "").strip()
    return f"{given} {ours}".strip()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1].strip() if text else type(exc).__name__


def make_engine(url: ServerUrl) -> Engine:
    """An engine whose connections libpq makes from the URI as given (socket form included).

    No statement is prepared: every session that only read ends in ROLLBACK, after which psycopg
    deallocates all prepared statements (a round trip of its own) and a write prepared them again."""
    from sqlalchemy import create_engine

    engine = create_engine(
        "postgresql+psycopg://",
        creator=lambda: connect_dbapi(url, prepare_threshold=None),
        pool_pre_ping=True,  # a connection the server dropped is replaced, not handed out
        pool_size=2,
        max_overflow=4,
    )
    _ping_only_when_the_server_spoke(engine.dialect)
    count_commits(engine)  # what a retry must not do twice (storage/retry.py)
    return engine


def _ping_only_when_the_server_spoke(dialect: Any) -> None:
    """The pool's check of a connection before handing it out, without a round trip each time:
    a server that drops a connection (terminated, restarted) says so on its socket, which then
    reads ready although no query is waiting; only then is the server asked. (A connection
    lost without a word — a cable pulled — fails at its first statement with the clear message
    of :func:`explain_server_error`, as one lost mid-work does.)"""
    import select

    import psycopg
    from psycopg import pq

    ask = dialect.do_ping

    def do_ping(dbapi_connection: Any) -> bool:
        pgconn = dbapi_connection.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        try:
            spoke = bool(select.select([pgconn.socket], [], [], 0)[0])
        except (OSError, ValueError, psycopg.Error):
            return False
        return ask(dbapi_connection) if spoke else True

    dialect.do_ping = do_ping


@dataclass(frozen=True)
class ServerInspection:
    empty: bool
    revision: str | None = None
    current: bool = False


def inspect(url: ServerUrl) -> ServerInspection:
    """What the database holds; refuses (untouched) one that is not ours or too new."""
    with connect_dbapi(url, autocommit=True) as con:
        return inspect_on(con, url)


def inspect_on(con: Any, url: ServerUrl) -> ServerInspection:
    """:func:`inspect` on a connection the caller goes on using (one connection, not two, for a
    quick command). Ends the transaction it may have begun."""
    from recovery_desk.storage.database import known_revisions

    try:
        # Resolved through the search path: a member or viewer reads the workspace through the
        # views of rd_restricted (storage/server_access.py), its owner through public.
        (ours,) = con.execute("SELECT to_regclass('alembic_version') IS NOT NULL "
                              "AND to_regclass('workspace_info') IS NOT NULL").fetchone()
        if ours:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        else:
            (tables,) = con.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()
    finally:
        if not con.autocommit:
            con.rollback()
    if not ours:
        if not tables:
            return ServerInspection(empty=True)
        raise WorkspaceError("{server} holds other tables, not a Recovery Desk workspace; "
                             "use an empty database", server=url.url)
    known, head = known_revisions()
    if revision not in known:
        raise WorkspaceError("{server} was created by a newer version of Recovery Desk (schema {revision}); "
                             "update the application to open it", server=url.url, revision=revision)
    return ServerInspection(empty=False, revision=revision, current=revision == head)


def backup_before_upgrade(url: ServerUrl, revision: str, folder: Path) -> Path:
    """A ``pg_dump`` archive (custom format) of the whole database, before it is upgraded."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise WorkspaceError("{server} needs a schema upgrade, and the backup before it needs pg_dump "
                             "(Debian package postgresql-client)", server=url.url)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{url.name}.before-upgrade-{revision}-{stamp}.pgdump"
    part = target.with_name(target.name + ".part")
    env = dict(os.environ)
    if url.url in _typed_passwords:
        env["PGPASSWORD"] = _typed_passwords[url.url]  # to the child only, never on its command line
    done = subprocess.run([pg_dump, "--format=custom", f"--file={part}", f"--dbname={url.url}"],
                          env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        part.unlink(missing_ok=True)
        raise WorkspaceError("{server}: the backup before the schema upgrade failed, nothing was changed: "
                             "{detail}", server=url.url, detail=(done.stderr.strip().splitlines() or ["?"])[-1])
    part.replace(target)
    return target


def server_backup_folder() -> Path:
    from recovery_desk.services.locations import default_workspace_dir

    return default_workspace_dir() / "server-backups"


def session_role(engine: Engine) -> str:
    from sqlalchemy import text

    with engine.connect() as connection:
        return connection.execute(text("SELECT session_user")).scalar_one()


def drop_workspace_tables(engine: Engine) -> None:
    """Undo a half-made workspace (a failed init or demo) in a database that was empty."""
    from sqlalchemy import text

    from recovery_desk.storage.models import Base

    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def explain_server_error(exc: BaseException) -> WorkspaceError | None:
    """A one-line, translated account of what the server refused or why the connection went,
    for an error from psycopg (bare or wrapped by SQLAlchemy) or from the ORM's row-version
    check (a retry's last attempt: storage/retry.py); None for anything else."""
    import psycopg

    from recovery_desk.storage.retry import is_transient

    cause = getattr(exc, "orig", None) or exc
    if not isinstance(cause, psycopg.Error):
        if is_transient(exc):  # the row-version check: another client saved the row meanwhile
            return WorkspaceError("another person changed the same rows at the same moment; nothing was saved, "
                                  "try again: {detail}", detail=_first_line(exc))
        return None
    detail = _first_line(cause)
    if isinstance(cause, psycopg.errors.InsufficientPrivilege):
        return WorkspaceError("the server does not allow this to your role: {detail}", detail=detail)
    if isinstance(cause, psycopg.errors.SerializationFailure | psycopg.errors.DeadlockDetected):
        return WorkspaceError("another person changed the same rows at the same moment; nothing was saved, "
                              "try again: {detail}", detail=detail)
    if isinstance(cause, psycopg.OperationalError):
        return WorkspaceError("the connection to the server was lost ({detail}); everything saved before is "
                              "kept, the last change was not saved", detail=detail)
    return None
