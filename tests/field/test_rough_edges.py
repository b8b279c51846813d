"""The rough edges seen in the field: era dates on the command line (and the ones that never
existed), the welcome screen's municipality code check digit, the window title, the empty
case editor's priority."""

from __future__ import annotations

import json

import pytest

from recovery_desk.cli.main import main
from recovery_desk.io.normalise import DateFormatError, parse_date


@pytest.mark.parametrize(("text", "last"), [("平成31年5月1日", "平成31年4月30日"), ("昭和64年1月8日", "昭和64年1月7日"),
                                          ("大正15年12月25日", "大正15年12月24日")])
def test_era_dates_that_never_existed_are_refused_naming_that_eras_last_day(text, last) -> None:
    """The message names the era given and its last day (it once said 平成's for any era)."""
    from recovery_desk.i18n import tr

    with pytest.raises(DateFormatError) as refused:
        parse_date(text)
    assert f"{text[:2]} ended on {last}" in str(refused.value)
    assert f"{text[:2]}は{last}まで" in tr(refused.value.reason, "ja", **refused.value.params)


def test_last_days_of_eras_are_dates() -> None:
    assert parse_date("平成31年4月30日").isoformat() == "2019-04-30"
    assert parse_date("昭和64年1月7日").isoformat() == "1989-01-07"


def test_stats_from_to_take_era_dates_and_refuse_impossible_ones(demo_path, capsys) -> None:
    code = main(["--workspace", str(demo_path), "stats", "--json", "--from", "令和6年1月1日", "--to", "R6.6.30"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["period"] == {"from": "2024-01-01", "to": "2024-06-30", "as_of": "2024-06-30"}
    code = main(["--workspace", str(demo_path), "stats", "--json", "--from", "昭和64年1月8日"])
    err = capsys.readouterr().err
    assert code == 1 and "昭和64年1月8日" in err and "昭和 ended on 昭和64年1月7日" in err


def test_welcome_checks_the_municipality_code_check_digit(qtbot) -> None:
    from recovery_desk.ui.welcome import WelcomePage

    welcome = WelcomePage("en")
    qtbot.addWidget(welcome)
    welcome.show()
    welcome.incident.setText("Noto")
    welcome.municipality_code.setText("172023")  # wrong check digit
    welcome._create()
    assert welcome.error.isVisible() and "172023" in welcome.error.text()
    with qtbot.waitSignal(welcome.create_requested, timeout=1000) as created:
        welcome.municipality_code.setText("17202")  # the 5-digit form gets its check digit
        welcome._create()
    assert created.args[0]["municipality_code"] == "172022" == welcome.municipality_code.text()


def _type(qtbot, field, text: str) -> None:
    """Text as an input method commits it (QTest types ASCII only), then Enter
    (to the completer's list when it shows, which has the keyboard then)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    field.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(field, event)
    popup = field.completer().popup() if field.completer() is not None else None
    qtbot.keyClick(popup if popup is not None and popup.isVisible() else field, Qt.Key.Key_Return)  # the keyboard


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_welcome_fills_the_code_from_the_name_and_the_name_from_the_code(qtbot, lang) -> None:
    """As a user types: 七尾市 fills 172022; a name two municipalities share (府中市) lists
    both with their codes and fills nothing; a code alone (5 digits too) fills the name."""
    from recovery_desk.ui.welcome import WelcomePage

    welcome = WelcomePage(lang)
    qtbot.addWidget(welcome)
    welcome.show()
    qtbot.waitExposed(welcome)
    _type(qtbot, welcome.municipality, "七尾市")
    assert welcome.municipality_code.text() == "172022"
    welcome.municipality.clear()
    welcome.municipality_code.clear()
    _type(qtbot, welcome.municipality, "府中市")
    assert welcome.municipality_code.text() == ""
    hint = welcome.municipality_hint.text()
    assert welcome.municipality_hint.isVisibleTo(welcome) and "東京都府中市 (132063)" in hint and "広島県府中市 (342084)" in hint
    assert ("Several municipalities" if lang == "en" else "複数あります") in hint
    welcome.municipality.clear()
    welcome.municipality_code.clear()
    _type(qtbot, welcome.municipality_code, "34208")  # five digits: completed, and named
    assert (welcome.municipality_code.text(), welcome.municipality.text()) == ("342084", "府中市")
    assert not welcome.municipality_hint.isVisibleTo(welcome)


def test_the_window_title_names_the_app_once(qtbot, main_window) -> None:
    from PySide6.QtWidgets import QApplication

    title = main_window.windowTitle()
    assert "Recovery Desk" not in title and title.endswith(".rdesk")
    assert QApplication.applicationDisplayName() not in title


def test_an_empty_case_editor_shows_normal_priority(qtbot, ctx) -> None:
    from recovery_desk.ui.pages.case_editor import CaseEditor

    editor = CaseEditor(ctx)
    qtbot.addWidget(editor)
    assert editor.priority.currentData() == "normal"


def test_new_card_on_a_board_scoped_to_one_case_prefills_it(qtbot, ctx) -> None:
    from sqlalchemy import select

    from recovery_desk.storage.models import Case
    from recovery_desk.ui.board.page import BoardPage

    with ctx.workspace.session() as s:
        reference = s.scalar(select(Case.reference).order_by(Case.sequence))
    page = BoardPage(ctx)
    qtbot.addWidget(page)
    page.set_scope(query=f"case:{reference}")
    dialog = page.new_card()
    assert dialog.case_ref.text() == reference
    dialog.close()
    page.set_scope(query="", case_id=None)
    page.view.current = None
    dialog = page.new_card()
    assert dialog.case_ref.text() == ""
    dialog.close()


def test_file_dialogs_start_in_the_last_folder_or_documents_never_the_current_one(qtbot, tmp_path,
                                                                                  monkeypatch) -> None:
    from pathlib import Path

    from recovery_desk.ui import file_dialogs, options

    monkeypatch.chdir(tmp_path)
    assert file_dialogs.start_folder() != Path.cwd()
    file_dialogs._remember(str(tmp_path / "sub" / "x.csv"))  # a folder that does not exist is not used
    assert file_dialogs.start_folder() != tmp_path / "sub"
    file_dialogs._remember(str(tmp_path / "x.csv"))
    assert options.LAST_FOLDER.get() == str(tmp_path) and file_dialogs.start_folder() == tmp_path
    assert file_dialogs._start("report.pdf") == str(tmp_path / "report.pdf")
    assert file_dialogs._start("/elsewhere/report.pdf") == "/elsewhere/report.pdf"
