"""One Save is one write on the board too (see tests/ui/test_one_save_one_row.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from recovery_desk.storage.models import Activity, Task

TIMEOUT = 10_000


def _count(ws, statement) -> int:
    with ws.session() as s:
        return s.scalar(statement)


def test_a_card_saved_twice_quickly_is_written_once_and_a_new_card_created_once(qtbot, board_page, board_ws):
    card = board_page.model.cards[0]
    editor = board_page.edit_card(card.id)
    qtbot.waitUntil(lambda: editor.detail is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not board_page.ctx.worker.busy, timeout=TIMEOUT)  # the count below is ours
    editor.title.setText("Renamed once")
    with qtbot.waitSignal(editor.reloaded, timeout=TIMEOUT):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
        editor.save()
        assert board_page.ctx.worker.pending == 1  # one write sent, not three
    titles = select(func.count()).select_from(Activity).where(
        Activity.entity == "task", Activity.entity_id == card.id, Activity.field == "title")
    assert _count(board_ws, titles) == 1
    editor.close()

    before = _count(board_ws, select(func.count()).select_from(Task))
    board_page.view.set_current(card.id)
    dialog = board_page.new_card()
    dialog.title.setText("Carry furniture upstairs")
    with qtbot.waitSignal(dialog.created, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        dialog.create()  # Enter in the dialog
    qtbot.waitUntil(lambda: not board_page.ctx.worker.busy, timeout=TIMEOUT)
    assert _count(board_ws, select(func.count()).select_from(Task)) == before + 1
