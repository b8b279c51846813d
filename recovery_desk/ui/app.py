"""Start the desktop app: QApplication, fonts, translations (ours and Qt's), crash hook,
the database worker, the main window, and the workspace to open.

``RECOVERY_DESK_EXIT_AFTER_SHOWN=1`` makes the app print ``shown <seconds>`` and quit once
the window has painted with its workspace open (the launch-time benchmark uses it).
``recovery-desk gui --self-test`` does the same and also checks what an installation must
bring (the Japanese font, the icon, Qt's Japanese strings): exit 0 when all are there.
Neither may wait for a click that will never come: a message box (a workspace that cannot be
opened, a crash) or any other dialog asking something is printed as one line on stderr
instead, and the app exits 1 (:class:`NoDialogsWhileUnattended`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()


def setup_fonts(lang: str) -> str | None:
    """Register IPAexGothic; the app font in Japanese, a fallback for Japanese text in English."""
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    from recovery_desk.resources import resource_path

    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "ipaexg.ttf")))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    family = families[0]
    font = QApplication.font()
    if lang == "ja":
        font = QFont(family, font.pointSize())
    else:
        # Keep the system font for Latin text; IPAexGothic fills in for kana and kanji.
        font.setFamilies([font.family(), family])
    QApplication.setFont(font)
    return family


ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> object:
    """Recovery Desk's own icon (resources/icons), every size drawn from the one SVG."""
    from PySide6.QtGui import QIcon

    from recovery_desk.resources import resource_path

    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource_path("icons", f"recovery-desk-{size}.png")))
    return icon


def self_test_problems(font_family: str | None, icon: object) -> list[str]:
    """What a working installation must have; each missing piece is one line."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    problems = []
    if font_family is None:
        problems.append("the Japanese font (resources/fonts/ipaexg.ttf) could not be loaded")
    if icon.isNull():  # type: ignore[attr-defined]
        problems.append("the icon (resources/icons) could not be loaded")
    from recovery_desk.ui.icons import missing_icons

    problems += [f"the page and action icons {', '.join(missing)} (resources/icons/ui) could not be loaded"
                 for missing in [missing_icons()] if missing]
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load(QLocale(QLocale.Language.Japanese), "qtbase", "_", folder):
        problems.append(f"Qt's Japanese strings (qtbase_ja.qm) are not in {folder}")
    return problems


def load_qt_translations(app: object, lang: str) -> list[object]:
    """Qt's own strings (dialog buttons, context menus) in Japanese: qtbase_ja.qm."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    translators = []
    if lang != "ja":
        return translators
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase", "qt"):
        translator = QTranslator(app)
        if translator.load(QLocale(QLocale.Language.Japanese), name, "_", folder):
            app.installTranslator(translator)  # type: ignore[attr-defined]
            translators.append(translator)
            break
    return translators


def dialog_text(dialog: object) -> str:
    """What a dialog says, on one line: a message box's text, else its window title."""
    from PySide6.QtWidgets import QMessageBox

    text = dialog.text() if isinstance(dialog, QMessageBox) else ""  # type: ignore[attr-defined]
    return " ".join((text or dialog.windowTitle() or type(dialog).__name__).split())  # type: ignore[attr-defined]


def no_dialogs_while_unattended(app: object) -> object:
    """An event filter for the self-test and the launch benchmark: nobody is there to click, so
    the first dialog that asks something (a message box, the sign-in) is printed as one line on
    stderr and the app exits 1, instead of waiting for ever. The progress dialog of a slow open
    asks nothing and is let through."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog

    class NoDialogsWhileUnattended(QObject):
        def __init__(self) -> None:
            super().__init__(app)  # type: ignore[arg-type]
            self.messages: list[str] = []

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            if (event.type() == QEvent.Type.Show and isinstance(watched, QDialog)
                    and not isinstance(watched, QProgressDialog) and not self.messages):
                self.messages.append(dialog_text(watched))
                print(f"recovery-desk: {tr('error')}: {self.messages[0]}", file=sys.stderr, flush=True)
                QApplication.exit(1)  # leaves the dialog's own event loop too
            return False

    from recovery_desk.i18n import tr

    guard = NoDialogsWhileUnattended()
    app.installEventFilter(guard)  # type: ignore[attr-defined]
    return guard


def choose_language(lang: str | None) -> str:
    from recovery_desk.i18n import default_language
    from recovery_desk.ui import options

    if lang in ("en", "ja"):
        return lang
    saved = options.LANGUAGE.get()
    return saved if saved in ("en", "ja") else default_language()


def run_app(workspace: Path | None = None, lang: str | None = None, demo: bool = False,
            self_test: bool = False) -> int:
    from PySide6.QtCore import QLocale, QTimer
    from PySide6.QtWidgets import QApplication

    from recovery_desk.i18n import set_language
    from recovery_desk.ui import crash, options

    if self_test:  # no sign-in dialog: the self-test opens and closes, it writes nothing
        os.environ.setdefault("RECOVERY_DESK_ACTOR", "Self-test (Recovery Desk)")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("RecoveryDesk")
    app.setApplicationName("RecoveryDesk")
    app.setApplicationDisplayName("Recovery Desk")
    app.setDesktopFileName("recovery-desk")  # the .desktop file: taskbar icon and grouping
    icon = app_icon()
    app.setWindowIcon(icon)
    crash.install()
    options.upgrade()
    lang = choose_language(lang)
    set_language(lang)
    QLocale.setDefault(QLocale("ja_JP") if lang == "ja"
                       else QLocale("en_GB"))
    font_family = setup_fonts(lang)
    from recovery_desk.i18n import tr

    app.setApplicationDisplayName(tr("Recovery Desk", lang))  # Qt appends it to every window title
    app._rd_translators = load_qt_translations(app, lang)  # type: ignore[attr-defined]

    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.main_window import MainWindow
    from recovery_desk.ui.worker import DatabaseWorker

    worker = DatabaseWorker()
    ctx = AppContext(worker, lang=lang)
    window = MainWindow(ctx)
    exit_after_shown = self_test or os.environ.get("RECOVERY_DESK_EXIT_AFTER_SHOWN") == "1"
    problems = self_test_problems(font_family, icon) if self_test else []
    unattended = no_dialogs_while_unattended(app) if exit_after_shown else None
    if exit_after_shown:
        window.backup_on_open = False  # the benchmark opens a 1.3 GB workspace many times
        start_page = os.environ.get("RECOVERY_DESK_START_PAGE")
        if start_page:
            options.LAST_PAGE.set(start_page)

    target: Path | str | None = None
    if workspace is not None:
        from recovery_desk.storage.engines import workspace_location

        target = workspace_location(workspace)  # a file, or a server URL
    elif not demo:
        last = options.LAST_WORKSPACE.get()
        if last and Path(last).exists():
            target = Path(last)

    def report_shown() -> None:
        if exit_after_shown:
            print(f"shown {time.perf_counter() - STARTED:.3f}", flush=True)
            QTimer.singleShot(0, window.close)

    def opened() -> None:
        if exit_after_shown:
            # Shown: the workspace is open and the window has painted with it. Usable: the
            # current page's first data has arrived (the worker has nothing left to do).
            window.repaint()
            print(f"shown {time.perf_counter() - STARTED:.3f}", flush=True)

            def idle(is_idle: bool) -> None:
                if is_idle:
                    window.repaint()
                    print(f"usable {time.perf_counter() - STARTED:.3f}", flush=True)
                    QTimer.singleShot(0, window.close)

            if worker.busy:
                worker.idle_changed.connect(idle)
            else:
                idle(True)

    if demo:
        window.open_demo(opened)
    elif target is not None:
        window.open_workspace(target, opened)
    elif exit_after_shown:
        window.first_painted.connect(report_shown)
    window.show()
    if not exit_after_shown:
        QTimer.singleShot(0, lambda: crash.report_hard_crash(window))  # the last run died hard?
    # Who is working is asked once a workspace is open (MainWindow._ask_who_if_unknown).
    try:
        code = app.exec()
        if unattended is not None and unattended.messages:  # type: ignore[attr-defined]
            if self_test:
                print("self-test: FAILED", flush=True)
            return 1
        if self_test:
            for problem in problems:
                print(f"self-test: {problem}", file=sys.stderr)
            print(f"self-test: {'FAILED' if problems else 'ok'}", flush=True)
            return 1 if problems else code
        return code
    finally:
        if unattended is not None:
            app.removeEventFilter(unattended)
        window.save_state()
        window.wait_for_backup()
        ctx.set_workspace(None)
        worker.stop()
