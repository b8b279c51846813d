"""A DB-API connection for commands that only read (match, gaps)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def reading_connection(args: argparse.Namespace) -> Iterator[Any]:
    """A read-only connection to a current workspace: no SQLAlchemy, no write — sqlite3 on a
    file, psycopg on a server; one snapshot for everything it reads, on both. A missing workspace raises the usual
    clear error; an older schema is upgraded first (after a backup), as any open does."""
    from recovery_desk.cli.commands._common import open_workspace, workspace_path
    from recovery_desk.storage.engines import is_server_url

    path = workspace_path(args)
    if is_server_url(path):
        from psycopg import IsolationLevel

        from recovery_desk.storage import postgres
        from recovery_desk.storage.engines import ServerUrl

        url = ServerUrl(str(path))
        with postgres.connect_dbapi(url) as con:
            if not postgres.inspect_on(con, url).current:
                with open_workspace(args):
                    pass
            con.read_only = True
            con.isolation_level = IsolationLevel.REPEATABLE_READ  # one snapshot: the figures agree
            yield con
        return
    from recovery_desk.storage.database import FileState, inspect_file, read_only_connection

    if inspect_file(path).state is not FileState.CURRENT:
        with open_workspace(args):
            pass
    with read_only_connection(path) as con:
        # One read transaction, one snapshot, as on a server: without it every SELECT would see
        # the file as it is at that moment, and a write between two of them would make the
        # figures of one answer disagree.
        con.execute("BEGIN")
        yield con
