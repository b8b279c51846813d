"""Backups of a workspace: on demand, automatically when it is opened, and restore.

Everything here goes through SQLite (the online backup API, which reads the WAL too) and
creates files whole or not at all (``storage/files.py``). No work can be lost:

* :func:`backup` copies into a temporary file beside the destination, runs
  ``PRAGMA quick_check`` on the copy, and only then gives it its name. A workspace whose
  pages fail the check is refused with a message (``force=True`` copies it anyway: the
  best one can do for a damaged file). An existing destination file is kept as ``*.bak``.
* :func:`backup_on_open` keeps the last N automatic copies (default 10, setting
  ``backups_keep``) in a ``backups/`` folder beside the workspace; the desktop app calls
  it after opening. A damaged workspace makes no automatic copy (it would push a good one
  out of the rotation). Before a schema upgrade ``Workspace.open`` also makes a copy
  beside the file, holding it for itself from the copy to the last migration
  (``storage.database.upgrade_alone``: refused while another program has it open).
* :func:`restore` checks the backup (SQLite says it is a workspace of a schema this
  version knows; ``PRAGMA integrity_check``) and refuses a bad one with nothing touched.
  It then takes the workspace's lock exclusively — so it waits (no longer than the busy
  timeout) for, and then refuses to run beside, any process that has the workspace open,
  naming it: close the app first. Under that lock it copies the current workspace through
  the backup API into ``<name>.replaced-<time>.rdesk.bak``, checks that copy, and only
  then copies the backup into the workspace page by page (one transaction: a kill leaves
  the old workspace). If the current workspace cannot be copied (damaged pages, a disk
  too full for the copy), its files — the ``-wal``, ``-shm`` and ``-journal`` with it —
  are renamed together to ``<name>.replaced-<time>.rdesk.bak[-wal…]`` (never deleted:
  SQLite can still open that set) and a checked copy of the backup takes the name.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.storage import database, files
from recovery_desk.storage.failures import DamagedError, error_for

# Told what a long copy or check is doing (the CLI prints it for a large workspace; at 60,000
# cases a checked copy takes half a minute). Receives a line in the user's language.
Progress = Callable[[str], None]


def _say(progress: Progress | None, message: str, /, **params: object) -> None:
    if progress is not None:
        from recovery_desk.i18n import tr

        progress(tr(message, **params))


def size_mb(path: Path) -> str:
    """The workspace's size with its WAL, in MB (stat only)."""
    total = sum(os.stat(p).st_size for p in files.family(path) if not str(p).endswith("-shm"))
    return f"{total / 1e6:,.0f}"


DEFAULT_KEEP = 10
BACKUP_DIR = "backups"
# SQLite errors that belong to the file being written, not to the workspace being read.
_DESTINATION_ERRORS = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR_WRITE",
                       "SQLITE_IOERR_FSYNC", "SQLITE_PERM")


def summary(findings: list) -> str:
    """SQLite's check findings on one line (one finding may itself span lines)."""
    text = "; ".join(" ".join(str(f).split()) for f in findings[:3])
    return text + ("; …" if len(findings) > 3 else "")


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def keep_setting() -> int:
    from recovery_desk.services.settings import load_settings

    try:
        value = int(load_settings().get("backups_keep", DEFAULT_KEEP))
    except (TypeError, ValueError):
        return DEFAULT_KEEP
    return max(1, value)


def _check_workspace(path: Path) -> database.Inspection:
    inspection = database.inspect_file(path)
    if inspection.state in (database.FileState.MISSING, database.FileState.EMPTY):
        raise WorkspaceError("{path}: no workspace here (create one with 'init' or 'demo')", path=path)
    return inspection


def _copy_error(exc: sqlite3.Error, source: Path, dest: Path) -> WorkspaceError:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return error_for(exc, dest if name.startswith(_DESTINATION_ERRORS) else source)


def _checked_copy(source: Path | sqlite3.Connection, source_path: Path, dest: Path, *, replace: bool,
                  force: bool = False, journal: str = "DELETE", keep_existing: bool = False) -> Path:
    """Copy through the backup API into a temporary file, quick_check it, then name it."""
    try:
        with files.creating(dest, replace=replace, database=True) as tmp:
            problems = database.write_copy(source, tmp, journal=journal)
            if problems and not force:
                raise DamagedError("{path} fails SQLite's quick check ({detail}); nothing was copied — "
                                   "use --force to copy it anyway", path=source_path,
                                   detail=summary(problems))
            if keep_existing and dest.exists():
                keep_previous(dest)
    except sqlite3.Error as exc:
        raise _copy_error(exc, source_path, dest) from exc
    except FileExistsError:
        raise WorkspaceError("{path} already exists; choose another file name", path=dest) from None
    return dest


def backup(ws_path: Path | str, dest: Path | str, *, force: bool = False, progress: Progress | None = None) -> Path:
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
    dest.parent.mkdir(parents=True, exist_ok=True)
    _say(progress, "Copying {path} ({size} MB) through SQLite, then checking the copy (quick_check)…",
         path=ws_path, size=size_mb(ws_path))
    return _checked_copy(ws_path, ws_path, dest, replace=True, force=force, keep_existing=True)


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
    folder = backup_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    dest = _checked_copy(path, path, folder / f"{path.stem}-auto-{_stamp()}{path.suffix}", replace=False)
    for old in automatic_backups(path)[:-keep]:
        old.unlink(missing_ok=True)
    return dest


def check_backup(src: Path) -> None:
    """Raise WorkspaceError unless ``src`` is a whole workspace this version can open."""
    _check_workspace(src)  # SQLite: a workspace, a known schema revision
    try:
        with database.read_only_connection(src) as con:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError("{path} is damaged: {detail}", path=src, detail=str(exc)) from exc
    if rows != ["ok"]:
        raise WorkspaceError("{path} is damaged: {detail}", path=src, detail=summary(rows))


def _replaced_name(ws_path: Path) -> Path:
    return ws_path.with_name(f"{ws_path.stem}.replaced-{_stamp()}{ws_path.suffix}.bak")


def restore(src: Path | str, ws_path: Path | str, *, progress: Progress | None = None) -> Path | None:
    """Replace the workspace with the backup ``src``; returns where the replaced one was kept."""
    src, ws_path = Path(src), Path(ws_path)
    if src.exists() and ws_path.exists() and src.resolve() == ws_path.resolve():
        raise WorkspaceError("{path}: a backup cannot replace the workspace itself", path=src)
    if src.exists():
        _say(progress, "Checking the backup {path} ({size} MB, integrity_check)…", path=src, size=size_mb(src))
    check_backup(src)
    try:
        current = database.inspect_file(ws_path)
        damaged = False
    except DamagedError:
        current, damaged = None, True
    if current is not None and current.state in (database.FileState.MISSING, database.FileState.EMPTY):
        _checked_copy(src, src, ws_path, replace=False, journal="WAL")
        return None
    lock = None if damaged else database.lock_exclusively(ws_path)
    if lock is None:
        return _restore_beside_damaged(src, ws_path)
    try:
        kept = _replaced_name(ws_path)
        _say(progress, "Keeping the current workspace as {path} (a checked copy), then restoring…", path=kept)
        try:
            _checked_copy(lock, ws_path, kept, replace=False)
        except (WorkspaceError, OSError):
            return _restore_beside_damaged(src, ws_path, lock)
        with database.read_only_connection(src) as source:
            try:
                database.copy_pages(source, lock, what=ws_path)
            except sqlite3.Error as exc:
                raise WorkspaceError("{path}: the restore failed ({detail}); the previous workspace is kept as "
                                     "{kept}", path=ws_path, detail=str(exc), kept=kept) from exc
        if lock.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            lock.execute("PRAGMA journal_mode=WAL")
    finally:
        if lock is not None:
            lock.close()
    return kept


def _restore_beside_damaged(src: Path, ws_path: Path, lock: sqlite3.Connection | None = None) -> Path:
    """The current workspace cannot be copied: rename all of its files aside, together,
    then give a checked copy of the backup its name. Nothing is deleted."""
    kept = _replaced_name(ws_path)
    tmp = files.temp_path(ws_path)
    files.clean_leftovers(ws_path)
    try:
        try:
            problems = database.write_copy(src, tmp, journal="WAL")
        except sqlite3.Error as exc:
            raise _copy_error(exc, src, ws_path) from exc
        if problems:
            raise WorkspaceError("{path} is damaged: {detail}", path=src, detail=summary(problems))
        moved = []
        # The main file first: a kill between two renames then leaves the workspace's name
        # free (its -wal is set aside by the next run), never a main file without its WAL.
        for side in ("", *files.SQLITE_SIDE_FILES):
            here = Path(f"{ws_path}{side}")
            if os.path.lexists(here):
                os.replace(here, f"{kept}{side}")
                moved.append((here, Path(f"{kept}{side}")))
        if lock is not None:
            lock.close()  # after the rename: its closing checkpoint goes to the kept set
        try:
            files.publish(tmp, ws_path, replace=False)
        except OSError:
            for here, there in reversed(moved):
                os.replace(there, here)
            raise
    finally:
        files.remove_family(tmp)
    return kept
