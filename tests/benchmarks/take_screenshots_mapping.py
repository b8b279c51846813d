"""Screenshots of the Resource map page (heat map with a cell open, and the map mode with a
district selected) and of the case editor's "who could take this", in English and Japanese,
from the real window under Xvfb:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/benchmarks/take_screenshots_mapping.py \
        [--cases 2000] [--out docs/screenshots]

Saves resource-map-<lang>.png, resource-map-map-<lang>.png and case-suggestions-<lang>.png.
Each language runs in its own process (the app font and Qt's translations are chosen at start).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import close_window, screenshot_main, screenshot_window, settle  # noqa: E402


def shoot(lang: str, demo: Path, out: Path) -> list[Path]:
    from PySide6.QtCore import Qt

    app, ctx, window = screenshot_window(lang, demo)
    saved: list[Path] = []

    def grab(name: str) -> None:
        settle(app, ctx)
        path = out / f"{name}-{lang}.png"
        window.grab().save(str(path))
        saved.append(path)

    page = window.show_page("resource_map")
    settle(app, ctx)
    worst = page.data.gaps.cells[0]
    page.heat.current = (page.heat.rows.index(worst.key), page.heat.columns.index(worst.need))
    page.heat.setFocus()
    page.heat.activate()
    grab("resource-map")
    page.set_mode("map")
    settle(app, ctx)  # the points are read when the map is first shown
    page.map.select_district(3)
    grab("resource-map-map")

    cases = window.show_page("cases")
    settle(app, ctx)
    cases.use_filter("is:untaken -stage:closed priority:urgent")
    settle(app, ctx)
    cases.select_case(cases.model.ids[0])
    settle(app, ctx)
    editor = cases.editor
    editor.tabs.setCurrentIndex(1)  # Needs
    editor.need_suggestions.tree.setFocus(Qt.FocusReason.OtherFocusReason)
    grab("case-suggestions")
    close_window(app, ctx, window)
    return saved


def main() -> int:
    return screenshot_main(__file__, shoot, cases=2000)


if __name__ == "__main__":
    sys.exit(main())
