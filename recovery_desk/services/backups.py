"""Backups of a workspace: on demand, automatically when it is opened, and restore.

* :func:`backup` copies with SQLite's online backup API (``storage.database.backup_file``):
  safe while the app or another process is writing; never a half-written copy (it writes
  ``*.part`` then renames). An existing destination file is kept as ``*.bak`` first.
* :func:`backup_on_open` keeps the last N automatic copies (default 10, setting
  ``backups_keep``) in a ``backups/`` folder beside the workspace. The desktop app calls
  it when it opens a workspace. Before a schema upgrade ``Workspace.open`` also makes a
  copy beside the file (``storage.database.backup_beside``).
* :func:`restore` checks the backup first (SQLite header, schema revision known to this
  version, ``PRAGMA integrity_check``) and refuses a bad one with nothing touched; then it
  keeps the current workspace as ``<name>.replaced-<time>.rdesk.bak`` and copies the
  backup into place with the backup API (which also takes care of the WAL).
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime
from pathlib import Path

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.storage import database

DEFAULT_KEEP = 10
BACKUP_DIR = "backups"


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def keep_setting() -> int:
    from recovery_desk.services.settings import load_settings

    try:
        value = int(load_settings().get("backups_keep", DEFAULT_KEEP))
    except (TypeError, ValueError):
        return DEFAULT_KEEP
    return max(1, value)


def _check_workspace(path: Path) -> None:
    inspection = database.inspect_file(path)
    if inspection.state in (database.FileState.MISSING, database.FileState.EMPTY):
        raise WorkspaceError("{path}: no workspace here (create one with 'init' or 'demo')", path=path)


def backup(ws_path: Path | str, dest: Path | str) -> Path:
    """Copy the workspace to ``dest`` (a file, or a folder — existing or written with a
    trailing slash — to put a dated copy in)."""
    as_folder = str(dest).endswith(("/", os.sep))
    ws_path, dest = Path(ws_path), Path(dest)
    _check_workspace(ws_path)
    if as_folder:
        dest.mkdir(parents=True, exist_ok=True)
    if dest.is_dir():
        dest = dest / f"{ws_path.stem}-{_stamp()}{ws_path.suffix or '.rdesk'}"
    if dest.resolve() == ws_path.resolve():
        raise WorkspaceError("{path}: a backup cannot replace the workspace itself", path=dest)
    if dest.exists():
        keep_previous(dest)
    try:
        return database.backup_file(ws_path, dest)
    except sqlite3.Error as exc:
        raise WorkspaceError("{path}: the backup failed ({detail})", path=dest, detail=str(exc)) from exc


def keep_previous(path: Path) -> Path:
    """Move an existing file aside as ``<name>.bak`` (the previous .bak is replaced)."""
    bak = path.with_name(path.name + ".bak")
    path.replace(bak)
    return bak


def backup_dir(ws_path: Path) -> Path:
    return Path(ws_path).parent / BACKUP_DIR


def _auto_pattern(ws_path: Path) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(ws_path.stem)}-auto-\d{{8}}-\d{{6}}-\d{{6}}{re.escape(ws_path.suffix)}$")


def automatic_backups(ws_path: Path | str) -> list[Path]:
    """This workspace's automatic backups, oldest first."""
    ws_path = Path(ws_path)
    folder = backup_dir(ws_path)
    if not folder.is_dir():
        return []
    pattern = _auto_pattern(ws_path)
    return sorted(p for p in folder.iterdir() if pattern.match(p.name))


def backup_on_open(path: Path | str, keep: int | None = None) -> Path:
    """Back the workspace up into ``backups/`` beside it and keep only the last ``keep``."""
    path = Path(path)
    keep = keep_setting() if keep is None else max(1, int(keep))
    _check_workspace(path)
    dest = backup_dir(path) / f"{path.stem}-auto-{_stamp()}{path.suffix}"
    try:
        database.backup_file(path, dest)
    except sqlite3.Error as exc:
        raise WorkspaceError("{path}: the backup failed ({detail})", path=dest, detail=str(exc)) from exc
    backups = automatic_backups(path)
    for old in backups[:-keep]:
        old.unlink(missing_ok=True)
    return dest


def check_backup(src: Path) -> None:
    """Raise WorkspaceError unless ``src`` is a whole workspace this version can open."""
    inspection = database.inspect_file(src)  # header, truncation, schema revision
    if inspection.state in (database.FileState.MISSING, database.FileState.EMPTY):
        raise WorkspaceError("{path}: no workspace here (create one with 'init' or 'demo')", path=src)
    con = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError("{path} is damaged: {detail}", path=src, detail=str(exc)) from exc
    finally:
        con.close()
    if rows != ["ok"]:
        raise WorkspaceError("{path} is damaged: {detail}", path=src, detail="; ".join(map(str, rows[:3])))


def restore(src: Path | str, ws_path: Path | str) -> Path | None:
    """Replace the workspace with the backup ``src``; returns where the replaced file was kept."""
    src, ws_path = Path(src), Path(ws_path)
    if src.resolve() == ws_path.resolve():
        raise WorkspaceError("{path}: a backup cannot replace the workspace itself", path=src)
    check_backup(src)
    kept = None
    if ws_path.exists() and ws_path.stat().st_size > 0:
        kept = ws_path.with_name(f"{ws_path.stem}.replaced-{_stamp()}{ws_path.suffix}.bak")
        try:
            database.inspect_file(ws_path)
            database.backup_file(ws_path, kept)
        except (WorkspaceError, sqlite3.Error):
            # The current file is itself damaged: keep its bytes as they are.
            import shutil

            shutil.copy2(ws_path, kept)
            for suffix in ("-wal", "-shm"):
                Path(f"{ws_path}{suffix}").unlink(missing_ok=True)
            ws_path.unlink()
    try:
        if ws_path.exists():
            # Copy page by page into the existing database: SQLite handles its WAL.
            source = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
            try:
                target = sqlite3.connect(ws_path, timeout=database.BUSY_TIMEOUT_MS / 1000)
                try:
                    source.backup(target)
                finally:
                    target.close()
            finally:
                source.close()
        else:
            database.backup_file(src, ws_path)
    except sqlite3.Error as exc:
        raise WorkspaceError("{path}: the restore failed ({detail}); the previous workspace is kept as {kept}",
                             path=ws_path, detail=str(exc), kept=kept) from exc
    return kept
