"""Changes made by other clients of a server workspace, announced with LISTEN / NOTIFY.

Every operation on a server ends with ``NOTIFY recovery_desk, <its Changes as JSON>`` in its
own transaction, so the notice goes out exactly when (and only if) the change commits. A
client listens on a connection of its own and turns each notice back into the
:class:`Changes` its views already refresh from. A notice too big for PostgreSQL's 8,000
bytes names the entities touched without their ids ("refresh everything of these kinds").
"""

from __future__ import annotations

import json
from typing import Any

from recovery_desk.services.changes import Changes

CHANNEL = "recovery_desk"
_MAX_PAYLOAD = 7900


def encode(changes: Changes, sender: str) -> str:
    body: dict[str, Any] = {
        "sender": sender, "operation": changes.operation,
        "created": {e: sorted(ids) for e, ids in changes.created.items()},
        "updated": {e: sorted(ids) for e, ids in changes.updated.items()},
        "deleted": {e: sorted(ids) for e, ids in changes.deleted.items()},
        "case_ids": sorted(changes.case_ids),
    }
    text = json.dumps(body, separators=(",", ":"))
    if len(text.encode()) <= _MAX_PAYLOAD:
        return text
    entities = set(changes.created) | set(changes.updated) | set(changes.deleted)
    return json.dumps({"sender": sender, "operation": changes.operation, "many": sorted(entities)})


def decode(payload: str) -> tuple[str, Changes]:
    """(sender, changes) of a notice. For a notice with too many ids, every entity it names
    is marked as updated with no ids, and ``case_ids`` is empty: views reload what they show."""
    body = json.loads(payload)
    changes = Changes(operation=body.get("operation", ""))
    if "many" in body:
        for entity in body["many"]:
            changes.updated[entity] = set()
        return body.get("sender", ""), changes
    for kind in ("created", "updated", "deleted"):
        for entity, ids in body.get(kind, {}).items():
            getattr(changes, kind)[entity] |= set(ids)
    changes.case_ids = set(body.get("case_ids", ()))
    return body.get("sender", ""), changes


def notify(session: Any, changes: Changes, sender: str) -> None:
    """Announce ``changes`` to every listener when this transaction commits."""
    if not changes:
        return
    from recovery_desk.services.sync.sql import driver_sql

    # On the driver: it goes with the operation's audit records in one round trip (operation.py).
    driver_sql(session.connection(), "SELECT pg_notify(?, ?)", (CHANNEL, encode(changes, sender)))


class ChangeListener:
    """A connection of its own that LISTENs; :meth:`poll` never blocks (a Qt socket notifier
    or a loop waits on :meth:`fileno`). Notices this client sent itself are skipped."""

    def __init__(self, url: Any, own_sender: str):
        from recovery_desk.storage import postgres

        self.own_sender = own_sender
        self.connection = postgres.connect_dbapi(url, autocommit=True)
        self.connection.execute(f"LISTEN {CHANNEL}")

    def fileno(self) -> int:
        return self.connection.pgconn.socket

    def poll(self) -> list[Changes]:
        """Every notice that has arrived, as Changes (the connection dropping raises
        psycopg.OperationalError: the caller says so and reconnects)."""
        pgconn = self.connection.pgconn
        pgconn.consume_input()
        found: list[Changes] = []
        while (notice := pgconn.notifies()) is not None:
            sender, changes = decode(notice.extra.decode())
            if sender != self.own_sender:
                found.append(changes)
        return found

    def close(self) -> None:
        self.connection.close()
