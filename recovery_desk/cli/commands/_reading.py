"""A DB-API connection for commands that only read (stats, match, gaps)."""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def reading_connection(args: argparse.Namespace) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a current workspace: no SQLAlchemy, no write. A missing file
    raises the usual clear error; an older schema is upgraded first (after a backup), as any open does."""
    from recovery_desk.cli.commands._common import open_workspace, workspace_path
    from recovery_desk.storage.database import FileState, inspect_file, read_only_connection

    path = workspace_path(args)
    if inspect_file(path).state is not FileState.CURRENT:
        with open_workspace(args):
            pass
    with read_only_connection(path) as con:
        yield con
