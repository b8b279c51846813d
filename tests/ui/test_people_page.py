"""The People page as a person uses it: a person in two organisations, titles, undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from recovery_desk.services.organisations import create_organisation
from recovery_desk.services.people import add_membership, create_person
from recovery_desk.storage.models import Membership, Person
from recovery_desk.ui.pages.people_page import PeoplePage, parse_skills
from tests.ui.acting import TIMEOUT, settle, type_text

# The offscreen platform cannot raise windows, grab the keyboard (completer popups) or
# propagate size hints; it says so as a warning. Harmless here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support ")


@pytest.fixture
def orgs(workspace) -> dict[str, str]:
    return {name: create_organisation(workspace, name=name).primary_id
            for name in ("七尾市社会福祉協議会", "七尾ボランティアの会", "能登建設")}


@pytest.fixture
def page(qtbot, app_ctx, orgs) -> PeoplePage:
    page = PeoplePage(app_ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.show()
    qtbot.waitUntil(lambda: page.editor.org_combo.count() == 3, timeout=TIMEOUT)
    return page


def memberships(ws, person_id: str) -> dict[str, str]:
    with ws.session() as s:
        rows = s.scalars(select(Membership).where(Membership.person_id == person_id,
                                                  Membership.deleted_at.is_(None))).all()
        return {m.organisation_id: m.title for m in rows}


def test_skills_split_on_commas_and_japanese_commas():
    assert parse_skills("看護師、傾聴, 重機操作 ,,") == ["看護師", "傾聴", "重機操作"]


def test_add_a_person_in_two_organisations_then_undo_and_redo(qtbot, app_ctx, page, workspace, orgs):
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    type_text(qtbot, editor.name, "山田 花子")
    type_text(qtbot, editor.kana, "やまだ はなこ")
    type_text(qtbot, editor.skills, "看護師、傾聴")
    for org_name, title in (("七尾市社会福祉協議会", "理事"), ("七尾ボランティアの会", "")):
        type_text(qtbot, editor.org_combo.lineEdit(), org_name)
        type_text(qtbot, editor.title, title)
        qtbot.mouseClick(editor.add_membership_button, Qt.MouseButton.LeftButton)
    assert [m.organisation for m in editor.memberships_model.rows] == ["七尾市社会福祉協議会", "七尾ボランティアの会"]
    with workspace.session() as s:
        assert s.scalars(select(Person)).all() == []  # nothing saved before Save
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, app_ctx, page)

    (row,) = page.model.rows
    assert row.name == "山田 花子" and row.organisation_count == 2 and row.skills == ("看護師", "傾聴")
    assert memberships(workspace, row.id) == {orgs["七尾市社会福祉協議会"]: "理事", orgs["七尾ボランティアの会"]: ""}
    assert page.proxy.index(0, 2).data() == "2"
    assert app_ctx.undo_stack.count() == 1

    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.undo()
    settle(qtbot, app_ctx, page)
    assert page.model.rowCount() == 0
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.redo()
    settle(qtbot, app_ctx, page)
    assert [(r.id, r.organisation_count) for r in page.model.rows] == [(row.id, 2)]


def test_memberships_of_a_saved_person_add_retitle_remove_and_undo(qtbot, app_ctx, page, workspace, orgs):
    pid = create_person(workspace, name="佐藤 誠", organisation_ids=[orgs["能登建設"]]).primary_id
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.reload()
    editor = page.editor
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        rect = page.view.visualRect(page.proxy.index(0, 0))
        qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.person_id == pid

    # Add a second organisation: the person now crosses a border.
    type_text(qtbot, editor.org_combo.lineEdit(), "七尾ボランティアの会")
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        qtbot.keyClick(editor.title, Qt.Key.Key_Return)
    settle(qtbot, app_ctx, page)
    assert set(memberships(workspace, pid)) == {orgs["能登建設"], orgs["七尾ボランティアの会"]}
    assert page.model.rows[0].organisation_count == 2

    # Retitle in the table (the title cell is editable).
    model = editor.memberships_model
    row = next(i for i, m in enumerate(model.rows) if m.organisation == "能登建設")
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        assert model.setData(model.index(row, 1), "現場責任者")
    settle(qtbot, app_ctx, page)
    assert memberships(workspace, pid)[orgs["能登建設"]] == "現場責任者"
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.undo()
    settle(qtbot, app_ctx, page)
    assert memberships(workspace, pid)[orgs["能登建設"]] == ""

    # Remove one; undo brings it back (restore, audited).
    row = next(i for i, m in enumerate(model.rows) if m.organisation == "能登建設")
    editor.memberships_view.setCurrentIndex(model.index(row, 0))
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(editor.remove_membership_button, Qt.MouseButton.LeftButton)
    settle(qtbot, app_ctx, page)
    assert set(memberships(workspace, pid)) == {orgs["七尾ボランティアの会"]}
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.undo()
    settle(qtbot, app_ctx, page)
    assert set(memberships(workspace, pid)) == {orgs["能登建設"], orgs["七尾ボランティアの会"]}


def test_edit_fields_validation_and_undo(qtbot, app_ctx, page, workspace, orgs):
    pid = create_person(workspace, name="伊藤 恵子", skills=["調理"]).primary_id
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.reload()
    editor = page.editor
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        page.show_person(pid)
    editor.name.selectAll()
    qtbot.keyClick(editor.name, Qt.Key.Key_Delete)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "name is required" in editor.errors.message_for("name")
    assert editor.org_combo.count() == 3 and app_ctx.undo_stack.count() == 0

    type_text(qtbot, editor.name, "伊藤 恵子")
    editor.skills.selectAll()
    type_text(qtbot, editor.skills, "調理、事務")
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        qtbot.keyClick(editor.skills, Qt.Key.Key_Return)
    settle(qtbot, app_ctx, page)
    with workspace.session() as s:
        assert s.get(Person, pid).skills == ["調理", "事務"]
    with qtbot.waitSignal(editor.detail_loaded, timeout=TIMEOUT):
        app_ctx.undo_stack.undo()
    settle(qtbot, app_ctx, page)
    with workspace.session() as s:
        assert s.get(Person, pid).skills == ["調理"]
    assert editor.skills.text() == "調理"


def test_only_people_in_several_organisations(qtbot, app_ctx, page, workspace, orgs):
    a = create_person(workspace, name="A", organisation_ids=[orgs["能登建設"]]).primary_id
    create_person(workspace, name="B", organisation_ids=list(orgs.values())[:2])
    add_membership(workspace, a, orgs["七尾市社会福祉協議会"], "")
    create_person(workspace, name="C")
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.reload()
    assert page.proxy.rowCount() == 3
    qtbot.mouseClick(page.bridges, Qt.MouseButton.LeftButton)
    assert sorted(page.proxy.index(i, 0).data() for i in range(page.proxy.rowCount())) == ["A", "B"]
    type_text(qtbot, page.filter_edit, "能登建設")
    assert [page.proxy.index(i, 0).data() for i in range(page.proxy.rowCount())] == ["A"]


def test_models_pass_the_model_tester_on_the_demo(qtbot, model_testers, demo_ctx):
    page = PeoplePage(demo_ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.show()
    crossing = max(page.model.rows, key=lambda r: r.organisation_count)
    assert crossing.organisation_count >= 2
    with qtbot.waitSignal(page.editor.detail_loaded, timeout=TIMEOUT):
        page.show_person(crossing.id)
    assert page.editor.memberships_model.rowCount() == crossing.organisation_count
    model_testers(page.model, page.proxy, page.editor.memberships_model)


def test_names_sort_by_their_reading(qtbot, app_ctx, page, workspace):
    for name, kana in (("渡辺 一郎", "わたなべ いちろう"), ("青木 花子", "あおき はなこ"), ("森 誠", "もり まこと")):
        create_person(workspace, name=name, kana=kana)
    with qtbot.waitSignal(page.rows_loaded, timeout=TIMEOUT):
        page.reload()
    page.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [page.proxy.index(i, 0).data() for i in range(3)] == ["青木 花子", "森 誠", "渡辺 一郎"]
