"""Field-work fixtures: the app's (worker, contexts) and a main window that opens a
workspace the way a user does, with nobody signed in yet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ui.conftest import (  # noqa: F401
    _delete,
    _isolated_qsettings,
    ctx,
    ctx_ja,
    main_window,
    wait_idle,
    worker,
)


@pytest.fixture
def app_window(qtbot, worker, monkeypatch) -> Iterator:  # noqa: F811
    """(context, main window) with no workspace open and no actor from the environment."""
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.main_window import MainWindow

    monkeypatch.delenv("RECOVERY_DESK_ACTOR")
    context = AppContext(worker)
    window = MainWindow(context)
    window.backup_on_open = False
    window.show()
    qtbot.waitExposed(window)
    yield context, window
    wait_idle(qtbot, context)
    context.set_workspace(None)
    wait_idle(qtbot, context)
    _delete(window)


@pytest.fixture
def board_ws(demo_copy) -> Iterator:
    from recovery_desk.services.workspace import Workspace

    ws = Workspace.open(demo_copy, actor="Test User (Test Org)")
    yield ws
    ws.close()
