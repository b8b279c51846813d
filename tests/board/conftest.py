"""Board fixtures: a writable demo workspace, the database worker, the app context, the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import DEMO_AS_OF


@pytest.fixture
def board_ws(demo_copy) -> Iterator:
    from recovery_desk.services.workspace import Workspace

    ws = Workspace.open(demo_copy, actor="Test User (Test Org)")
    yield ws
    ws.close()


@pytest.fixture
def board_ctx(qapp, board_ws) -> Iterator:
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.worker import DatabaseWorker

    worker = DatabaseWorker()
    ctx = AppContext(worker, "en")
    ctx.workspace = board_ws  # not set_workspace: that would close the fixture's workspace on change
    yield ctx
    worker.stop()


@pytest.fixture
def board_page(qtbot, board_ctx) -> Iterator:
    from recovery_desk.ui.board import BoardPage

    page = BoardPage(board_ctx)
    page.today = DEMO_AS_OF
    page.resize(1300, 800)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload()
    yield page
    page.ctx.undo_stack.clear()
