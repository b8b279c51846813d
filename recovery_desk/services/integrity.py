"""``check``: is this workspace sound? Read-only; never changes the file or the database.

On a file, SQLite's own integrity and foreign-key checks come first; a server enforces its
foreign keys itself. The invariants the services keep are checked the same way on both.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.domain.vocabulary import derive_sector
from recovery_desk.i18n import tr
from recovery_desk.storage import database
from recovery_desk.storage.engines import ServerUrl, is_server_url, run_query, workspace_location


def check_workspace(path: Path | str) -> list[str]:
    """Problems found, as translated one-line messages; an empty list means healthy.

    A file that is not a workspace at all raises WorkspaceError (exit code 1).
    """
    if is_server_url(path):
        return _check_server(workspace_location(path))
    inspection = database.inspect_file(path)
    if inspection.state in (database.FileState.MISSING, database.FileState.EMPTY):
        raise WorkspaceError("{path}: no workspace here (create one with 'init' or 'demo')", path=path)
    problems: list[str] = []
    if inspection.state is database.FileState.OLDER:
        problems.append(tr("schema {revision} is older than this version's; opening the workspace upgrades it "
                           "(after a backup)", revision=inspection.revision))
    with database.read_only_connection(path) as con:
        return problems + _check(con)


def _check(con: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    try:
        result = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.extend(tr("SQLite integrity: {detail}", detail=r) for r in result[:20])
            return problems
        for table, rowid, parent, _fk in con.execute("PRAGMA foreign_key_check"):
            problems.append(tr("table {table} row {rowid} points to a missing {parent} row",
                               table=table, rowid=rowid, parent=parent))
        problems.extend(_invariants(con))
    except sqlite3.DatabaseError as exc:
        problems.append(tr("SQLite integrity: {detail}", detail=str(exc)))
    return problems


def _check_server(url: ServerUrl) -> list[str]:
    from recovery_desk.storage import postgres

    inspection = postgres.inspect(url)
    if inspection.empty:
        raise WorkspaceError("{server}: no workspace here (create one with 'init' or 'demo')", server=url.url)
    problems: list[str] = []
    if not inspection.current:
        problems.append(tr("schema {revision} is older than this version's; opening the workspace upgrades it "
                           "(after a backup)", revision=inspection.revision))
    with postgres.connect_dbapi(url) as con:
        con.read_only = True
        return problems + _invariants(con)


def _invariants(con: Any) -> list[str]:
    """What the services keep true, in plain SQL both engines run."""
    problems: list[str] = []
    for name, ownership, profit, formality, sector in run_query(con,
            "SELECT name, ownership, profit, formality, sector FROM organisation WHERE deleted_at IS NULL"):
        if derive_sector(ownership, profit, formality) != sector:
            problems.append(tr("organisation '{name}': stored sector {sector} does not follow from its axes",
                               name=name, sector=sector))
    for reference, n in run_query(con,
            'SELECT reference, count(*) FROM "case" WHERE deleted_at IS NULL GROUP BY incident_id, reference '
            "HAVING count(*) > 1"):
        problems.append(tr("case reference {reference} is used {n} times", reference=reference, n=n))
    for (reference,) in run_query(con,
            'SELECT reference FROM "case" WHERE deleted_at IS NULL AND stage = \'closed\' '
            "AND closure_reason IS NULL"):
        problems.append(tr("case {reference} is closed without a closure reason", reference=reference))
    return problems
