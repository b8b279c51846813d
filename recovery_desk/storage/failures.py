"""The failures a user can meet with files and SQLite, as one-line messages.

:func:`known_error` turns an exception — an ``sqlite3`` error (also when SQLAlchemy wraps
it), an ``OSError``, a broken pipe — into a :class:`RecoveryDeskError` whose message says
what happened and where, in the user's language; ``None`` for anything unexpected (a bug,
which should reach the crash log). The CLI's error boundary (``cli/main.py``) and the
app's database worker (``ui/worker.py``) both call it, so the two say the same thing.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from recovery_desk.domain.errors import RecoveryDeskError, WorkspaceError


class LockedError(WorkspaceError):
    """Another process held a lock for longer than the busy timeout."""

    @classmethod
    def for_path(cls, path: Path | str | None) -> LockedError:
        from recovery_desk.storage.database import BUSY_TIMEOUT_MS

        seconds = round(BUSY_TIMEOUT_MS / 1000, 1)
        names = holders(path) if path is not None else []
        if names:
            return cls("{path} is in use by another program ({holder}); gave up waiting after {seconds} s — "
                       "try again when it has finished", path=_shown(path), holder=", ".join(names),
                       seconds=seconds)
        return cls("{path} is in use by another program; gave up waiting after {seconds} s — try again "
                   "when it has finished", path=_shown(path), seconds=seconds)


class DiskFullError(WorkspaceError):
    pass


class ReadOnlyError(WorkspaceError):
    pass


class PermissionDeniedError(WorkspaceError):
    pass


class DamagedError(WorkspaceError):
    pass


class OutputClosedError(RecoveryDeskError):
    pass


def _shown(path: Path | str | None) -> str:
    if path is None:
        from recovery_desk.i18n import tr

        return tr("the workspace")
    return str(path)


def holders(path: Path | str) -> list[str]:
    """Other processes holding ``path`` or its SQLite side files open, as "name (pid N)".

    Best effort, Linux only (``/proc/<pid>/fd``); elsewhere, or when /proc is not
    readable, an empty list and the message names no one."""
    try:
        real = os.path.realpath(path)
    except OSError:
        return []
    targets = {real, f"{real}-wal", f"{real}-shm", f"{real}-journal"}
    found = []
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
    except OSError:
        return []
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link in targets:
                found.append(f"{_process_name(pid)}, pid {pid}")
                break
    return found


def _process_name(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:  # /proc, never a workspace
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return "?"
    if not argv:
        return "?"
    for i, arg in enumerate(argv):
        if arg.endswith(("recovery-desk", "recovery_desk", "main.py")) or arg == "recovery_desk.cli.main":
            words = [a for a in argv[i + 1:] if not a.startswith("-")][:1]
            return " ".join(["recovery-desk", *words])
    return os.path.basename(argv[0])


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
        if isinstance(orig, BaseException):
            yield orig
        exc = exc.__cause__ or exc.__context__


def error_for(exc: sqlite3.Error | OSError, path: Path | str | None) -> RecoveryDeskError:
    """The message for an SQLite or OS error met while using ``path``."""
    return known_error(exc, path) or WorkspaceError("{path}: {detail}", path=_shown(path), detail=str(exc))


def known_error(exc: BaseException, path: Path | str | None = None) -> RecoveryDeskError | None:
    for e in _chain(exc):
        if isinstance(e, RecoveryDeskError):
            return e
        if isinstance(e, sqlite3.Error):
            return _from_sqlite(e, path)
        if isinstance(e, OSError):
            return _from_os(e, path)
    return None


def _from_sqlite(exc: sqlite3.Error, path: Path | str | None) -> RecoveryDeskError | None:
    name = getattr(exc, "sqlite_errorname", "") or ""
    shown = _shown(path)
    detail = str(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or detail.startswith("database is locked"):
        return LockedError.for_path(path)
    if name == "SQLITE_FULL":
        return DiskFullError("{path}: the disk is full; free some space and try again (this change was not saved)",
                             path=shown)
    if name.startswith("SQLITE_READONLY"):
        return ReadOnlyError("{path} is read-only (a write-protected file, folder or disk): it can be read but "
                             "nothing can be saved to it", path=shown)
    if name in ("SQLITE_PERM", "SQLITE_AUTH"):
        return PermissionDeniedError("{path}: permission denied", path=shown)
    if name == "SQLITE_CANTOPEN":
        return PermissionDeniedError("{path} cannot be opened ({detail}): check that it exists and that you may "
                                     "read it", path=shown, detail=detail)
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
        return DamagedError("{path} is damaged ({detail}); run 'check' and restore a backup", path=shown,
                            detail=detail)
    if name.startswith("SQLITE_IOERR") and _nearly_full(path):
        # SQLite reports a write into a full disk as FULL or, for the WAL index, as an I/O error
        return DiskFullError("{path}: the disk is full; free some space and try again (this change was not saved)",
                             path=shown)
    if name.startswith("SQLITE_IOERR"):
        return WorkspaceError("{path}: the disk reported an error ({detail}); copy your work elsewhere and check "
                              "the disk", path=shown, detail=detail)
    return None


def _nearly_full(path: Path | str | None, margin: int = 1 << 20) -> bool:
    if path is None:
        return False
    import shutil

    try:
        return shutil.disk_usage(Path(path).parent).free < margin
    except OSError:
        return False


def _from_os(exc: OSError, path: Path | str | None) -> RecoveryDeskError | None:
    shown = exc.filename if exc.filename else _shown(path)
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return OutputClosedError("the output was closed before everything was written")
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return DiskFullError("{path}: the disk is full; free some space and try again (this change was not saved)",
                             path=shown)
    if exc.errno == errno.EROFS:
        return ReadOnlyError("{path} is read-only (a write-protected file, folder or disk): it can be read but "
                             "nothing can be saved to it", path=shown)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return PermissionDeniedError("{path}: permission denied", path=shown)
    if exc.errno == errno.EEXIST:
        return WorkspaceError("{path} already exists; choose another file name", path=shown)
    reason = exc.strerror or str(exc)
    return WorkspaceError("cannot use {path}: {reason}", path=shown, reason=reason)
