"""Screenshots of the Organisations page, the welfare triangle and the People page, in
English and Japanese, from the real window under Xvfb:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/benchmarks/take_screenshots_org_people.py \
        [--cases 300] [--out docs/screenshots]

Builds a demo workspace (as of 2024-06-30) in a temporary folder with isolated settings,
opens the main window on it (or the bare pages when the main window is not there), opens
the busiest organisation and the person in the most organisations, and saves
organisations-<lang>.png, triangle-<lang>.png and people-<lang>.png. Each language runs in
its own process (the app font and Qt's translations are chosen at start).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import screenshot_main  # noqa: E402


def settle(app, ctx, rounds: int = 3) -> None:
    for _ in range(rounds):
        end = time.monotonic() + 30
        while ctx.worker.busy:
            app.processEvents()
            time.sleep(0.005)
            if time.monotonic() > end:
                raise TimeoutError("screenshot: the worker did not become idle")
        for _ in range(20):
            app.processEvents()


def shoot(lang: str, demo: Path, out: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    from recovery_desk.i18n import set_language
    from recovery_desk.resources import resource_path
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.worker import DatabaseWorker

    app = QApplication.instance() or QApplication([])
    set_language(lang)
    try:
        from recovery_desk.ui import app as app_module

        app_module.setup_fonts(lang)
        app._translators = app_module.load_qt_translations(app, lang)
    except ImportError:  # before the app shell exists
        font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "ipaexg.ttf")))
        family = QFontDatabase.applicationFontFamilies(font_id)[0]
        font = QFont(app.font())
        font.setFamilies([family] if lang == "ja" else [font.family(), family])
        app.setFont(font)
    worker = DatabaseWorker()
    ctx = AppContext(worker, lang=lang)
    actor = "山田 花子 (七尾市社会福祉協議会)" if lang == "ja" else "Hanako Yamada (Nanao Social Welfare Council)"
    try:
        from recovery_desk.ui.main_window import MainWindow

        window = MainWindow(ctx)
        window.resize(1360, 860)
        window.show()
        ctx.set_workspace(Workspace.open(demo, actor=actor))
        organisations = window.show_page("organisations")
    except ImportError:
        from recovery_desk.ui.pages.organisations_page import OrganisationsPage
        from recovery_desk.ui.pages.people_page import PeoplePage

        ctx.set_workspace(Workspace.open(demo, actor=actor))
        window = organisations = OrganisationsPage(ctx)
        window.resize(1360, 860)
        window.show()
    saved: list[Path] = []

    def grab(name: str) -> None:
        settle(app, ctx)
        path = out / f"{name}-{lang}.png"
        window.grab().save(str(path))
        saved.append(path)

    settle(app, ctx)
    busiest = max(organisations.model.rows, key=lambda r: r.open_tasks or 0)
    organisations.show_organisation(busiest.id)
    grab("organisations")
    organisations.left_tabs.setCurrentWidget(organisations.triangle)
    organisations.editor.tabs.setCurrentWidget(organisations.editor.held_tab)  # the cases and tasks it holds
    grab("triangle")
    organisations.left_tabs.setCurrentIndex(0)
    organisations.editor.tabs.setCurrentIndex(0)

    if window is organisations:
        window.close()
        window = people = PeoplePage(ctx)
        window.resize(1360, 860)
        window.show()
    else:
        people = window.show_page("people")
    settle(app, ctx)
    crossing = max(people.model.rows, key=lambda r: (r.organisation_count, r.name))
    people.show_person(crossing.id)
    grab("people")
    window.close()
    ctx.set_workspace(None)
    settle(app, ctx)
    worker.stop()
    return saved


def main() -> int:
    return screenshot_main(__file__, shoot)


if __name__ == "__main__":
    sys.exit(main())
