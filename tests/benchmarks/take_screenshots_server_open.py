"""Screenshots of File ▸ Open server workspace… over the window: saved connections (URLs only,
never a password) and the note on where the password comes from.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/benchmarks/take_screenshots_server_open.py

Saves docs/screenshots/server-open-<lang>.png and server-open-saved-<lang>.png (the list open);
settings and the demo live in a temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.common import screenshot_main  # noqa: E402

SAVED = ("postgresql://yamada@hq.nanao.example/recovery",
         "postgresql://yamada@/nanao?host=/run/postgresql&port=5432")


def shoot(lang: str, demo: Path, out: Path) -> list[Path]:
    from recovery_desk.i18n import tr
    from recovery_desk.ui import options
    from recovery_desk.ui.dialogs.server_dialog import ServerDialog
    from tests.benchmarks.common import screenshot_window, settle

    qapp, ctx, window = screenshot_window(lang, demo)
    settle(qapp, ctx)
    for url in reversed(SAVED):
        options.save_server(url)
    dialog = ServerDialog(window, lang, title=tr("Open server workspace", lang), action=tr("Open", lang))
    dialog.show()
    settle(qapp, ctx)
    dialog.move(window.geometry().center() - dialog.rect().center())
    settle(qapp, ctx)
    plain = out / f"server-open-{lang}.png"
    dialog.grab().save(str(plain))
    dialog.urls.showPopup()  # the saved connections
    settle(qapp, ctx)
    area = dialog.frameGeometry()
    popup = dialog.urls.view().window()
    if popup.isVisible():
        area = area.united(popup.frameGeometry())
    path = out / f"server-open-saved-{lang}.png"
    qapp.primaryScreen().grabWindow(0).copy(area.adjusted(-8, -8, 8, 8)).save(str(path))
    dialog.urls.hidePopup()
    dialog.close()
    ctx.set_workspace(None)
    settle(qapp, ctx)
    window.close()
    ctx.worker.stop()
    return [plain, path]


if __name__ == "__main__":
    raise SystemExit(screenshot_main(__file__, shoot, cases=60))
