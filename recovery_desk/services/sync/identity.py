"""Who this laptop is in an exchange: workspace identity, replica id, reference code.

- ``workspace_id`` names the workspace (incident) all laptops share; a bundle of another
  workspace is refused. ``home_replica`` is the laptop the workspace was created on.
- A **copied file** must not go on with the same replica id as its original (both would
  number their changes alike). Each workspace remembers the file it lives in (machine and
  file identity); opened as another file — copied to a second laptop, restored from a
  backup — it takes a new replica id before anything is written. Its old changes stay as
  they were (they are the original's too); new ones carry the new id.
- **Case references stay unique across laptops**: the home laptop goes on numbering as
  before (``NANAO-0043``: the references of an upgraded workspace never change); every other
  laptop puts its own short code in the new references it issues (``NANAO-K7QX-0001``),
  chosen so that it is used by no laptop this one knows of.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from recovery_desk.services.sync.changelog import set_info
from recovery_desk.services.sync.sql import driver_sql, run_sql
from recovery_desk.storage.models import Case, Incident, new_id, utcnow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read aloud and typed by hand
CODE_LENGTH = 4


def _info(conn: Connection) -> dict[str, str]:
    return dict(driver_sql(conn, "SELECT key, value FROM workspace_info").fetchall())  # in every write


@lru_cache(maxsize=1)
def machine_id() -> str:
    for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            text = Path(candidate).read_text().strip()
        except OSError:
            continue
        if text:
            return text
    return socket.gethostname()


def file_fingerprint(path: Path) -> str:
    """Which file on which machine (stat only: the file is never opened here)."""
    st = os.stat(path)
    return f"{machine_id()}:{st.st_dev}:{st.st_ino}"


def _main_file(conn: Connection) -> str:
    """The file an SQLite connection has open (asked once per pooled connection: it never changes)."""
    info = conn.connection.info
    if "rd_main_file" not in info:
        info["rd_main_file"] = next((row[2] for row in run_sql(conn, "PRAGMA database_list") if row[1] == "main"), "")
    return info["rd_main_file"]


def settle(conn: Connection) -> str:
    """This laptop's replica id, inside a write transaction: a file opened where it was not
    before (copied to another laptop, restored from a backup) takes a new id first, and a
    workspace without its sync identity (new, or upgraded) gets it. Opening writes nothing;
    this runs in the first transaction that writes anyway (an operation, reading a bundle).

    Once a connection has seen the identity settled and committed, it is remembered with the
    pooled connection (the file it has open cannot become another file): every write asks."""
    pooled = conn.connection.info
    if "rd_settled" in pooled:
        return pooled["rd_settled"]
    path = ""
    if conn.dialect.name == "sqlite":  # a server workspace is no file that can be copied
        path = _main_file(conn)
    fingerprint = file_fingerprint(Path(path)) if path else ""
    info = _info(conn)
    replica = info["replica_id"]
    if info.get("file_fingerprint") == fingerprint and "workspace_id" in info and "home_replica" in info:
        if pooled.get("rd_settling") is not conn.get_transaction():  # not what this transaction wrote
            pooled["rd_settled"] = replica
        return replica
    pooled["rd_settling"] = conn.get_transaction()  # written now: remembered once committed (above)
    if "file_fingerprint" in info and info["file_fingerprint"] != fingerprint:
        replica = rotate_replica(conn, info)
    if "workspace_id" not in info:
        set_info(conn, "workspace_id", new_id())
    if "home_replica" not in info:
        set_info(conn, "home_replica", info["replica_id"])
    set_info(conn, "file_fingerprint", fingerprint)
    return replica


def rotate_replica(conn: Connection, info: dict[str, str]) -> str:
    """A new replica id for a copied file; the old one is remembered as a former identity."""
    replica = new_id()
    former = [r for r in info.get("former_replicas", "").split() if r] + [info["replica_id"]]
    set_info(conn, "former_replicas", " ".join(former))
    set_info(conn, "replica_id", replica)
    set_info(conn, "replica_since", utcnow().isoformat())
    run_sql(conn, "DELETE FROM workspace_info WHERE key = 'reference_code'")
    return replica


def identity(conn: Connection) -> dict[str, str]:
    info = _info(conn)
    return {k: info.get(k, "") for k in ("workspace_id", "home_replica", "replica_id", "reference_code")}


# -- case references -------------------------------------------------------------------------
def codes_in_use(session: Any, prefix: str) -> set[str]:
    refs = session.scalars(select(Case.reference).where(Case.reference.like(f"{prefix}-%-%"))).all()
    return {r[len(prefix) + 1:].split("-")[0] for r in refs}


def reference_code(session: Any, replica: str, prefix: str) -> str:
    """This laptop's code in new references ("" on the home laptop)."""
    conn = session.connection()
    info = _info(conn)
    if info.get("home_replica", replica) == replica:
        return ""
    if info.get("reference_code"):
        return info["reference_code"]
    taken = codes_in_use(session, prefix) | set(info.get("codes_seen", "").split())
    digest = hashlib.sha256(replica.encode()).digest()
    for attempt in range(64):
        number = int.from_bytes(hashlib.sha256(digest + bytes([attempt])).digest()[:8], "big")
        code = ""
        for _ in range(CODE_LENGTH):
            number, index = divmod(number, len(CODE_ALPHABET))
            code += CODE_ALPHABET[index]
        if code not in taken:
            break
    set_info(conn, "reference_code", code)
    return code


def numbering(session: Any, incident: Incident) -> tuple[int, Callable[[int], str], bool]:
    """(the last number this laptop issued, how a number is written as a reference, whether
    references here are the plain ones of the home laptop)."""
    replica = settle(session.connection())
    prefix = incident.reference_prefix
    code = reference_code(session, replica, prefix)
    if not code:
        # Plain references: only those without a laptop code count (their number follows the digits).
        if session.get_bind().dialect.name == "sqlite":
            plain = Case.reference.op("GLOB")(f"{prefix}-[0-9]*")
        else:  # PostgreSQL has no GLOB: the same test as a regular expression
            plain = Case.reference.op("~")(f"^{re.escape(prefix)}-[0-9]")
        last = session.scalar(select(func.max(Case.sequence)).where(
            Case.incident_id == incident.id, plain)) or 0
        return last, lambda number: f"{prefix}-{number:04d}", True
    last = session.scalar(select(func.max(Case.sequence)).where(
        Case.incident_id == incident.id, Case.reference.like(f"{prefix}-{code}-%"))) or 0
    return last, lambda number: f"{prefix}-{code}-{number:04d}", False


def next_reference(session: Any, incident: Incident) -> tuple[str, int]:
    """The next case reference this laptop issues, and its number."""
    last, write, _ = numbering(session, incident)
    return write(last + 1), last + 1
