"""Opening a workspace file safely.

Before SQLAlchemy (which switches the file to WAL mode, a write) touches a file, the file
is inspected read-only: is it SQLite at all, is it whole, is it a Recovery Desk workspace,
is its schema one this version knows? A bad or too-new file is refused and left
byte-for-byte as it was. An older schema is upgraded after a backup beside the file.
"""

from __future__ import annotations

import enum
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from recovery_desk.domain.errors import WorkspaceError

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000


if TYPE_CHECKING:  # SQLAlchemy and Alembic load only when a workspace is opened for writing
    from alembic.config import Config
    from sqlalchemy import Engine


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def known_revisions() -> tuple[set[str], str]:
    """The schema revisions this version knows, and the newest (head).

    Read from the migration files' ``revision`` / ``down_revision`` lines rather than
    through Alembic, so that opening a current workspace does not import Alembic at all.
    """
    revisions: dict[str, str | None] = {}
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.M)
        down = re.search(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.M)
        if revision:
            revisions[revision.group(1)] = down.group(1) if down else None
    heads = set(revisions) - {d for d in revisions.values() if d}
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(heads)}")
    return set(revisions), heads.pop()


def head_revision() -> str:
    return known_revisions()[1]


class FileState(enum.Enum):
    MISSING = "missing"
    EMPTY = "empty"  # a zero-byte file: may become a workspace
    CURRENT = "current"
    OLDER = "older"


@dataclass(frozen=True)
class Inspection:
    state: FileState
    revision: str | None = None


def inspect_file(path: Path) -> Inspection:
    """Read-only checks; raises WorkspaceError with a one-line reason for a bad file."""
    if not path.exists():
        return Inspection(FileState.MISSING)
    if path.is_dir():
        raise WorkspaceError("{path} is a folder, not a workspace file", path=path)
    size = path.stat().st_size
    if size == 0:
        return Inspection(FileState.EMPTY)
    with path.open("rb") as f:
        header = f.read(100)
    if not header.startswith(SQLITE_HEADER):
        raise WorkspaceError("{path} is not a Recovery Desk workspace (not an SQLite file)", path=path)
    if len(header) < 100 or size < _expected_size(header):
        raise WorkspaceError(
            "{path} is damaged: the file is shorter than its header says (truncated copy?)",
            path=path,
        )
    try:
        revision = _read_revision(path)
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError("{path} is damaged: {detail}", path=path, detail=str(exc)) from exc
    if revision is None:
        raise WorkspaceError("{path} is an SQLite file but not a Recovery Desk workspace", path=path)
    known, head = known_revisions()
    if revision not in known:
        raise WorkspaceError(
            "{path} was created by a newer version of Recovery Desk (schema {revision}); "
            "update the application to open it",
            path=path,
            revision=revision,
        )
    state = FileState.CURRENT if revision == head else FileState.OLDER
    return Inspection(state, revision)


def _expected_size(header: bytes) -> int:
    page_size = int.from_bytes(header[16:18], "big")
    if page_size == 1:
        page_size = 65536
    page_count = int.from_bytes(header[28:32], "big")
    change_counter = int.from_bytes(header[24:28], "big")
    valid_for = int.from_bytes(header[92:96], "big")
    # The in-header page count is only valid when "version-valid-for" matches the counter.
    return page_size * page_count if valid_for == change_counter else 0


@contextmanager
def read_only_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A DB-API connection that cannot write (reads of a workspace another process may use)."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        yield con
    finally:
        con.close()


def _read_revision(path: Path) -> str | None:
    with read_only_connection(path) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None


def make_engine(path: Path, *, journal: str = "WAL") -> Engine:
    """An engine whose every connection is configured (style.md 6). ``journal="DELETE"`` is
    for filling a brand-new file in one transaction (demo data): WAL would write each page
    twice (log, then checkpoint). The next ordinary open switches the file back to WAL."""
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):  # style.md 6
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA journal_mode={journal}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
        cursor.close()

    return engine


def upgrade(engine: Engine) -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_file(source: Path, destination: Path) -> Path:
    """Copy a workspace with SQLite's online backup API (safe while another process writes)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".part")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    tmp.replace(destination)
    return destination


def backup_beside(path: Path, reason: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return backup_file(path, path.with_name(f"{path.stem}.{reason}-{stamp}{path.suffix}.bak"))
