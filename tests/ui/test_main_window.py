"""The application shell: first run, workspace creation from the welcome screen, identity,
sidebar pages, dashboard figures, Japanese, crash hook and slow-job feedback."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from sqlalchemy import select

from recovery_desk.services.stats import compute_stats
from recovery_desk.storage.models import Area, Incident
from tests.ui.conftest import _delete, wait_idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def bare_window(qtbot, worker):
    """The window as on first run: no workspace open."""
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.main_window import MainWindow

    ctx = AppContext(worker, lang="en")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    wait_idle(qtbot, ctx)
    ctx.set_workspace(None)
    _delete(window)


def test_first_run_creates_a_workspace_from_the_welcome_screen(qtbot, bare_window, tmp_path: Path) -> None:
    window = bare_window
    ctx = window.ctx
    assert window.stack.currentWidget() is window.welcome
    assert not window.sidebar.isEnabled() and not window.backup_action.isEnabled()
    welcome = window.welcome
    target = tmp_path / "noto.rdesk"
    window.ask_save_path = lambda suggested: str(target)

    # a missing incident name is named at the form; nothing is created
    qtbot.mouseClick(welcome.create_button, Qt.MouseButton.LeftButton)
    assert welcome.error.isVisible() and "incident_name" in welcome.error.text()
    assert not target.exists()

    qtbot.keyClicks(welcome.incident, "Noto earthquake 2024")
    welcome.hazard.setCurrentIndex(welcome.hazard.findData("EQ"))
    welcome.start.setDate(welcome.start.date().fromString("2024-01-01", "yyyy-MM-dd"))
    welcome.municipality.setText("七尾市")
    qtbot.keyClicks(welcome.municipality_code, "1720")
    qtbot.mouseClick(welcome.create_button, Qt.MouseButton.LeftButton)
    assert "6 digits" in welcome.error.text()
    qtbot.keyClicks(welcome.municipality_code, "22")
    with qtbot.waitSignal(window.workspace_opened, timeout=10_000):
        qtbot.mouseClick(welcome.create_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert ctx.workspace is not None and ctx.workspace.path == target
    with ctx.workspace.session() as s:
        incident = s.scalar(select(Incident))
        area = s.scalar(select(Area))
    assert (incident.name, incident.hazard, incident.start_date) == ("Noto earthquake 2024", "EQ", date(2024, 1, 1))
    assert (area.municipality, area.municipality_code) == ("七尾市", "172022")
    assert window.sidebar.isEnabled() and window.stack.currentWidget() is not window.welcome
    assert str(target) in window.workspace_label.text()
    assert "Test User (Test Org)" in window.user_label.text()

    # the new, empty workspace can take a first case at once
    page = window.show_page("cases")
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 0
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 1

    # it is remembered: recent files and last workspace
    from recovery_desk.ui import options

    assert options.LAST_WORKSPACE.get() == str(target)
    assert options.RECENT.get()[0] == str(target)


def test_identity_is_asked_once_and_signs_changes(qtbot, bare_window, monkeypatch) -> None:
    from recovery_desk.services.settings import current_actor
    from recovery_desk.ui.welcome import IdentityDialog, needs_identity

    monkeypatch.delenv("RECOVERY_DESK_ACTOR")
    assert needs_identity()
    dialog = IdentityDialog("en", bare_window)
    qtbot.addWidget(dialog)
    dialog.accept()  # empty name refused
    assert dialog.result() == 0 and not dialog.error.isHidden()
    qtbot.keyClicks(dialog.name, "Hanako Yamada")
    qtbot.keyClicks(dialog.organisation, "Nanao SWC")
    dialog.accept()
    assert not needs_identity()
    assert current_actor() == "Hanako Yamada (Nanao SWC)"


def test_every_sidebar_page_opens(qtbot, main_window) -> None:
    from recovery_desk.ui.main_window import PAGES

    for i, (key, _label, _factory) in enumerate(PAGES):
        qtbot.keyClick(main_window, Qt.Key(Qt.Key.Key_1 + i), Qt.KeyboardModifier.ControlModifier)
        wait_idle(qtbot, main_window.ctx)
        assert main_window.current_key() == key
        assert not isinstance(main_window.pages[key], QLabel), f"{key} page did not load"
    assert main_window.sidebar.currentRow() == len(PAGES) - 1


def test_dashboard_shows_the_stats_figures(qtbot, main_window) -> None:
    ctx = main_window.ctx
    page = main_window.show_page("dashboard")
    page.today = date(2024, 6, 30)
    page.refresh()
    wait_idle(qtbot, ctx)
    with ctx.workspace.session() as s:
        stats = compute_stats(s, today=date(2024, 6, 30))
    assert page.figures["cases_open"].value.text() == f"{stats['cases']['open']:,}"
    assert page.figures["overdue"].value.text() == f"{stats['tasks']['overdue']:,}"
    assert page.figures["single_sector"].value.text() == str(stats["cases"]["single_sector_open"])
    unmet = sum(v["unmet"] for v in stats["needs"]["by_category"].values())
    assert page.figures["unmet"].value.text() == f"{unmet:,}"
    assert [r[1] for r in page.by_stage.rows] == list(stats["cases"]["by_stage"].values())
    assert page.by_sector.rows[0][1] == stats["load_by_sector"]["state"]["open_tasks"]
    assert page.by_stage.grab().width() > 0  # paints without error


def test_status_bar_and_window_state_are_remembered(qtbot, main_window) -> None:
    from recovery_desk.ui import options

    assert "demo.rdesk" in main_window.workspace_label.text()
    assert main_window.save_label.text() == "All changes saved"
    main_window.show_page("cases")
    main_window.resize(1111, 777)
    main_window.close()
    assert options.LAST_PAGE.get() == "cases"
    assert not options.GEOMETRY.get().isEmpty()
    assert not options.CASES_HEADER.get().isEmpty()


def test_japanese_window_has_no_untranslated_shell_text(qtbot, ctx_ja) -> None:
    from recovery_desk.ui.main_window import MainWindow

    window = MainWindow(ctx_ja)
    window.show()
    window.show_page("cases")
    wait_idle(qtbot, ctx_ja)
    texts = [a.text() for a in window.menuBar().actions()]
    for menu_action in window.menuBar().actions():
        texts += [a.text() for a in menu_action.menu().actions() if a.text()]
    texts += [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    page = window.pages["cases"]
    texts += [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
    texts += [page.editor.tabs.tabText(i) for i in range(page.editor.tabs.count())]
    english = [t for t in texts if t and t.isascii() and not t.startswith(("Ctrl", "OK"))]
    # Undo/Redo texts are "元に戻す" etc.; the only ASCII left would be an untranslated string
    assert not english, english
    assert window.sidebar.item(2).text() == "ケース"
    wait_idle(qtbot, ctx_ja)
    _delete(window)


def test_qt_own_strings_are_translated(qapp) -> None:
    from PySide6.QtCore import QCoreApplication

    from recovery_desk.ui.app import load_qt_translations

    translators = load_qt_translations(qapp, "ja")
    try:
        assert translators, "qtbase_ja.qm not found in PySide6's translations folder"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "キャンセル"
    finally:
        for t in translators:
            qapp.removeTranslator(t)


def test_crash_hook_logs_and_names_the_log(tmp_path, monkeypatch) -> None:
    from recovery_desk.ui import crash

    monkeypatch.setenv("RECOVERY_DESK_LOG_DIR", str(tmp_path))
    try:
        raise ValueError("boom in a slot")
    except ValueError as exc:
        path = crash.show_crash(type(exc), exc, "")
    assert path == tmp_path / "crash.log"
    assert "boom in a slot" in path.read_text(encoding="utf-8")


def test_slow_job_gets_busy_cursor_then_a_cancellable_dialog(qtbot, ctx) -> None:
    from recovery_desk.ui.progress import run_job
    from recovery_desk.ui.worker import Cancelled

    started = threading.Event()
    outcome: list[str] = []

    def job(ws, progress):
        started.set()
        for i in range(2_000):  # at most ~10 s; cancelled long before
            progress.report(i, 2_000, "working")
            threading.Event().wait(0.005)
        return "finished"

    ticket = run_job(None, ctx, job, lambda r: outcome.append(r), title="Slow job",
                     on_cancelled=lambda: outcome.append("cancelled"))
    qtbot.waitUntil(lambda: QApplication.overrideCursor() is not None, timeout=2000)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None
                    or any(w.isVisible() and w.windowTitle() == "Slow job" for w in QApplication.topLevelWidgets()),
                    timeout=3000)
    dialog = next(w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle() == "Slow job")
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert outcome == ["cancelled"] and ticket.cancelled
    assert QApplication.overrideCursor() is None
    assert isinstance(Cancelled(), Exception)


def test_fast_job_shows_nothing(qtbot, ctx) -> None:
    from recovery_desk.ui.progress import run_job

    results = []
    run_job(None, ctx, lambda ws, p: 42, results.append, title="Quick")
    wait_idle(qtbot, ctx)
    assert results == [42]
    assert QApplication.overrideCursor() is None
    assert not any(w.isVisible() and w.windowTitle() == "Quick" for w in QApplication.topLevelWidgets())


def test_open_a_workspace_backs_it_up_and_lists_it_as_recent(qtbot, bare_window, demo_copy: Path) -> None:
    window = bare_window
    window.ask_open_path = lambda: str(demo_copy)
    with qtbot.waitSignal(window.workspace_opened, timeout=10_000):
        window.open_action.trigger()
    wait_idle(qtbot, window.ctx)
    window.wait_for_backup()
    qtbot.waitUntil(lambda: "Backup made" in window.statusBar().currentMessage())
    backups = list((demo_copy.parent / "backups").glob("demo-auto-*.rdesk"))
    assert len(backups) == 1
    window.recent_menu.aboutToShow.emit()
    assert [a.text() for a in window.recent_menu.actions()] == [str(demo_copy)]
    assert window.current_key() == "dashboard"


def test_an_automatic_backup_never_waits_for_the_previous_one_on_the_ui_thread(qtbot, bare_window,
                                                                                demo_copy: Path) -> None:
    """Opening another workspace while the last one's backup runs (half a minute at 60,000
    cases) starts the next backup beside it instead of freezing the window until it ends."""
    window = bare_window
    window._backup_on_open(demo_copy)
    window._backup_on_open(demo_copy)  # returns at once: the first is not waited for
    assert len(window._backup_threads) == 2
    window.wait_for_backup()
    qtbot.waitUntil(lambda: not window._backup_threads)  # each leaves the list when it has finished
    assert len(list((demo_copy.parent / "backups").glob("demo-auto-*.rdesk"))) == 2


def test_a_window_deleted_right_after_its_first_paint_emits_nothing_afterwards(qtbot, ctx) -> None:
    """The first paint announces itself on the next turn of the event loop; a window deleted before
    that turn must not have its signal emitted from a deleted object (this failed now and then in
    the suite: "Signal source has been deleted")."""
    from PySide6.QtCore import QCoreApplication

    from recovery_desk.ui.main_window import MainWindow

    window = MainWindow(ctx)
    wait_idle(qtbot, ctx)  # what the window asked the worker for has been delivered
    window.show()
    window.grab()  # the first paint (drawn now): its announcement is queued
    _delete(window)
    QCoreApplication.processEvents()  # pytest-qt fails the test on an exception raised here
