"""Doing work again after a serialization failure or deadlock on a server (or a row another
client changed between our read and our write), and only when doing it again is safe.

PostgreSQL resolves a deadlock or a serialization failure by aborting one of the
transactions; the usual answer is to run that transaction again from the start. Doing work
again is safe when the failed attempt left no trace: its transaction rolled back, and it
committed nothing else and asked the user nothing that a second attempt would ask again. So
:func:`retrying` counts, per thread, the commits of every engine of the process
(:func:`count_commits`, called by both engine factories) and the questions the command
line asked (:func:`note_question`), and tries again only while the failed attempt added
none. The count is per thread: work is retried by the thread that does it (the CLI's, the
app's database worker). Plain psycopg connections (``server init``, ``server add-user``)
are not counted: those callers retry their one transaction themselves. Work that is
several transactions (a synchronisation, an erasure) retries each of its transactions
itself; once such an inner retry has given up, no outer one tries the whole work again.

A retried edit reads what it changes again (a new transaction sees the other client's
commit), so a real conflict of values — two people, one field — is still refused, showing
both values, never overwritten. SQLite never fails this way (its busy timeout waits for
the lock), so its work runs once, as before.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
ATTEMPTS = 5


class _Traces(threading.local):
    """What the work on this thread did that a second attempt would do again."""

    commits = 0
    questions = 0
    given_up = 0  # transient failures a retry let through (after its last attempt, or as unsafe)

    def mark(self) -> tuple[int, int, int]:
        return self.commits, self.questions, self.given_up


_traces = _Traces()


def count_commits(engine: Any) -> None:
    """Count the engine's commits on the thread that makes them (cheap: a counter)."""
    from sqlalchemy import event

    event.listen(engine, "commit", _counted)


def _counted(_connection: Any) -> None:
    _traces.commits += 1


def note_question() -> None:
    """The command line asked the user something (a password, a confirmation): running the
    command again would ask again, so it is not run again."""
    _traces.questions += 1


def is_transient(exc: BaseException) -> bool:
    """A failure that goes away when the same work is done again from the start: a
    serialization failure or deadlock the server resolved by aborting us, or a row another
    client changed between our read and our write (the ORM's row-version check)."""
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.orm.exc import StaleDataError

        if isinstance(exc, StaleDataError):
            return True
    if "psycopg" not in sys.modules:
        return False
    import psycopg

    cause = getattr(exc, "orig", None) or exc
    return isinstance(cause, psycopg.errors.SerializationFailure | psycopg.errors.DeadlockDetected)


def retrying(call: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``call()``, and again from the start while it fails transiently, as long as the failed
    attempt left no trace (see the module's docstring); otherwise, or after the last attempt,
    its error goes on (shown as :func:`~recovery_desk.storage.postgres.explain_server_error`
    words it)."""
    for attempt in range(attempts):
        before = _traces.mark()
        try:
            return call()
        except Exception as exc:
            if not is_transient(exc):
                raise
            if attempt == attempts - 1 or _traces.mark() != before:
                _traces.given_up += 1
                raise
    raise AssertionError("unreachable")
