"""``check``: is this workspace file sound? Read-only; never changes the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.domain.vocabulary import derive_sector
from recovery_desk.i18n import tr
from recovery_desk.storage import database


def check_workspace(path: Path) -> list[str]:
    """Problems found, as translated one-line messages; an empty list means healthy.

    A file that is not a workspace at all raises WorkspaceError (exit code 1).
    """
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
        for name, ownership, profit, formality, sector in con.execute(
                "SELECT name, ownership, profit, formality, sector FROM organisation WHERE deleted_at IS NULL"):
            if derive_sector(ownership, profit, formality) != sector:
                problems.append(tr("organisation '{name}': stored sector {sector} does not follow from its axes",
                                   name=name, sector=sector))
        for reference, n in con.execute(
                'SELECT reference, count(*) FROM "case" WHERE deleted_at IS NULL GROUP BY incident_id, reference '
                "HAVING count(*) > 1"):
            problems.append(tr("case reference {reference} is used {n} times", reference=reference, n=n))
        for (reference,) in con.execute(
                'SELECT reference FROM "case" WHERE deleted_at IS NULL AND stage = \'closed\' '
                "AND closure_reason IS NULL"):
            problems.append(tr("case {reference} is closed without a closure reason", reference=reference))
    except sqlite3.DatabaseError as exc:
        problems.append(tr("SQLite integrity: {detail}", detail=str(exc)))
    return problems
