"""The app says what the CLI says: a known failure on the database worker reaches the UI
thread as the same one-line message (storage/failures.py); a bug stays a bug."""

from __future__ import annotations

import sqlite3

import pytest

from recovery_desk.storage.failures import LockedError


def _fail_with(exc: BaseException):
    def job(_progress):
        raise exc

    return job


@pytest.mark.parametrize(("raised", "kind", "text"), [
    (sqlite3.OperationalError("database is locked"), LockedError, "in use by another program"),
    (OSError(28, "No space left on device", "/media/stick/report.pdf"), Exception, "the disk is full"),
])
def test_known_failures_reach_the_ui_as_one_line(qtbot, worker, raised, kind, text):
    got = []
    worker.submit(_fail_with(raised), on_error=lambda exc, trace: got.append(exc))
    qtbot.waitUntil(lambda: bool(got), timeout=10_000)
    assert isinstance(got[0], kind) and text in got[0].message("en")
    assert "\n" not in got[0].message("ja")


def test_an_unknown_error_is_passed_on_unchanged(qtbot, worker):
    got = []
    worker.submit(_fail_with(ZeroDivisionError("bug")), on_error=lambda exc, trace: got.append((exc, trace)))
    qtbot.waitUntil(lambda: bool(got), timeout=10_000)
    assert isinstance(got[0][0], ZeroDivisionError) and "ZeroDivisionError" in got[0][1]
