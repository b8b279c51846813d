"""The sidebar and the toolbar: every page and action has an icon of the one shipped set
(found through recovery_desk.resources, licence beside it), the sidebar is as wide as its
labels, and My work's count of overdue tasks shows beside its name and follows changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar, QToolButton

from recovery_desk.resources import resource_path
from recovery_desk.services import identity
from recovery_desk.services.my_work import overdue_count
from tests.field.helpers import npo_volunteer
from tests.ui.conftest import wait_idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_every_icon_is_shipped_with_its_licence_and_renders(qapp) -> None:
    from recovery_desk.ui.icons import ACTION_ICONS, PAGE_ICONS, icon, missing_icons
    from recovery_desk.ui.main_window import PAGES

    assert {k for k, _l, _f in PAGES} == set(PAGE_ICONS)  # a new page needs an icon
    assert missing_icons() == []
    for name in {*PAGE_ICONS.values(), *ACTION_ICONS.values()}:
        assert not icon(name).pixmap(18, 18).isNull(), name
    licence = resource_path("icons", "ui", "COPYING.txt").read_text(encoding="utf-8")
    assert "CC-BY-SA-3.0 or LGPL-3" in licence and "GNOME Project" in licence
    assert resource_path("icons", "ui", "LGPL-3.txt").stat().st_size > 5000


def test_pages_and_toolbar_actions_show_icons_and_the_sidebar_fits_its_labels(qtbot, main_window) -> None:
    sidebar = main_window.sidebar
    for row in range(sidebar.count()):
        assert not sidebar.item(row).icon().isNull(), sidebar.item(row).text()
    assert sidebar.iconSize().width() >= 16
    widest = max(sidebar.visualItemRect(sidebar.item(r)).width() for r in range(sidebar.count()))
    needed = sidebar.sizeHintForColumn(0)
    assert needed <= sidebar.width() <= needed + 2 * sidebar.frameWidth() + 16  # as wide as its labels
    assert widest <= sidebar.width()
    toolbar = main_window.findChild(QToolBar, "main_toolbar")
    assert toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    for action in toolbar.actions():
        assert not action.icon().isNull(), action.text()
        assert isinstance(toolbar.widgetForAction(action), QToolButton)


def test_my_work_shows_how_many_tasks_are_overdue_and_follows_changes(qtbot, main_window, ctx) -> None:
    from recovery_desk.services.tasks import move_task

    with ctx.workspace.session() as s:
        person_id, _name = npo_volunteer(s)
        me = identity.identity_of(s, person_id)
        identity.sign_in(ctx.workspace, me)
        overdue = overdue_count(s, me)
    assert overdue > 1
    main_window._signed_in()
    item = main_window.sidebar_item("my_work")
    qtbot.waitUntil(lambda: item.text().endswith(f"({overdue})"), timeout=10_000)
    width_before = main_window.sidebar.width()
    from recovery_desk.services.my_work import my_tasks

    with ctx.workspace.session() as s:
        task = next(t for t in my_tasks(s, me) if t.group == "overdue")
    ctx.change(lambda ws: move_task(ws, task.id, "done"))
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: item.text().endswith(f"({overdue - 1})"), timeout=10_000)
    assert main_window.sidebar.width() >= width_before - 10
    assert main_window.sidebar.sizeHintForColumn(0) <= main_window.sidebar.width()


def test_the_package_takes_every_icon_and_its_licence() -> None:
    """The PyInstaller spec's data files (its ``datas`` list, read as the spec computes it)
    include each page and action icon and the licence, where recovery_desk.resources looks."""
    import ast

    from recovery_desk.ui.icons import ACTION_ICONS, PAGE_ICONS

    spec = Path(__file__).resolve().parents[2] / "packaging" / "recovery-desk.spec"
    tree = ast.parse(spec.read_text(encoding="utf-8"))
    wanted = {"ROOT", "RES", "MIGRATIONS", "datas"}
    body = [node for node in tree.body if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id in wanted for t in node.targets)]
    namespace = {"SPECPATH": str(spec.parent), "Path": Path}
    exec(compile(ast.Module(body=body, type_ignores=[]), str(spec), "exec"), namespace)  # noqa: S102
    shipped = {(Path(src).name, dest) for src, dest in namespace["datas"]}
    for name in {*PAGE_ICONS.values(), *ACTION_ICONS.values()}:
        assert (f"{name}.svg", "resources/icons/ui") in shipped, name
    assert ("COPYING.txt", "resources/icons/ui") in shipped and ("LGPL-3.txt", "resources/icons/ui") in shipped
    # the municipality list the welcome screen fills codes from, and where it comes from (CC0)
    assert ("municipalities.csv", "resources/areas") in shipped and ("SOURCE.txt", "resources/areas") in shipped
