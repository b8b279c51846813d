"""One Save is one write. A new entity's id is only known when the worker has created it,
so a second Save before that (a double click, Enter in a field and then a click, Ctrl+S)
used to create the same organisation twice. Every editor writes through a WriteGate
(ui/pages/entity_editing.py): while a write is on the worker, Save is disabled and further
writes are ignored. The clicks below all happen before the worker's answer is delivered
(qtbot's clicks do not run the event loop), so without the gate each one would write."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from recovery_desk.storage.models import Activity, Case, Organisation, Person
from tests.ui.acting import settle, type_text
from tests.ui.conftest import wait_idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support ")
TIMEOUT = 10_000


def _count(ws, statement) -> int:
    with ws.session() as s:
        return s.scalar(statement)


def _save_three_ways(qtbot, editor, field) -> None:
    """Click Save, press Enter in a field, click Save again: all before the first returns."""
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.save_button.isEnabled()  # while the worker writes
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def _new_row_saved_three_ways(qtbot, ctx, page_class, name: str):
    """The page shown, New clicked, ``name`` typed, Save pressed three ways: (page, editor)."""
    page = page_class(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.show()
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    type_text(qtbot, editor.name, name)
    _save_three_ways(qtbot, editor, editor.name)
    return page, editor


def test_one_new_organisation_however_often_save_is_pressed(qtbot, empty_ctx, workspace):
    from recovery_desk.ui.pages.organisations_page import OrganisationsPage

    page, editor = _new_row_saved_three_ways(qtbot, empty_ctx, OrganisationsPage, "七尾災害ボランティアセンター")
    settle(qtbot, empty_ctx, page)
    assert _count(workspace, select(func.count()).select_from(Organisation)) == 1
    assert empty_ctx.undo_stack.count() == 1
    assert editor.org_id is not None and not editor.save_button.isEnabled()  # saved, nothing to save
    # the gate opens again: an edit after the save is saved
    qtbot.keyClicks(editor.acronym, "NVC")
    assert editor.save_button.isEnabled()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, empty_ctx, page)
    with workspace.session() as s:
        assert s.scalars(select(Organisation.acronym)).all() == ["NVC"]


def test_one_new_person_however_often_save_is_pressed(qtbot, empty_ctx, workspace):
    from recovery_desk.ui.pages.people_page import PeoplePage

    page, _editor = _new_row_saved_three_ways(qtbot, empty_ctx, PeoplePage, "山田 花子")
    qtbot.waitUntil(lambda: not empty_ctx.worker.busy and not page._reload_pending, timeout=TIMEOUT)
    assert _count(workspace, select(func.count()).select_from(Person)) == 1


def test_a_case_saved_twice_quickly_is_written_once(qtbot, main_window):
    ctx = main_window.ctx
    page = main_window.show_page("cases")
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    rect = page.table.visualRect(page.model.index(0, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    case_id = page.model.ids[0]
    qtbot.waitUntil(lambda: page.editor.detail is not None and page.editor.detail.case.id == case_id)
    editor = page.editor
    wait_idle(qtbot, ctx)  # nothing else on the worker: the count below is ours
    editor.address.setText("七尾市 府中町 1-2-3")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    editor.save()  # Ctrl+S calls save() directly
    assert ctx.worker.pending == 1  # one write sent, not three
    wait_idle(qtbot, ctx)
    updates = select(func.count()).select_from(Activity).where(
        Activity.entity == "case", Activity.entity_id == case_id, Activity.field == "address")
    assert _count(ctx.workspace, updates) == 1
    assert _count(ctx.workspace, select(Case.address).where(Case.id == case_id)) == "七尾市 府中町 1-2-3"
