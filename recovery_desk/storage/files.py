"""New files that appear whole or not at all, and the leftovers of runs that were killed.

Every file Recovery Desk creates for the user (a workspace, a demo, a backup, a report, an
export) is written to a temporary file *in the same folder*, flushed to the disk, and only
then given its name — by ``link`` when an existing file must not be replaced (two processes
creating one new workspace: one wins, the other is told the file exists) or by ``rename``
when it may. A kill at any moment leaves either the complete file or no file under that
name; what it leaves besides is a temporary file named

    .<name>.<pid>.part          (and SQLite's own .<name>.<pid>.part-journal / -wal / -shm)

so that the next run that writes ``<name>`` recognises its dead predecessors by the pid
(no such process any more) and removes them. Nothing here opens a workspace that a
connection may hold: temporary files are private to the process writing them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

TEMP_SUFFIX = ".part"
# Files SQLite keeps beside a database; they belong to it and move or go with it.
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def temp_path(target: Path) -> Path:
    """The temporary file this process writes ``target`` through."""
    target = Path(target)
    return target.with_name(f".{target.name}.{os.getpid()}{TEMP_SUFFIX}")


def family(path: Path) -> list[Path]:
    """``path`` and SQLite's side files that exist beside it."""
    path = Path(path)
    return [p for p in (path, *(Path(f"{path}{s}") for s in SQLITE_SIDE_FILES)) if os.path.lexists(p)]


def remove_family(path: Path) -> None:
    """Remove a *temporary* database and its side files (never call it on a user's file)."""
    for p in family(path):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


# ours: .<name>.<pid>.part[-journal|-wal|-shm]; io's exports before: .<name>.<pid>.tmp
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?:part|tmp)(?:-journal|-wal|-shm)?$")


def leftovers(target: Path) -> list[Path]:
    """Temporary files of dead runs in ``target``'s folder (any name: an automatic backup's
    name is never written twice), and an older version's ``<target>.part``."""
    target = Path(target)
    folder = target.parent
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for entry in names:
        match = _LEFTOVER.match(entry)
        if match and not pid_alive(int(match.group("pid"))):
            found.append(folder / entry)
    # Earlier versions wrote <name>.part without a pid; its journal shows it was cut short.
    for legacy in (Path(f"{target}.part"), Path(f"{target}.part-journal")):
        if legacy.exists():
            found.append(legacy)
    return sorted(found)


def clean_leftovers(target: Path) -> list[Path]:
    """Remove what killed runs left while writing ``target``; returns what was removed."""
    removed = []
    for p in leftovers(target):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
            removed.append(p)
    return removed


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # Windows cannot open a folder; its rename is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_empty_leftover(path: Path) -> bool:
    """A zero-byte file with no WAL content beside it: what an interrupted creation by an
    older version left. It holds nothing (SQLite ignores a journal beside an empty file)."""
    wal = Path(f"{path}-wal")
    try:
        return path.stat().st_size == 0 and not (wal.exists() and wal.stat().st_size > 0)
    except FileNotFoundError:
        return False


def _replace_empty(tmp: Path, target: Path) -> None:
    """Put ``tmp`` in place of the empty file ``target`` — only if it is still that empty
    file: two processes doing this at once serialise on a lock on the empty file, and the
    second then finds a workspace there and raises FileExistsError."""
    try:
        fd = os.open(target, os.O_RDONLY)  # an empty file no connection uses (else it was not empty)
    except FileNotFoundError:
        os.link(tmp, target)
        tmp.unlink()
        return
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows: no flock; the race is only between two creators
            pass
        except BlockingIOError:
            raise FileExistsError(errno.EEXIST, "being created by another process", str(target)) from None
        now = os.stat(target)
        held = os.fstat(fd)
        if (now.st_ino, now.st_dev) != (held.st_ino, held.st_dev) or now.st_size != 0:
            raise FileExistsError(errno.EEXIST, "created meanwhile by another process", str(target))
        for side in SQLITE_SIDE_FILES:  # the journal of an empty file holds nothing
            with contextlib.suppress(FileNotFoundError):
                Path(f"{target}{side}").unlink()
        os.replace(tmp, target)
    finally:
        os.close(fd)


def set_aside_orphans(target: Path) -> list[Path]:
    """SQLite side files with no database beside them would be read into a new file of that
    name (a WAL is replayed into whatever file has its name): move them aside, keep them."""
    moved = []
    if os.path.lexists(target):
        return moved
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for side in ("-wal", "-journal"):
        orphan = Path(f"{target}{side}")
        if orphan.exists():
            aside = orphan.with_name(f"{orphan.name}.orphan-{stamp}")
            os.replace(orphan, aside)
            moved.append(aside)
    with contextlib.suppress(FileNotFoundError):
        Path(f"{target}-shm").unlink()  # an index, rebuilt from the WAL; never data
    return moved


def publish(tmp: Path, target: Path, *, replace: bool, reuse_empty: bool = False) -> Path:
    """Give the complete file ``tmp`` the name ``target`` in one step.

    ``replace=False`` never clobbers: if ``target`` exists (another process got there
    first) ``FileExistsError`` is raised and ``tmp`` is left for the caller to remove —
    except that with ``reuse_empty`` an empty leftover file is taken over.
    """
    tmp, target = Path(tmp), Path(target)
    fsync_file(tmp)
    if replace:
        os.replace(tmp, target)
    else:
        try:
            os.link(tmp, target)
        except FileExistsError:
            if not (reuse_empty and is_empty_leftover(target)):
                raise
            _replace_empty(tmp, target)
        except OSError as exc:
            # No hard links (FAT/exFAT sticks): claim the name exclusively, then rename over
            # the empty claim. A kill in between leaves an empty file, which is reusable.
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV):
                raise
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            os.replace(tmp, target)
        else:
            tmp.unlink()
    fsync_folder(target.parent)
    return target


@contextlib.contextmanager
def creating(target: Path, *, replace: bool = False, database: bool = False) -> Iterator[Path]:
    """``with creating(out) as tmp: write tmp`` — on a clean exit ``tmp`` becomes ``out``.

    On any failure (an error, Ctrl-C) the temporary file is removed and ``out`` is left as
    it was. ``database=True`` also removes SQLite's side files of the temporary file.
    """
    target = Path(target)
    clean_leftovers(target)
    tmp = temp_path(target)
    remove_family(tmp)  # a reused pid's stale file
    try:
        yield tmp
        for side in SQLITE_SIDE_FILES:
            if database and Path(f"{tmp}{side}").exists() and side != "-shm":
                raise RuntimeError(f"{tmp}{side} still exists: close every connection before publishing")
        if database:
            set_aside_orphans(target)
        publish(tmp, target, replace=replace, reuse_empty=database)
    except OSError as exc:
        if exc.filename is not None and str(exc.filename).startswith(str(tmp)):
            exc.filename = str(target)  # the user knows the file by its name, not by ours
        raise
    finally:
        if database:
            remove_family(tmp)
        else:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def write_new_file(target: Path, write: Callable[[Path], None], *, replace: bool = True) -> Path:
    """Write a file through :func:`creating` (reports, exports): ``write(tmp)`` fills it."""
    with creating(target, replace=replace) as tmp:
        write(tmp)
    return Path(target)
