"""A volunteer of an NPO opens the app, signs in, sees their tasks first on My work, moves
one to done; the audit trail, the card's history and the report name them; `task list
--mine --json` lists the same tasks. Switching user from the File menu."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from sqlalchemy import select

from recovery_desk.cli.main import main
from recovery_desk.services import identity
from recovery_desk.storage.models import Activity, Task
from tests.field.helpers import coordinator, npo_volunteer
from tests.ui.conftest import wait_idle


def _sign_in_dialog(qtbot, window):
    qtbot.waitUntil(lambda: getattr(window, "sign_in_dialog", None) is not None
                    and window.sign_in_dialog.isVisible(), timeout=10_000)
    return window.sign_in_dialog


def test_a_volunteer_signs_in_sees_their_tasks_first_and_moves_one_to_done(qtbot, app_window, demo_copy,
                                                                            capsys, tmp_path) -> None:
    from recovery_desk.ui import options

    options.SHOW_TODAY.set(False)
    ctx, window = app_window
    window.open_workspace(demo_copy)
    dialog = _sign_in_dialog(qtbot, window)  # asked with the workspace already open
    assert ctx.workspace is not None
    with ctx.workspace.session() as s:
        person_id, name = npo_volunteer(s)
    dialog.select_person(person_id)
    assert dialog.acting.count() >= 1  # the person's organisations, all ticked
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctx.me is not None and window.current_key() == "my_work", timeout=10_000)
    page = window.pages["my_work"]
    qtbot.waitUntil(lambda: page.work is not None and page.work.identity is not None, timeout=10_000)
    assert name in page.who.text() and name in window.user_label.text()
    rows = page.task_model.rows
    assert rows and rows[0].group in ("overdue", "due_soon", "stale", "other")
    assert [r.group for r in rows] == sorted((r.group for r in rows),
                                             key=["overdue", "due_soon", "stale", "other"].index)
    mine = next(r for r in rows if r.mine)

    # move it to done from My work (the task's blockers permitting: pick one without)
    from recovery_desk.services.tasks import open_blockers

    with ctx.workspace.session() as s:
        mine = next(r for r in rows if r.mine and not open_blockers(s, r.id))
    page.select_task(mine.id)
    page.move_selected("done")
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.task_model.row_of(mine.id) == -1, timeout=10_000)  # done: off the list
    with ctx.workspace.session() as s:
        assert s.get(Task, mine.id).status == "done"
        actor, actor_id = s.execute(select(Activity.actor, Activity.actor_id).where(
            Activity.entity_id == mine.id, Activity.field == "status").order_by(Activity.id.desc())).first()
    assert actor_id == person_id and name in actor
    # the card's history names the person
    editor = page.open_task(mine.id, "history")
    qtbot.waitUntil(lambda: editor.history.topLevelItemCount() > 0, timeout=10_000)
    assert any(editor.history.topLevelItem(i).text(1) == actor for i in range(editor.history.topLevelItemCount()))
    editor.close()
    # the case report says who generated it
    from recovery_desk.reports.case import build_case_report
    from tests.reports.helpers import pdf_text

    out = tmp_path / "case.pdf"
    build_case_report(ctx.workspace, mine.case_ref, out, lang="en")
    assert name in pdf_text(out)
    # the shell lists the same tasks
    shown = [r.id for r in page.task_model.rows]
    code, text, err = main(["--workspace", str(demo_copy), "task", "list", "--mine", "--json"]), *capsys.readouterr()
    assert code == 0, err
    assert [t["id"] for t in json.loads(text)["tasks"]] == shown
    # undo brings it back
    ctx.undo_stack.undo()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.task_model.row_of(mine.id) >= 0, timeout=10_000)


def test_switch_user_from_the_file_menu_and_a_coordinator_keeps_the_last_page(qtbot, app_window,
                                                                               demo_copy) -> None:
    from recovery_desk.ui import options

    options.SHOW_TODAY.set(True)
    options.LAST_PAGE.set("cases")
    ctx, window = app_window
    window.open_workspace(demo_copy)
    dialog = _sign_in_dialog(qtbot, window)
    with ctx.workspace.session() as s:
        person_id, name = coordinator(s)
    dialog.select_person(person_id)
    dialog.accept()
    qtbot.waitUntil(lambda: ctx.me is not None, timeout=10_000)
    assert ctx.me.coordinator and window.current_key() == "cases"
    qtbot.waitUntil(lambda: getattr(window, "_today_box", None) is not None, timeout=10_000)
    assert "overdue" in window._today_box.text()
    window._today_box.checkBox().setChecked(False)  # turned off
    window._today_box.close()
    assert options.SHOW_TODAY.get() is False
    # File > Switch user: add myself
    window.sign_in_dialog = None
    window.switch_user_action.trigger()
    dialog = _sign_in_dialog(qtbot, window)
    assert dialog.people.currentItem().data(Qt.ItemDataRole.UserRole) == person_id  # the current one chosen
    dialog.new.setChecked(True)
    dialog.new_name.setText("能登 新人")
    first_org = dialog.new_orgs.item(0)
    first_org.setCheckState(Qt.CheckState.Checked)
    dialog.accept()
    qtbot.waitUntil(lambda: ctx.me is not None and ctx.me.name == "能登 新人", timeout=10_000)
    assert ctx.me.organisation_names == (first_org.text(),)
    # saved for this file: the next opening signs in without asking
    with ctx.workspace.session() as s:
        again = identity.saved_identity(s, ctx.workspace.path)
    assert again == ctx.me


def test_sign_in_dialog_refuses_an_empty_name(qtbot, ctx) -> None:
    from recovery_desk.ui.sign_in import SignInDialog, load_choices

    with ctx.workspace.session() as s:
        choices = load_choices(s)
    dialog = SignInDialog(choices, "en")
    qtbot.addWidget(dialog)
    dialog.new.setChecked(True)
    dialog.accept()
    assert dialog.result() == 0 and not dialog.error.isHidden()
    dialog.search.setText("zzzz-nobody")
    dialog.existing.setChecked(True)
    dialog.accept()
    assert not dialog.error.isHidden()
