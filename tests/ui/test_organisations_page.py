"""The Organisations page as a person uses it: add, edit axes, undo, triangle, capabilities."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from sqlalchemy import select

from recovery_desk.services.cases import create_case
from recovery_desk.services.organisations import create_organisation
from recovery_desk.services.tasks import create_task
from recovery_desk.storage.models import Capability, Organisation
from recovery_desk.ui.pages.organisations_page import OrganisationsPage
from tests.ui.acting import TIMEOUT, settle, type_text

# The offscreen platform cannot raise windows, grab the keyboard (completer popups) or
# propagate size hints; it says so as a warning. Harmless here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support ")


@pytest.fixture
def page(qtbot, app_ctx) -> OrganisationsPage:
    page = OrganisationsPage(app_ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.show()
    return page


def org_in_db(ws, org_id: str) -> Organisation | None:
    with ws.session() as s:
        return s.get(Organisation, org_id)


def test_add_an_organisation_by_clicks_and_keys_then_undo_and_redo(qtbot, app_ctx, page, workspace):
    assert page.model.rowCount() == 0
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    assert not editor.save_button.isEnabled()
    type_text(qtbot, editor.name, "特定非営利活動法人 能登復興ネットワーク")
    qtbot.keyClicks(editor.acronym, "NOTO-NET")
    editor.legal_form.setCurrentIndex(editor.legal_form.findText("特定非営利活動法人"))
    assert editor.save_button.isEnabled()
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        qtbot.keyClick(editor.acronym, Qt.Key.Key_Return)
    settle(qtbot, app_ctx, page)
    assert [r.name for r in page.model.rows] == ["特定非営利活動法人 能登復興ネットワーク"]
    row = page.model.rows[0]
    assert row.sector == "third_sector" and row.acronym == "NOTO-NET"
    stored = org_in_db(workspace, row.id)
    assert stored.legal_form == "特定非営利活動法人" and stored.deleted_at is None
    assert app_ctx.undo_stack.count() == 1
    assert "NOTO-NET" not in app_ctx.undo_stack.undoText() and "能登復興" in app_ctx.undo_stack.undoText()
    assert page.editor.org_id == row.id and not page.editor.save_button.isEnabled()

    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.undo()
    settle(qtbot, app_ctx, page)
    assert page.model.rowCount() == 0
    assert org_in_db(workspace, row.id).deleted_at is not None

    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.redo()
    settle(qtbot, app_ctx, page)
    assert [r.id for r in page.model.rows] == [row.id]  # the same organisation comes back


def test_changing_an_axis_updates_the_derived_sector_live_then_saves_and_undoes(qtbot, app_ctx, page, workspace):
    org_id = create_organisation(workspace, name="七尾市役所", ownership="public", profit="nonprofit",
                                 formality="formal", org_type="gov_local").primary_id
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.reload()
    editor = page.editor
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        rect = page.view.visualRect(page.proxy.index(0, 0))
        qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.org_id == org_id
    assert editor.sector_label.text() == "State"

    editor.profit.setFocus()
    qtbot.keyClick(editor.profit, Qt.Key.Key_Down)  # non-profit -> for-profit
    assert editor.profit.currentData() == "forprofit"
    assert editor.sector_label.text() == "Hybrid"  # live, before anything is saved
    assert editor.sector_hint.isVisibleTo(editor)
    qtbot.keyClick(editor.ownership, Qt.Key.Key_Down)  # public -> private
    assert editor.sector_label.text() == "Market"
    # a municipality whose axes make it Market: the type and the axes disagree, and it says so
    assert "usually sits in the State sector" in editor.sector_hint.text() and editor.sector_hint.isVisibleTo(editor)
    assert org_in_db(workspace, org_id).sector == "state"  # nothing saved yet

    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=TIMEOUT)
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        qtbot.keyClick(editor.ownership, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Save
    settle(qtbot, app_ctx, page)
    assert org_in_db(workspace, org_id).sector == "market"
    assert page.model.rows[0].sector == "market"

    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.undo()
    settle(qtbot, app_ctx, page)
    stored = org_in_db(workspace, org_id)
    assert (stored.ownership, stored.profit, stored.sector) == ("public", "nonprofit", "state")
    assert editor.sector_label.text() == "State" and editor.ownership.currentData() == "public"


def test_bad_input_is_shown_at_the_field_and_nothing_is_saved(qtbot, app_ctx, page, workspace):
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    qtbot.keyClicks(editor.name, "   ")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "name is required" in editor.errors.message_for("name")
    qtbot.keyClicks(editor.name, "Long acronym group")
    qtbot.keyClicks(editor.acronym, "X" * 51)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.errors.message_for("name") == ""
    assert "at most 50" in editor.errors.message_for("acronym")
    assert "c62828" in editor.acronym.styleSheet() and editor.name.styleSheet() == ""
    settle(qtbot, app_ctx, page)
    with workspace.session() as s:
        assert s.scalars(select(Organisation)).all() == []
    assert app_ctx.undo_stack.count() == 0


def test_triangle_places_a_state_organisation_near_the_top_and_a_click_opens_it(qtbot, app_ctx, page, workspace):
    state = create_organisation(workspace, name="石川県庁", ownership="public", profit="nonprofit",
                                formality="formal").primary_id
    market = create_organisation(workspace, name="能登建設", ownership="private", profit="forprofit",
                                 formality="formal").primary_id
    community = create_organisation(workspace, name="町会", ownership="private", profit="nonprofit",
                                    formality="informal").primary_id
    case_id = create_case(workspace, contact_name="A").primary_id
    for i in range(3):
        create_task(workspace, case_id, title=f"t{i}", lead_org_id=market)
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.reload()
    page.left_tabs.setCurrentWidget(page.triangle)
    triangle = page.triangle
    qtbot.waitExposed(triangle)

    top_y = triangle.to_pixels(0.5, 3 ** 0.5 / 2).y()
    bottom_y = triangle.to_pixels(0.0, 0.0).y()
    p_state, p_market, p_community = (triangle.point_for(i) for i in (state, market, community))
    assert p_state.y() - top_y < (bottom_y - top_y) * 0.35  # in the top third
    assert p_market.x() < p_community.x() and p_market.y() > p_state.y() and p_community.y() > p_state.y()
    assert triangle.unit_point_for(state)[1] > 0.6
    # Sized by open tasks: the market organisation leads three, the others none.
    assert triangle.radius_for(market) > triangle.radius_for(state)
    assert triangle.hit_test(p_state) == state
    assert triangle.hit_test(QPointF(2, 2)) is None
    assert "石川県庁" in triangle.tooltip_text(state) and "State" in triangle.tooltip_text(state)
    # Hovering: Qt asks the widget for a tooltip at the mouse position.
    help_event = QHelpEvent(QEvent.Type.ToolTip, p_market.toPoint(), triangle.mapToGlobal(p_market.toPoint()))
    QApplication.sendEvent(triangle, help_event)
    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=TIMEOUT)
    assert QToolTip.text() == triangle.tooltip_text(market) and "Open tasks: 3" in QToolTip.text()
    QToolTip.hideText()

    with qtbot.waitSignal(page.editor.detail_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(triangle, Qt.MouseButton.LeftButton, pos=p_state.toPoint())
    assert page.editor.org_id == state and triangle.selected_id == state
    assert page.view.currentIndex().data(Qt.ItemDataRole.UserRole) == state

    # The keyboard walks through the organisations in name order: 町会, 石川県庁, 能登建設.
    triangle.setFocus()
    with qtbot.waitSignal(page.editor.detail_loaded, timeout=TIMEOUT):
        qtbot.keyClick(triangle, Qt.Key.Key_Right)
    assert page.editor.org_id == market and triangle.selected_id == market
    with qtbot.waitSignal(page.editor.detail_loaded, timeout=TIMEOUT):
        qtbot.keyClick(triangle, Qt.Key.Key_Right)  # wraps round
    assert page.editor.org_id == community


def test_capability_service_area_and_delete_are_undoable(qtbot, app_ctx, page, workspace):
    from recovery_desk.services.areas import create_area

    create_area(workspace, prefecture="石川県", municipality="七尾市", municipality_code="172022", district="御祓")
    org_id = create_organisation(workspace, name="災害支援ななお").primary_id
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.reload()
    editor = page.editor
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        page.show_organisation(org_id)
    editor.tabs.setCurrentIndex(1)
    editor.need_combo.setCurrentIndex(editor.need_combo.findData("debris_mud_removal"))
    editor.capacity.setValue(40)
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(editor.add_capability_button, Qt.MouseButton.LeftButton)
    settle(qtbot, app_ctx, page)
    assert [(c.need_category, c.capacity) for c in editor.capabilities_model.rows] == [("debris_mud_removal", 40)]
    editor.capacity.setValue(60)  # same category again: an update, undone back to 40
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(editor.add_capability_button, Qt.MouseButton.LeftButton)
    settle(qtbot, app_ctx, page)
    assert editor.capabilities_model.rows[0].capacity == 60
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.undo()
    settle(qtbot, app_ctx, page)
    assert editor.capabilities_model.rows[0].capacity == 40
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.undo()
    settle(qtbot, app_ctx, page)
    assert editor.capabilities_model.rows == []
    with workspace.session() as s:
        assert s.scalars(select(Capability).where(Capability.deleted_at.is_(None))).all() == []

    editor.tabs.setCurrentIndex(2)
    assert editor.area_combo.count() == 1
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(editor.add_area_button, Qt.MouseButton.LeftButton)
    settle(qtbot, app_ctx, page)
    assert [a.label for a in editor.areas_model.rows] == ["七尾市 御祓"]

    qtbot.mouseClick(editor.delete_button, Qt.MouseButton.LeftButton)
    settle(qtbot, app_ctx, page)
    assert page.model.rowCount() == 0 and editor.org_id is None
    assert "災害支援ななお" in editor.notice.text()
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.undo()
    settle(qtbot, app_ctx, page)
    assert [r.id for r in page.model.rows] == [org_id]
    assert org_in_db(workspace, org_id).deleted_at is None


def test_filter_box_narrows_the_list(qtbot, app_ctx, page, workspace):
    for name in ("七尾市役所", "七尾市社会福祉協議会", "能登建設"):
        create_organisation(workspace, name=name)
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.reload()
    type_text(qtbot, page.filter_edit, "七尾")
    assert page.proxy.rowCount() == 2
    assert "2" in page.count_label.text() and "3" in page.count_label.text()


def test_models_pass_the_model_tester_on_the_demo(qtbot, model_testers, demo_ctx):
    page = OrganisationsPage(demo_ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.show()
    busiest = max(page.model.rows, key=lambda r: r.open_tasks)
    with qtbot.waitSignal(page.editor.detail_loaded, timeout=TIMEOUT):
        page.show_organisation(busiest.id)
    editor = page.editor
    assert editor.tasks_model.rowCount() > 0 and editor.cases_model.rowCount() > 0
    assert editor.capabilities_model.rowCount() > 0 and editor.areas_model.rowCount() > 0
    assert editor.members_model.rowCount() == busiest.members > 0
    model_testers(page.model, page.proxy, editor.capabilities_model, editor.areas_model, editor.members_model,
                  editor.cases_model, editor.tasks_model)
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):  # names then counts, under the testers
        page.reload()
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.filter_edit.setText("七尾")
        page.reload()
    # Sorting by open tasks sorts numbers, not text.
    page.view.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    assert page.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole) == busiest.id
