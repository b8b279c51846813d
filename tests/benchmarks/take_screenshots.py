"""Screenshots of every view, in English and Japanese, from the real window.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/benchmarks/take_screenshots.py

Builds a 500-case demo workspace (as of 2024-06-30) in a temporary folder, opens the main
window on it (settings and user folders isolated in the same folder) and saves
``docs/screenshots/<view>-<lang>.png`` (``window-<page>-<lang>.png`` for
the pages other parts of the product provide, whose own scripts write ``<page>-<lang>.png``). Each language runs in its own process (the app
font and Qt's translations are chosen at start). Pages by other engineers are captured too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import (  # noqa: E402
    COORDINATOR,
    build_screenshot_demo,
    open_window,
    screenshot_env,
    settle,
)

AS_OF = date(2024, 6, 30)


def shoot(lang: str, demo: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.main_window import PAGES

    qapp, ctx, window = open_window(lang)
    saved: list[Path] = []

    def grab(name: str, widget=None) -> None:
        settle(qapp, ctx)
        path = OUT / f"{name}-{lang}.png"
        (widget or window).grab().save(str(path))
        saved.append(path)

    grab("welcome")
    dash = window.page("dashboard")
    dash.today = AS_OF  # before the workspace opens: its first load must use the demo's date too
    ctx.set_workspace(Workspace.open(demo, actor=COORDINATOR[lang]))
    for key, _label, _factory in PAGES:
        page = window.show_page(key)
        if key == "dashboard":
            page.refresh()
        if key == "cases":
            settle(qapp, ctx)
            page.query.setText("stage:planning need:housing_repair")
            page.apply_filter()
            settle(qapp, ctx)
            page.table.selectRow(0)
            settle(qapp, ctx)
            # one real edit, so the timeline shows a change as well as the demo's creation
            page.editor.set_stage("in_support")
            settle(qapp, ctx)
            ctx.undo_stack.undo()
            settle(qapp, ctx)
        # Other engineers' pages keep their own close-up screenshots under their names;
        # these are the same pages inside the real window.
        grab(key if key in ("dashboard", "cases") else f"window-{key}")
        if key == "cases":
            editor = page.editor
            for index, name in ((1, "case-needs"), (2, "case-organisations"), (3, "case-tasks"),
                                (5, "case-conferences"), (6, "case-timeline")):
                editor.tabs.setCurrentIndex(index)
                grab(name)
            editor.tabs.setCurrentIndex(0)
            page.query.setText("stage:plannng")
            page.apply_filter()
            grab("cases-query-error")
            page.query.setText("")
            page.apply_filter()
    window.close()
    ctx.set_workspace(None)
    ctx.worker.stop()
    return saved


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    if len(sys.argv) > 2 and sys.argv[1] == "--lang":
        demo = Path(sys.argv[3])
        for path in shoot(sys.argv[2], demo):
            print(path.relative_to(ROOT))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        env = screenshot_env(tmp)
        demo = Path(tmp) / "demo.rdesk"
        build_screenshot_demo(demo, env, cases=500, seed=3)
        for lang in ("en", "ja"):  # each language on its own copy (the screenshots make one edit)
            copy = demo.with_name(f"demo-{lang}.rdesk")
            shutil.copyfile(demo, copy)
            subprocess.run([sys.executable, __file__, "--lang", lang, str(copy)], check=True, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
