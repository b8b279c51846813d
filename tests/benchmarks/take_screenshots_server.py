"""Screenshots of the window on a server workspace signed in as a viewer (the cases page, where
the server blanks every household's name and phone, and the status bar says so).

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/benchmarks/take_screenshots_server.py VIEWER_URL

VIEWER_URL: a server workspace after `server init`, as a role added with `--role viewer`.
Saves docs/screenshots/server-viewer-<lang>.png; each language in its own process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"


def shoot(lang: str, url: str) -> Path:
    sys.path.insert(0, str(ROOT))
    from recovery_desk.services.workspace import Workspace
    from tests.benchmarks.common import open_window, settle

    qapp, ctx, window = open_window(lang)
    ctx.set_workspace(Workspace.open(url))
    page = window.show_page("cases")
    settle(qapp, ctx)
    page.table.selectRow(0)
    settle(qapp, ctx)
    path = OUT / f"server-viewer-{lang}.png"
    window.grab().save(str(path))
    ctx.set_workspace(None)
    settle(qapp, ctx)
    window.close()
    ctx.worker.stop()
    return path


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(shoot(sys.argv[2], sys.argv[1]))
    else:
        for lang in ("en", "ja"):
            subprocess.run([sys.executable, __file__, sys.argv[1], lang], check=True,
                           env={**os.environ, "RECOVERY_DESK_ACTOR": "official"})
