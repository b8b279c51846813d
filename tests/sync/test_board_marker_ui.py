"""A card whose task is in conflict with another laptop's value is marked on the board: an
orange frame and a "Conflict" badge, the fields in its tooltip; settled, the marker goes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from sqlalchemy import select

from recovery_desk.services import tasks
from recovery_desk.services.sync.conflicts import list_conflicts, resolve
from recovery_desk.services.sync.exchange import export_bundle, import_bundle
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.database import backup_file
from recovery_desk.storage.models import Task
from tests.sync.conftest import PASSPHRASE

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
ORANGE = QColor("#ef6c00").rgb()


def _orange_pixels(page, task_id: str) -> int:
    rect = page.view.rect_of(task_id)
    assert rect is not None
    image = QImage(page.view.viewport().size(), QImage.Format.Format_RGB32)
    page.view.viewport().render(image)
    return sum(image.pixel(x, y) == ORANGE for x in range(rect.left(), rect.right()) for y in (rect.top() + 1,
                                                                                             rect.bottom() - 1))


def test_a_card_in_conflict_is_marked_and_unmarked_once_settled(qtbot, board_page, tmp_path):
    page = board_page  # tests/board's page on a demo workspace (tests/sync/conftest.py)
    ws = page.ctx.workspace
    card = page.model.lanes[0].cells["received"][0]
    before = _orange_pixels(page, card.id)
    other = Workspace.open(backup_file(ws.path, tmp_path / "other.rdesk"), actor="Ben (City)")
    tasks.update_task(other, card.id, title="Mud out, both rooms")
    export_bundle(other, tmp_path / "other.rdsync", PASSPHRASE)
    tasks.update_task(ws, card.id, title="Mud out, kitchen first")
    import_bundle(ws, tmp_path / "other.rdsync", PASSPHRASE)
    other.close()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload()

    assert page.model.conflicts == {card.id: ["title"]}
    index = next(page.model.index(i, 0, page.model.index(0, 0)) for i in range(99)
                 if page.model.data(page.model.index(i, 0, page.model.index(0, 0)), Qt.ItemDataRole.DisplayRole)
                 in ("Mud out, both rooms", "Mud out, kitchen first"))
    assert "In conflict with another laptop's value (title)" in page.model.data(index, Qt.ItemDataRole.ToolTipRole)
    shown = next(c for lane in page.model.lanes for c in lane.cells["received"] if c.id == card.id)
    assert page.view._badges(shown)[0][0] == "Conflict"
    assert _orange_pixels(page, card.id) > before + 100  # the frame is drawn

    (conflict,) = list_conflicts(ws)
    resolve(ws, conflict["id"], keep="ours")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload()
    assert page.model.conflicts == {}
    assert _orange_pixels(page, card.id) == before
    with ws.session() as s:
        assert s.scalar(select(Task.title).where(Task.id == card.id)) in ("Mud out, both rooms", "Mud out, kitchen first")
