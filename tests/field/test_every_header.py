"""No column title is cut anywhere: every table and tree of every page of the main window, in
English and Japanese, on the demo as loaded (the cases page's fixed default widths cut "Lead
organisation" under Xvfb's fonts, and "Priority", "Unmet needs", "Sectors" offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView, QTreeView

from tests.ui.conftest import wait_idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def cut_titles(root) -> list[str]:
    """'page: view: title (width < needed)' for each visible column whose title does not fit."""
    from recovery_desk.ui.headers import PADDING, header_of, title_width

    found = []
    for view in root.findChildren(QAbstractItemView):
        if not isinstance(view, QTableView | QTreeView) or not view.isVisibleTo(root) or view.model() is None:
            continue
        header = header_of(view)
        if header.isHidden():
            continue
        for column in range(view.model().columnCount()):
            if header.isSectionHidden(column):
                continue
            needed = title_width(view, column) - PADDING  # the title itself, its margins and sort arrow
            if header.sectionSize(column) < needed:
                title = view.model().headerData(column, Qt.Orientation.Horizontal)
                found.append(f"{root.objectName() or type(root).__name__}: {view.objectName() or type(view).__name__}: "
                             f"{title!r} ({header.sectionSize(column)} < {needed})")
    return found


@pytest.mark.parametrize("context", ["ctx", "ctx_ja"])
def test_no_column_title_is_cut_on_any_page(qtbot, request, context) -> None:
    from recovery_desk.ui.main_window import PAGES, MainWindow
    from tests.ui.conftest import _delete

    ctx = request.getfixturevalue(context)
    window = MainWindow(ctx)
    window.backup_on_open = False
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    cut: list[str] = []
    try:
        for key, _label, _factory in PAGES:
            page = window.show_page(key)
            wait_idle(qtbot, ctx)
            qtbot.wait(0)  # queued first paints
            wait_idle(qtbot, ctx)
            cut += cut_titles(page)
    finally:
        wait_idle(qtbot, ctx)
        _delete(window)
    assert not cut, "\n".join(cut)


@pytest.mark.parametrize("context", ["ctx", "ctx_ja"])
def test_the_case_tasks_tab_shows_every_column_in_the_editors_width(qtbot, request, context) -> None:
    """The case editor's Tasks table fits its width (as beside the cases list): the title
    column gives way (elided), Due is never beyond the edge (it was cut there)."""
    from sqlalchemy import func, select

    from recovery_desk.storage.models import Task
    from recovery_desk.ui.headers import title_width
    from recovery_desk.ui.pages.case_editor import CaseEditor

    ctx = request.getfixturevalue(context)
    with ctx.workspace.session() as s:
        case_id = s.scalar(select(Task.case_id).where(Task.deleted_at.is_(None), Task.archived_at.is_(None))
                           .group_by(Task.case_id).order_by(func.count().desc(), Task.case_id))
    editor = CaseEditor(ctx)
    qtbot.addWidget(editor)
    editor.resize(600, 740)
    editor.show()
    editor.load(case_id)
    editor.tabs.setCurrentWidget(editor.tasks_tab)
    view = editor.tasks_tab.view
    qtbot.waitUntil(lambda: view.model().rowCount() > 0, timeout=10_000)
    wait_idle(qtbot, ctx)
    header = view.horizontalHeader()
    columns = view.model().columnCount()
    assert header.sectionPosition(columns - 1) + header.sectionSize(columns - 1) <= view.viewport().width()
    for column in range(columns):
        assert header.sectionSize(column) >= title_width(view, column) - 14, column
