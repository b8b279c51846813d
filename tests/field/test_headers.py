"""Column titles are never cut: the import preview's two-line titles (column → field) and the
case editor's Needs and Organisations titles, in English and Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from recovery_desk.storage.models import Case, Need, Participation
from tests.ui.conftest import wait_idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HOUSEHOLDS = ("氏名,住所,電話番号,世帯人数,地区,被害程度,受付日,要配慮者区分,メモ\n"
              "山田 太郎,七尾市御祓町1-2,0767-53-1111,3,御祓,全壊,令和6年1月14日,高齢者単身,屋根\n")


def assert_titles_fit(view) -> None:
    from recovery_desk.ui.headers import header_of, title_width

    header = header_of(view)
    count = view.model().columnCount()
    assert count
    for column in range(count):
        title = view.model().headerData(column, Qt.Orientation.Horizontal)
        assert header.sectionSize(column) >= title_width(view, column), f"column {column} ({title!r}) is cut"


@pytest.mark.parametrize("context", ["ctx", "ctx_ja"])
def test_the_import_preview_shows_whole_column_titles(qtbot, request, context, tmp_path: Path) -> None:
    from recovery_desk.ui.dialogs.import_dialog import ImportDialog

    ctx = request.getfixturevalue(context)
    src = tmp_path / "households.csv"
    src.write_text(HOUSEHOLDS, encoding="utf-8")
    dialog = ImportDialog(ctx, path=src)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview_model.columnCount() == 9, timeout=10_000)
    wait_idle(qtbot, ctx)
    assert "→" in dialog.preview_model.headerData(0, Qt.Orientation.Horizontal)  # the title names the field it goes to
    assert_titles_fit(dialog.preview_view)


@pytest.mark.parametrize("context", ["ctx", "ctx_ja"])
def test_the_case_editor_needs_and_organisations_titles_are_whole(qtbot, request, context) -> None:
    from recovery_desk.ui.pages.case_editor import CaseEditor

    ctx = request.getfixturevalue(context)
    with ctx.workspace.session() as s:
        case_id = s.scalar(select(Case.id).join(Need, Need.case_id == Case.id)
                           .join(Participation, Participation.case_id == Case.id).order_by(Case.sequence))
    editor = CaseEditor(ctx)
    qtbot.addWidget(editor)
    editor.resize(600, 700)
    editor.show()
    for view in (editor.needs, editor.orgs):  # empty: the titles alone
        assert_titles_fit(view)
    editor.load(case_id)
    qtbot.waitUntil(lambda: editor.detail is not None and editor.needs.topLevelItemCount() > 0, timeout=10_000)
    wait_idle(qtbot, ctx)
    for index, view in ((1, editor.needs), (2, editor.orgs)):
        editor.tabs.setCurrentIndex(index)
        assert_titles_fit(view)
