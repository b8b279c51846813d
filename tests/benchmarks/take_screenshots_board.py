"""Screenshots of the task board (swimlanes by sector) and its card editor, in English and
Japanese, from the real main window under Xvfb:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/benchmarks/take_screenshots_board.py \
        [--cases 300] [--out docs/screenshots]

Builds a demo workspace (as of 2024-06-30) in a temporary folder with isolated settings,
sets a WIP limit the "In progress" column exceeds, opens the main window's board on the
cases of one district with swimlanes by sector, and saves board-<lang>.png and
board-editor-<lang>.png (the card editor on a blocked card's claim and hand-over tab).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import close_window, screenshot_main, screenshot_window, settle  # noqa: E402

AS_OF = date(2024, 6, 30)
SCOPE = "area:徳田"


def prepare(demo: Path) -> None:
    """A WIP limit one below the scope's In-progress count, so the flag shows."""
    sys.path.insert(0, str(ROOT))
    from recovery_desk.services import board
    from recovery_desk.services.board_query import BoardScope, load_board
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo, actor="demo") as ws:
        with ws.session() as s:
            cards = load_board(s, BoardScope(SCOPE), today=AS_OF).cards
        in_progress = sum(1 for c in cards if c.status == "in_progress")
        board.set_wip_limit(ws, "in_progress", max(in_progress - 1, 1))


def shoot(lang: str, demo: Path, out: Path) -> list[Path]:
    app, ctx, window = screenshot_window(lang, demo)
    page = window.show_page("board")
    page.today = AS_OF  # the demo's own date: overdue and stale as of then
    page.set_lane_mode("sector")
    page.set_scope(SCOPE)
    settle(app, ctx)
    blocked = next((c for c in page.model.cards if c.blocked_by), None)
    if blocked is not None:  # scroll just enough to show a blocked-by marker
        page.view.ensure_visible(blocked.id)
        settle(app, ctx)
    saved: list[Path] = []
    path = out / f"board-{lang}.png"
    window.grab().save(str(path))
    saved.append(path)

    card = next((c for c in page.model.cards if c.blocked_by), page.model.cards[0])
    editor = page.edit_card(card.id, tab="handover")
    settle(app, ctx)
    path = out / f"board-editor-{lang}.png"
    editor.grab().save(str(path))
    saved.append(path)
    editor.close()
    close_window(app, ctx, window)
    return saved


def main() -> int:
    return screenshot_main(__file__, shoot, seed=7, prepare=prepare)


if __name__ == "__main__":
    sys.exit(main())
