"""Where a workspace lives: a file (SQLite) or a database on a PostgreSQL server.

``--workspace`` takes either. A libpq URI (``postgresql://USER@HOST/DB``, or the Unix-socket
form ``postgresql://USER@/DB?host=/run/sock&port=5433``) names a server workspace and is
never taken for a file path; anything else is a file. Passwords reach libpq only through its
own means (``.pgpass``, ``PGPASSFILE``, or a prompt on a terminal): a URI carrying one is
refused, so that it appears in no command line, settings file or log.

This module imports neither SQLAlchemy nor psycopg at import time: quick commands on a file
must not pay for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recovery_desk.domain.errors import WorkspaceError

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(value: object) -> bool:
    return isinstance(value, ServerUrl) or (isinstance(value, str) and value.startswith(SERVER_SCHEMES))


class ServerUrl:
    """A server workspace's libpq URI (validated by libpq itself, never holding a password)."""

    def __init__(self, text: str):
        from psycopg.conninfo import conninfo_to_dict

        text = text.strip()
        if not text.startswith(SERVER_SCHEMES):
            raise WorkspaceError("{url} is not a PostgreSQL URL (postgresql://USER@HOST/DATABASE)", url=text)
        try:
            params = conninfo_to_dict(text)
        except Exception as exc:  # psycopg.ProgrammingError: libpq's own reason
            raise WorkspaceError("{url} is not a valid PostgreSQL URL: {detail}", url=text,
                                 detail=str(exc).strip()) from None
        if params.get("password"):
            raise WorkspaceError(
                "{url}: a password does not belong in the URL (it would show in command lines and logs); "
                "put it in ~/.pgpass or the file PGPASSFILE names, or type it when asked", url=_without_password(text))
        self.url = text
        self.params = params

    @property
    def name(self) -> str:
        """The database name (what a window title shows, as a file name would)."""
        return str(self.params.get("dbname") or self.params.get("user") or "postgres")

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"ServerUrl({self.url!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerUrl) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)


def _without_password(text: str) -> str:
    import re

    return re.sub(r"(://[^:/@?]*):[^@/?]*@", r"\1:***@", text)


def workspace_location(value: str | Path | ServerUrl) -> Path | ServerUrl:
    """A ``--workspace`` value as a file path or a server URL (argparse type, and every opener)."""
    if isinstance(value, ServerUrl | Path):
        return value
    return ServerUrl(value) if is_server_url(value) else Path(value)


def dialect_of(connection: Any) -> str:
    """``sqlite`` or ``postgresql`` for a SQLAlchemy connection/session/engine or a DB-API connection."""
    import sqlite3

    if isinstance(connection, sqlite3.Connection):
        return "sqlite"
    bind = getattr(connection, "bind", None) or connection
    dialect = getattr(bind, "dialect", None)
    if dialect is not None:
        return dialect.name
    return "postgresql"


def run_query(con: Any, sql: str, params: dict[str, Any] | None = None) -> Any:
    """Run SQL written with ``:name`` parameters on a DB-API connection of either engine
    (sqlite3 takes them as they are; psycopg wants ``%(name)s``). Returns a cursor."""
    import sqlite3

    if isinstance(con, sqlite3.Connection):
        return con.execute(sql, params or {})
    import re

    sql = re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql.replace("%", "%%")) if params else sql
    return con.execute(sql, params or None)


def workspace_argument(text: str) -> Path | str:
    """argparse type of ``--workspace``: a server URL stays text (checked when it is opened,
    with a one-line message), anything else is a file path."""
    return text if is_server_url(text) else Path(text)
