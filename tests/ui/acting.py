"""Acting as a person in the UI tests: typing as a person types, waiting as a person waits."""

from __future__ import annotations

import re

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

TIMEOUT = 10_000  # generous: the test machine is shared


def type_text(qtbot, widget, text: str) -> None:
    """Type like a person: ASCII as key presses, Japanese as an input method commits it."""
    for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def settle(qtbot, ctx, page) -> None:
    """Wait until the worker is idle and the page has reloaded what changed."""
    qtbot.waitUntil(lambda: not ctx.worker.busy and not page._reload_pending, timeout=TIMEOUT)
