"""The Cases view used as a person would: filter, open a case, edit it, change its stage
(closing asks why), undo and redo — with clicks and keys through qtbot."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QPushButton
from sqlalchemy import func, select

from recovery_desk.services.case_list import case_ids
from recovery_desk.services.search import case_conditions
from recovery_desk.storage.models import Case, Conference, Decision, Need, Task
from tests.ui.conftest import wait_idle

# The offscreen platform says so whenever a top-level window is shown.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _cases_page(qtbot, main_window):
    page = main_window.show_page("cases")
    wait_idle(qtbot, main_window.ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    return page


def _db(ctx, fn):
    with ctx.workspace.session() as s:
        return fn(s)


def test_case_model_passes_modeltester(qtbot, qtmodeltester, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    qtmodeltester.check(page.model)
    total = _db(main_window.ctx, lambda s: s.scalar(select(func.count()).select_from(Case).where(
        Case.deleted_at.is_(None))))
    assert page.model.rowCount() == total
    assert page.count.text() == f"{total} cases"


def test_a_new_cases_page_asks_for_its_ids_once(qtbot, ctx) -> None:
    """Building the page (sort indicator, sorting on, saved header) must not start a load per
    step: on 60,000 cases each extra load queued a full id list before the first screen
    (the cases view's first rows took 0.8 s on a server, 1 s on a file under load)."""
    from sqlalchemy import event

    from recovery_desk.ui.pages.cases_page import CasesPage

    id_queries: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().startswith('SELECT "case".id \nFROM "case"'):
            id_queries.append(statement)

    event.listen(ctx.workspace.engine, "before_cursor_execute", seen)
    try:
        page = CasesPage(ctx)
        qtbot.waitUntil(lambda: page.model.complete)
        wait_idle(qtbot, ctx)
    finally:
        event.remove(ctx.workspace.engine, "before_cursor_execute", seen)
    assert len(id_queries) == 2, id_queries  # the first screen (LIMIT), then the whole list
    assert page.model.ids == _db(ctx, lambda s: case_ids(s))
    page.deleteLater()


def test_rows_arrive_lazily_and_sort_in_sql(qtbot, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    ctx = main_window.ctx
    model = page.model
    last = model.index(model.rowCount() - 1, 0)
    assert model.ids[-1] not in model.rows  # beyond the first block: not fetched yet
    model.data(last)  # asking for it schedules its block
    wait_idle(qtbot, ctx)
    assert model.data(last) == _db(ctx, lambda s: s.get(Case, model.ids[-1]).reference)
    # click the "Stage" header: sorted by stage order, in SQL
    header = page.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(2) + 5, header.height() // 2))
    wait_idle(qtbot, ctx)
    assert model.sort_column == 2
    expected = _db(ctx, lambda s: case_ids(s, "", "stage", model.descending))
    assert model.ids == expected


def test_filter_with_the_query_bar(qtbot, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    ctx = main_window.ctx
    qtbot.keyClick(main_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.query.hasFocus()
    qtbot.keyClicks(page.query, "stage:planning priority:urgent,high")
    qtbot.keyClick(page.query, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    expected = _db(ctx, lambda s: set(s.scalars(select(Case.id).where(
        *case_conditions("stage:planning priority:urgent,high")))))
    assert expected and set(page.model.ids) == expected
    for row in range(page.model.rowCount()):
        page.model.data(page.model.index(row, 2))
    wait_idle(qtbot, ctx)
    assert {page.model.index(r, 2).data() for r in range(page.model.rowCount())} == {"Planning"}

    # a mistake is named at the query bar and the list stays as it was
    page.query.selectAll()
    qtbot.keyClicks(page.query, "stage:planing")
    qtbot.keyClick(page.query, Qt.Key.Key_Return)
    assert page.error.isVisible() and "planing" in page.error.text()
    assert set(page.model.ids) == expected
    page.query.clear()
    qtbot.keyClick(page.query, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert not page.error.isVisible()
    assert len(page.model.ids) == _db(ctx, lambda s: s.scalar(select(func.count()).select_from(Case).where(
        Case.deleted_at.is_(None))))


def test_saved_filters_survive_a_new_window(qtbot, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    page.query.setText("overdue")
    page.save_filter("Overdue work")
    page.query.clear()
    names = [a.text() for a in page.saved_menu.actions()]
    assert "Overdue work" in names
    action = next(a for a in page.saved_menu.actions() if a.text() == "Overdue work")
    action.trigger()
    wait_idle(qtbot, main_window.ctx)
    assert page.query.text() == "overdue"
    assert page.model.query_text == "overdue"


def _open_first_case(qtbot, page, ctx) -> str:
    rect = page.table.visualRect(page.model.index(0, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_idle(qtbot, ctx)
    case_id = page.model.ids[0]
    qtbot.waitUntil(lambda: page.editor.detail is not None and page.editor.detail.case.id == case_id)
    return case_id


def _answer_dialog(qtbot, choose) -> None:
    """Act on the next modal dialog once it is shown (it blocks in exec())."""
    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, act)
            return
        choose(dialog)
    QTimer.singleShot(0, act)


def test_open_a_case_close_it_with_a_reason_then_undo_and_redo(qtbot, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    ctx = main_window.ctx
    page.use_filter("-stage:closed")
    wait_idle(qtbot, ctx)
    case_id = _open_first_case(qtbot, page, ctx)
    editor = page.editor
    before = _db(ctx, lambda s: s.get(Case, case_id).stage)
    assert editor.title.text() == f"Case {_db(ctx, lambda s: s.get(Case, case_id).reference)}"

    # choosing "Closed" and pressing "Move to stage" asks why; Cancel changes nothing
    editor.stage.setCurrentIndex(editor.stage.findData("closed"))
    _answer_dialog(qtbot, lambda d: d.reject())
    qtbot.mouseClick(editor.stage_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert _db(ctx, lambda s: s.get(Case, case_id).stage) == before
    assert editor.stage.currentData() == before

    def close_as_moved(dialog: QDialog) -> None:
        assert dialog.objectName() == "closure_dialog"
        dialog.reason.setCurrentIndex(dialog.reason.findData("moved"))
        ok = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Close case")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    editor.stage.setCurrentIndex(editor.stage.findData("closed"))
    _answer_dialog(qtbot, close_as_moved)
    qtbot.mouseClick(editor.stage_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    case = _db(ctx, lambda s: s.get(Case, case_id))
    assert (case.stage, case.closure_reason) == ("closed", "moved")
    assert main_window.undo_action.isEnabled()
    # the case left the "-stage:closed" list
    assert case_id not in page.model.ids

    main_window.activateWindow()  # the closed dialog handed activation back to the window
    qtbot.waitUntil(main_window.isActiveWindow)
    qtbot.keyClick(main_window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    case = _db(ctx, lambda s: s.get(Case, case_id))
    assert (case.stage, case.closure_reason, case.closed_on) == (before, None, None)
    assert case_id in page.model.ids

    qtbot.keyClick(main_window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_idle(qtbot, ctx)
    assert _db(ctx, lambda s: s.get(Case, case_id).stage) == "closed"


def test_bad_input_is_shown_at_the_field_and_nothing_is_saved(qtbot, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    ctx = main_window.ctx
    case_id = _open_first_case(qtbot, page, ctx)
    editor = page.editor
    old = _db(ctx, lambda s: (s.get(Case, case_id).household_size, s.get(Case, case_id).contact_name))

    editor.contact_name.setText("新しい 名前")  # QTest cannot type kanji (no input method offscreen)
    editor.household_size.clear()
    qtbot.keyClicks(editor.household_size, "three")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    message = editor.errors.message_for("household_size")
    assert "three" in message and "whole number" in message
    assert _db(ctx, lambda s: (s.get(Case, case_id).household_size, s.get(Case, case_id).contact_name)) == old
    assert not main_window.undo_action.isEnabled()

    editor.household_size.clear()
    qtbot.keyClicks(editor.household_size, "4")
    qtbot.keyClick(editor.household_size, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert editor.errors.message_for("household_size") == ""
    assert _db(ctx, lambda s: (s.get(Case, case_id).household_size, s.get(Case, case_id).contact_name)) == \
        (4, "新しい 名前")
    # one save = one undo step, restoring both fields
    assert ctx.undo_stack.count() == 1
    main_window.undo_action.trigger()
    wait_idle(qtbot, ctx)
    assert _db(ctx, lambda s: (s.get(Case, case_id).household_size, s.get(Case, case_id).contact_name)) == old
    qtbot.waitUntil(lambda: editor.contact_name.text() == old[1])


def test_needs_organisations_and_undo(qtbot, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    ctx = main_window.ctx
    case_id = _open_first_case(qtbot, page, ctx)
    editor = page.editor
    editor.tabs.setCurrentIndex(1)
    live = lambda s: {(n.category, n.state) for n in s.scalars(select(Need).where(  # noqa: E731
        Need.case_id == case_id, Need.deleted_at.is_(None)))}
    before = _db(ctx, live)
    category = next(c for c in ("transport", "information", "legal_property", "food")
                    if c not in {n for n, _s in before})
    editor.need_category.setCurrentIndex(editor.need_category.findData(category))
    editor.need_state.setCurrentIndex(editor.need_state.findData("unmet"))
    qtbot.mouseClick(editor.findChild(QPushButton, "set_need"), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert _db(ctx, live) == before | {(category, "unmet")}
    assert editor.needs.topLevelItemCount() == len(before) + 1
    main_window.undo_action.trigger()
    wait_idle(qtbot, ctx)
    assert _db(ctx, live) == before

    editor.tabs.setCurrentIndex(2)
    count = editor.orgs.topLevelItemCount()
    editor.org_pick.setCurrentIndex(editor.org_pick.count() - 1)
    qtbot.mouseClick(editor.findChild(QPushButton, "add_participation"), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert editor.orgs.topLevelItemCount() in (count, count + 1)
    # the timeline shows what just happened, signed by the test user
    assert editor.timeline.topLevelItem(0).text(1) == "Test User (Test Org)"


def test_conference_decision_creates_a_task_and_undo_discards_it(qtbot, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    ctx = main_window.ctx
    case_id = _open_first_case(qtbot, page, ctx)
    editor = page.editor
    editor.tabs.setCurrentIndex(4)
    editor.conf_date.setText("2024-03-01")
    editor.conf_title.setText("第1回ケース会議")
    qtbot.mouseClick(editor.findChild(QPushButton, "add_conference"), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    conf = _db(ctx, lambda s: s.scalar(select(Conference).where(Conference.case_id == case_id,
                                                                Conference.title == "第1回ケース会議")))
    assert conf is not None and conf.held_on == date(2024, 3, 1)
    qtbot.waitUntil(lambda: editor._selected_conference() == conf.id)
    editor.decision_text.setText("屋根の応急修理を依頼する")
    editor.decision_task.setChecked(True)
    editor.task_due.setText("2024-03-15")
    qtbot.mouseClick(editor.findChild(QPushButton, "add_decision"), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    decision = _db(ctx, lambda s: s.scalar(select(Decision).where(Decision.conference_id == conf.id)))
    task = _db(ctx, lambda s: s.get(Task, decision.task_id))
    assert task.title == "屋根の応急修理を依頼する" and task.due_date == date(2024, 3, 15)
    assert task.case_id == case_id
    main_window.undo_action.trigger()
    wait_idle(qtbot, ctx)
    assert _db(ctx, lambda s: s.get(Task, task.id).deleted_at) is not None
    assert _db(ctx, lambda s: s.get(Decision, decision.id).deleted_at) is not None
    main_window.redo_action.trigger()
    wait_idle(qtbot, ctx)
    assert _db(ctx, lambda s: s.get(Task, task.id).deleted_at) is None


def test_new_case_from_the_toolbar_and_undo(qtbot, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    ctx = main_window.ctx
    total = len(page.model.ids)
    qtbot.keyClick(main_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert len(page.model.ids) == total + 1
    new_id = page.editor.case_id
    assert new_id in page.model.ids and page.editor.title.text().startswith("Case ")
    main_window.undo_action.trigger()
    wait_idle(qtbot, ctx)
    assert len(page.model.ids) == total
    assert _db(ctx, lambda s: s.get(Case, new_id).deleted_at) is not None


def test_query_bar_completes_field_names_and_slash_focuses_it(qtbot, main_window) -> None:
    page = _cases_page(qtbot, main_window)
    page.table.setFocus()
    qtbot.keyClick(main_window, Qt.Key.Key_Slash)
    assert page.query.hasFocus()
    qtbot.keyClicks(page.query, "-sta")
    completer = page.completer
    assert completer.completionPrefix() == "sta"
    options = [completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())]
    assert "stage:" in options
    completer.activated[str].emit("stage:")
    assert page.query.text() == "-stage:"
    qtbot.keyClicks(page.query, "closed")
    qtbot.keyClick(page.query, Qt.Key.Key_Return)
    wait_idle(qtbot, main_window.ctx)
    assert page.model.query_text == "-stage:closed"
    assert all(_db(main_window.ctx, lambda s, i=i: s.get(Case, i).stage) != "closed" for i in page.model.ids[:50])
