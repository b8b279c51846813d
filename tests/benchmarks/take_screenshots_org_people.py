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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import close_window, screenshot_main, screenshot_window, settle  # noqa: E402


def shoot(lang: str, demo: Path, out: Path) -> list[Path]:
    app, ctx, window = screenshot_window(lang, demo)
    organisations = window.show_page("organisations")
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

    people = window.show_page("people")
    settle(app, ctx)
    crossing = max(people.model.rows, key=lambda r: (r.organisation_count, r.name))
    people.show_person(crossing.id)
    grab("people")
    close_window(app, ctx, window)
    return saved


def main() -> int:
    return screenshot_main(__file__, shoot)


if __name__ == "__main__":
    sys.exit(main())
