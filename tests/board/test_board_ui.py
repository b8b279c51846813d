"""The board page through its widgets: drag and drop through the view, refused drops, undo,
multi-select and bulk move, the card editor, claims and hand-overs, WIP and stale flags,
keyboard, and painting only what is visible."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from recovery_desk.services import board, tasks
from recovery_desk.storage.board_models import TaskHandover
from recovery_desk.storage.models import Activity, Organisation, Task
from recovery_desk.ui.board.model import BoardModel
from recovery_desk.ui.board.view import HEADER_H

# The offscreen platform cannot propagate size hints and says so as a warning: harmless here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _task(ws, task_id) -> Task:
    with ws.session() as s:
        return s.get(Task, task_id)


def _drop(view, mime, pos: QPoint) -> None:
    """Deliver a drag-enter, drag-move and drop to the view's viewport, as Qt does during a drag."""
    target = view.viewport()
    actions = Qt.DropAction.MoveAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    # Qt's own signatures: drag enter/move take a QPoint, a drop a QPointF.
    for event in (QDragEnterEvent(pos, actions, mime, buttons, mods),
                  QDragMoveEvent(pos, actions, mime, buttons, mods),
                  QDropEvent(QPointF(pos), actions, mime, buttons, mods)):
        QApplication.sendEvent(target, event)


def _pick(page, status: str, predicate=lambda c: True):
    for lane_i, lane in enumerate(page.model.lanes):
        for card in lane.cells[status]:
            if predicate(card):
                return lane_i, card
    raise AssertionError(f"no {status} card matches")


def _column(page, status: str) -> int:
    return page.model.statuses.index(status)


def _drag(qtbot, page, task_id: str, pos: QPoint) -> None:
    view = page.view
    view.set_current(task_id)
    mime = page.model.mimeData(view.drag_indexes())  # what the view's drag carries
    _drop(view, mime, pos)


def _below_last(page, lane: int, status: str) -> QPoint:
    view = page.view
    column = _column(page, status)
    count = len(page.model.cell_cards(lane, column))
    rect = view.card_rect(lane, column, max(count - 1, 0))
    if count == 0:
        return rect.center()
    return QPoint(rect.center().x(), min(rect.bottom() + 3, view.viewport().height() - 2))


def test_models_pass_the_model_tester(qtmodeltester, board_page):
    assert board_page.model.rowCount() > 0
    qtmodeltester.check(board_page.model)
    board_page.set_lane_mode("sector")
    qtmodeltester.check(board_page.model)


def test_drag_between_columns_through_the_view_writes_one_row(qtbot, board_page, board_ws):
    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)  # no swimlanes: the whole board is one lane
    view.verticalScrollBar().setValue(0)
    _lane, card = _pick(page, "received", lambda c: not c.blocked_by)
    target_col = _column(page, "in_progress")
    first_target = page.model.cell_cards(0, target_col)[0]
    rect = view.card_rect(0, target_col, 0)
    with qtbot.waitSignal(page.moved, timeout=10_000):
        _drag(qtbot, page, card.id, QPoint(rect.center().x(), rect.top() + 5))  # upper half: before it
    moved = _task(board_ws, card.id)
    assert moved.status == "in_progress"
    assert moved.position < _task(board_ws, first_target.id).position
    with board_ws.session() as s:
        rows = s.execute(select(Activity.entity, Activity.entity_id).where(Activity.operation == "move_task")).all()
    assert {r for r in rows} == {("task", card.id)}  # one row written
    # shown without a reload, at the top of its new column
    assert page.model.cell_cards(0, target_col)[0].id == card.id
    assert page.ctx.undo_stack.count() == 1


def test_reorder_within_a_column(qtbot, board_page, board_ws):
    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)
    view.verticalScrollBar().setValue(0)
    col = _column(page, "matched")
    first, second, third = page.model.cell_cards(0, col)[:3]
    rect = view.card_rect(0, col, 2)
    with qtbot.waitSignal(page.moved, timeout=10_000):
        _drag(qtbot, page, first.id, QPoint(rect.center().x(), rect.top() + 5))  # between second and third
    assert [c.id for c in page.model.cell_cards(0, col)[:3]] == [second.id, first.id, third.id]
    positions = [_task(board_ws, c.id).position for c in (second, first, third)]
    assert positions == sorted(positions)


def test_a_drop_on_done_while_blocked_is_refused_with_the_reason(qtbot, board_page, board_ws):
    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)
    lane, card = _pick(page, "blocked", lambda c: bool(c.blocked_by))
    view.ensure_visible(card.id)
    done_rect = view.card_rect(lane, _column(page, "done"), 0)  # the collapsed Done column
    with qtbot.waitSignal(page.refused, timeout=10_000) as refused:
        _drag(qtbot, page, card.id, QPoint(done_rect.center().x(), max(done_rect.top(), HEADER_H + 5)))
    assert "cannot be done" in refused.args[0] and card.blocked_by[0] in refused.args[0]
    assert page.banner.isVisible() and card.blocked_by[0] in page.banner.text()
    assert _task(board_ws, card.id).status == "blocked"
    assert page.ctx.undo_stack.count() == 0


def test_undo_and_redo_a_move(qtbot, board_page, board_ws):
    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)
    view.verticalScrollBar().setValue(0)
    _lane, card = _pick(page, "received", lambda c: not c.blocked_by)
    before = _task(board_ws, card.id)
    rect = view.card_rect(0, _column(page, "matched"), 0)
    with qtbot.waitSignal(page.moved, timeout=10_000):
        _drag(qtbot, page, card.id, rect.center())
    assert _task(board_ws, card.id).status == "matched"
    with qtbot.waitSignal(page.moved, timeout=10_000):
        page.ctx.undo_stack.undo()
    after_undo = _task(board_ws, card.id)
    assert (after_undo.status, after_undo.position) == (before.status, before.position)
    assert page.model.locate(card.id)[1] == _column(page, "received")
    with qtbot.waitSignal(page.moved, timeout=10_000):
        page.ctx.undo_stack.redo()
    assert _task(board_ws, card.id).status == "matched"


def test_multi_select_and_bulk_move_is_one_undo_step(qtbot, board_page, board_ws):
    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)
    view.verticalScrollBar().setValue(0)
    col = _column(page, "received")
    a, b = page.model.cell_cards(0, col)[:2]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.card_rect(0, col, 0).center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     view.card_rect(0, col, 1).center())
    assert view.selected == [a.id, b.id]
    with qtbot.waitSignal(page.moved, timeout=10_000):
        page.bulk_move("in_progress")
    assert {_task(board_ws, a.id).status, _task(board_ws, b.id).status} == {"in_progress"}
    assert page.ctx.undo_stack.count() == 1
    with qtbot.waitSignal(page.moved, timeout=10_000):
        page.ctx.undo_stack.undo()
    assert {_task(board_ws, a.id).status, _task(board_ws, b.id).status} == {"received"}


def test_dropping_into_another_swimlane_is_refused(qtbot, board_page):
    page, view = board_page, board_page.view
    page.set_lane_mode("sector")
    assert len(page.model.lanes) > 1
    card = page.model.cell_cards(0, _column(page, "received"))[0]
    view.set_current(card.id)
    mime = page.model.mimeData(view.drag_indexes())
    parent = page.model.index(page.model.cell_row(1, _column(page, "received")), 0)
    with qtbot.waitSignal(page.refused, timeout=5_000):
        assert not page.model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, parent)


def test_create_a_card(qtbot, board_page, board_ws):
    page = board_page
    card = page.model.cards[0]
    page.view.set_current(card.id)
    dialog = page.new_card()
    assert dialog.case_ref.text() == card.case_ref
    dialog.title.setText("Carry furniture upstairs")
    with qtbot.waitSignal(dialog.created, timeout=10_000) as created, \
            qtbot.waitSignal(page.loaded, timeout=10_000):
        dialog.create()
    new_id = created.args[0]
    assert _task(board_ws, new_id).title == "Carry furniture upstairs"
    assert page.model.locate(new_id) is not None
    qtbot.waitUntil(lambda: page.view.current == new_id, timeout=5_000)


def test_create_refuses_an_unknown_case(qtbot, board_page):
    dialog = board_page.new_card()
    dialog.case_ref.setText("NOPE-9999")
    dialog.title.setText("x")
    with qtbot.waitSignal(dialog.failed, timeout=10_000) as failed:
        dialog.create()
    assert "NOPE-9999" in failed.args[0]


def test_edit_a_card_and_see_its_history(qtbot, board_page, board_ws):
    page = board_page
    card = page.model.cards[0]
    editor = page.edit_card(card.id)
    qtbot.waitUntil(lambda: editor.detail is not None, timeout=10_000)
    editor.title.setText("Renamed task")
    editor.priority.setCurrentIndex(editor.priority.findData("urgent"))
    with qtbot.waitSignal(editor.reloaded, timeout=10_000):
        editor.save()
    saved = _task(board_ws, card.id)
    assert (saved.title, saved.priority) == ("Renamed task", "urgent")
    whats = [editor.history.topLevelItem(i).text(2) for i in range(editor.history.topLevelItemCount())]
    assert "Title" in whats and "Priority" in whats
    row = next(editor.history.topLevelItem(i) for i in range(editor.history.topLevelItemCount())
               if editor.history.topLevelItem(i).text(2) == "Priority")
    assert row.text(4) == "Urgent"
    # checklist and comments
    editor.new_item.setText("Borrow a ladder")
    with qtbot.waitSignal(editor.reloaded, timeout=10_000):
        editor._add_item()
    assert any(editor.checklist.item(i).text() == "Borrow a ladder" for i in range(editor.checklist.count()))
    editor.new_comment.setPlainText("Neighbour has keys")
    with qtbot.waitSignal(editor.reloaded, timeout=10_000):
        editor._add_comment()
    assert "Neighbour has keys" in editor.comments.item(editor.comments.count() - 1).text()
    # the board shows the edit after ctx.changed
    qtbot.waitUntil(lambda: any(c.title == "Renamed task" for c in page.model.cards), timeout=10_000)
    editor.close()


def test_blocked_by_links_refuse_a_cycle(qtbot, board_page, board_ws):
    page = board_page
    card = next(c for c in page.model.cards if c.blocked_by)
    with board_ws.session() as s:
        from recovery_desk.storage.models import TaskDependency

        blocker_id = s.scalar(select(TaskDependency.blocked_by_id).where(TaskDependency.task_id == card.id))
    editor = page.edit_card(blocker_id, tab="blocked")
    qtbot.waitUntil(lambda: editor.detail is not None, timeout=10_000)
    editor.blocker_choice.setCurrentIndex(editor.blocker_choice.findData(card.id))
    with qtbot.waitSignal(editor.failed, timeout=10_000) as failed:
        editor._add_blocker()
    assert "cycle" in failed.args[0]
    editor.close()


def test_claim_and_hand_over_through_the_editor(qtbot, board_page, board_ws):
    page = board_page
    card = next(c for c in page.model.cards if not c.claimed and c.status == "received")
    with board_ws.session() as s:
        first, second = s.scalars(select(Organisation.id).order_by(Organisation.name).limit(2)).all()
    editor = page.edit_card(card.id, tab="handover")
    qtbot.waitUntil(lambda: editor.detail is not None, timeout=10_000)
    assert editor.claim_button.isEnabled() and not editor.release_button.isEnabled()
    editor.org_choice.setCurrentIndex(editor.org_choice.findData(first))
    with qtbot.waitSignal(editor.reloaded, timeout=10_000):
        editor.claim()
    assert _task(board_ws, card.id).lead_org_id == first
    editor.org_choice.setCurrentIndex(editor.org_choice.findData(second))
    editor.reason.setText("our crew is on that street")
    with qtbot.waitSignal(editor.reloaded, timeout=10_000):
        editor.request_handover()
    assert editor.requests.count() == 1 and editor.accept_button.isEnabled()
    with qtbot.waitSignal(editor.reloaded, timeout=10_000):
        editor.accept_request()
    assert _task(board_ws, card.id).lead_org_id == second
    editor.reason.setText("")
    with qtbot.waitSignal(editor.failed, timeout=10_000) as failed:
        editor.release()
    assert "reason" in failed.args[0]
    with board_ws.session() as s:
        kinds = s.scalars(select(TaskHandover.kind).where(TaskHandover.task_id == card.id)
                          .order_by(TaskHandover.created_at)).all()
    assert kinds == ["claim", "request", "accept"]
    assert editor.handovers.count() == 3
    editor.close()


def test_wip_limit_is_flagged_when_exceeded(qtbot, board_page, board_ws):
    page = board_page
    col = _column(page, "in_progress")
    total = page.model.column_total(col)
    assert not page.model.column_exceeded(col)
    board.set_wip_limit(board_ws, "in_progress", total - 1)
    board.set_wip_limit(board_ws, "in_progress", total)  # not exceeded at exactly the limit
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload()
    assert not page.model.column_exceeded(col)
    board.set_wip_limit(board_ws, "in_progress", total - 1)
    page.set_lane_mode("sector")
    key = page.model.lanes[0].key
    board.set_wip_limit(board_ws, "in_progress", 1, lane=key)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload()
    assert page.model.column_exceeded(col)
    assert page.model.cell_exceeded(0, col) == (len(page.model.cell_cards(0, col)) > 1)
    page.view.grab()  # paints the flags without error


def test_stale_claims_are_flagged(qtbot, board_page, board_ws):
    page = board_page
    card = next(c for c in page.model.cards if not c.claimed and c.status == "received")
    with board_ws.session() as s:
        org = s.scalars(select(Organisation.id)).first()
    board.claim_task(board_ws, card.id, org)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload()
    assert not next(c for c in page.model.cards if c.id == card.id).stale
    page.today = date.today() + timedelta(days=15)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload()
    assert next(c for c in page.model.cards if c.id == card.id).stale


def test_keyboard_focus_move_and_shortcuts(qtbot, board_page, board_ws):
    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)  # focus the first card
    first = view.current
    assert first is not None
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.current != first and page.model.locate(view.current)[1] == page.model.locate(first)[1]
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert page.model.locate(view.current)[1] == page.model.locate(first)[1] + 1
    moving = view.current
    old_column = page.model.locate(moving)[1]
    with qtbot.waitSignal(page.moved, timeout=10_000):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert page.model.locate(moving)[1] == old_column + 1
    assert _task(board_ws, moving).status == page.model.statuses[old_column + 1]
    qtbot.keyClick(view, Qt.Key.Key_Slash)
    assert page.filter.hasFocus()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    box = page._shortcuts_box
    assert isinstance(box, QMessageBox) and "Ctrl" in box.text()
    box.close()


def test_delete_archives_the_selected_card(qtbot, board_page, board_ws):
    page, view = board_page, board_page.view
    card = page.model.cards[0]
    view.setFocus()
    view.set_current(card.id)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert _task(board_ws, card.id).archived_at is not None
    assert page.model.locate(card.id) is None


def test_filter_scopes_the_board(qtbot, board_page):
    page = board_page
    everything = len(page.model.cards)
    page.filter.setText("status:blocked")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClick(page.filter, Qt.Key.Key_Return)
    assert 0 < len(page.model.cards) < everything
    assert {c.status for c in page.model.cards} == {"blocked"}
    page.filter.setText("colour:red")
    with qtbot.waitSignal(page.refused, timeout=10_000):
        qtbot.keyClick(page.filter, Qt.Key.Key_Return)


def test_paints_only_the_visible_cards(qtbot, board_page):
    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)
    view.grab()
    assert 0 < view.painted_cards < len(page.model.cards)
    per_card = view.painted_cards
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    view.grab()
    assert 0 < view.painted_cards <= per_card + page.model.column_count


def test_model_drop_without_a_view(qtbot):
    """The model on its own: a drop emits a move request with the right neighbours."""
    from recovery_desk.services.board import BoardSettings
    from recovery_desk.services.board_query import BoardData, Card

    def card(i, status):
        return Card(f"t{i}", f"T{i}", "c", "REF", None, status, float(i), "normal", None, None, "", None, "", None, None)

    model = BoardModel("en")
    model.set_data(BoardData([card(1, "received"), card(2, "received"), card(3, "received")], BoardSettings()),
                   "none", False)
    requests = []
    model.move_requested.connect(requests.append)
    mime = model.mimeData([model.card_index("t3")])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 1, 0, model.index(model.cell_row(0, 0), 0))
    assert requests[0].task_ids == ("t3",) and (requests[0].above_id, requests[0].below_id) == ("t1", "t2")
    assert not model.dropMimeData(mime, Qt.DropAction.MoveAction, 2, 0, model.index(0, 0))  # where it is




def test_e_opens_the_editor_and_ctrl_up_reorders(qtbot, board_page, board_ws):
    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)
    col = _column(page, "matched")
    first, second = page.model.cell_cards(0, col)[:2]
    view.setFocus()
    view.set_current(second.id)
    qtbot.keyClick(view, Qt.Key.Key_E)
    assert page._editors and page._editors[-1].task_id == second.id
    page._editors[-1].close()
    with qtbot.waitSignal(page.moved, timeout=10_000):
        qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [c.id for c in page.model.cell_cards(0, col)[:2]] == [second.id, first.id]
    assert _task(board_ws, second.id).position < _task(board_ws, first.id).position


def test_dragging_several_selected_cards_moves_them_together(qtbot, board_page, board_ws):
    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)
    view.verticalScrollBar().setValue(0)
    col = _column(page, "received")
    a, b = page.model.cell_cards(0, col)[:2]
    view.select_ids([a.id, b.id])
    mime = page.model.mimeData(view.drag_indexes())
    target = view.card_rect(0, _column(page, "matched"), 0)
    with qtbot.waitSignal(page.moved, timeout=10_000):
        _drop(view, mime, QPoint(target.center().x(), target.top() + 5))
    assert [c.id for c in page.model.cell_cards(0, _column(page, "matched"))[:2]] == [a.id, b.id]
    assert {_task(board_ws, a.id).status, _task(board_ws, b.id).status} == {"matched"}
    assert page.ctx.undo_stack.count() == 1


def test_a_mouse_drag_starts_from_the_view(qtbot, board_page, board_ws, monkeypatch):
    """Press and move the mouse on a card: the view starts a QDrag carrying the model's mime
    data; the (stubbed) drag loop drops it on another column, as the platform would."""
    import recovery_desk.ui.board.view as view_module

    page, view = board_page, board_page.view
    page.lanes.setCurrentIndex(0)
    view.verticalScrollBar().setValue(0)
    col = _column(page, "received")
    card = page.model.cell_cards(0, col)[0]
    target = view.card_rect(0, _column(page, "in_progress"), 0)
    started = []

    class PlatformDrag:
        def __init__(self, source):
            self.source = source

        def setMimeData(self, mime):  # noqa: N802
            self.mime = mime

        def setPixmap(self, pixmap):  # noqa: N802
            assert not pixmap.isNull()

        def exec(self, action):
            started.append(BoardModel.ids_from_mime(self.mime))
            _drop(self.source, self.mime, QPoint(target.center().x(), target.top() + 5))
            return action

    monkeypatch.setattr(view_module, "QDrag", PlatformDrag)
    start = view.card_rect(0, col, 0).center()
    with qtbot.waitSignal(page.moved, timeout=10_000):
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(view.viewport(), start + QPoint(40, 10))
        qtbot.mouseMove(view.viewport(), start + QPoint(80, 20))
    assert started == [[card.id]]
    assert _task(board_ws, card.id).status == "in_progress"


def test_closing_the_workspace_empties_the_board(qtbot, board_page):
    page = board_page
    assert page.model.cards
    page.ctx.workspace = None
    page.reload()
    assert page.model.cards == [] and page.model.rowCount() > 0


def test_a_hidden_board_reloads_when_shown_again(qtbot, board_page, board_ws):
    page = board_page
    card = page.model.cards[0]
    page.hide()
    with qtbot.waitSignal(page.ctx.changed, timeout=10_000):
        page.ctx.change(lambda ws: tasks.update_task(ws, card.id, title="Changed elsewhere"))
    assert page._stale_view and next(c for c in page.model.cards if c.id == card.id).title != "Changed elsewhere"
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()
    assert next(c for c in page.model.cards if c.id == card.id).title == "Changed elsewhere"
