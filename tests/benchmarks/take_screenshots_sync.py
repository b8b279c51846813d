"""Screenshots of the Conflicts page, of a case editor marking a field in conflict and of the
board marking a card in conflict, in English and Japanese, from the real window under Xvfb:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/benchmarks/take_screenshots_sync.py

Builds a demo workspace and a second laptop (a copy), edits the same cases on both (a
field changed on both, a case deleted on one and edited on the other, a task's title changed
on both, a task and a need added to a case the other deleted), reads the second laptop's bundle into the
first, and saves conflicts-<lang>.png, case-conflict-<lang>.png and board-conflict-<lang>.png.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "screenshot passphrase"


def prepare(tmp: Path) -> Path:
    from datetime import date

    from sqlalchemy import select

    from recovery_desk.services import cases, tasks
    from recovery_desk.services.demo import create_demo
    from recovery_desk.services.sync.exchange import export_bundle, import_bundle
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.database import backup_file
    from recovery_desk.storage.models import Case, Task

    demo = tmp / "demo.rdesk"
    create_demo(demo, cases=300, seed=3, as_of=date(2024, 6, 30), actor="demo")
    here = Workspace.open(demo, actor="山田 花子 (七尾市社会福祉協議会)")
    other = Workspace.open(backup_file(demo, tmp / "npo.rdesk"), actor="Ben Carter (NPO Mud Busters)")
    with here.session() as s:
        ids = s.scalars(select(Case.id).where(Case.deleted_at.is_(None)).order_by(Case.sequence).limit(4)).all()
        task_id = s.scalars(select(Task.id).where(Task.deleted_at.is_(None), Task.status == "received")
                            .order_by(Task.position)).first()
    cases.update_case(here, ids[0], notes="門は施錠。17時以降に電話")
    cases.update_case(other, ids[0], notes="Call after 5 pm; gate locked")
    cases.update_case(here, ids[1], priority="urgent")
    cases.update_case(other, ids[1], priority="low")
    cases.delete_case(other, ids[2])
    cases.update_case(here, ids[2], household_size=5)
    tasks.update_task(here, task_id, title="泥出し（台所から）")
    tasks.update_task(other, task_id, title="Mud out, both rooms")
    cases.delete_case(other, ids[3])
    tasks.create_task(here, ids[3], title="ブルーシートを張る")
    cases.set_need(here, ids[3], "food")
    export_bundle(other, tmp / "npo.rdsync", PASSPHRASE)
    import_bundle(here, tmp / "npo.rdsync", PASSPHRASE)
    here.close()
    other.close()
    return demo


def shoot(lang: str, demo: Path, out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.benchmarks.common import close_window, screenshot_window, settle

    app, ctx, window = screenshot_window(lang, demo)
    page = window.show_page("conflicts")
    settle(app, ctx)
    page.table.selectRow(0)
    settle(app, ctx)
    window.grab().save(str(out / f"conflicts-{lang}.png"))
    reference = next(r["reference"] for r in page.model.rows if r["kind"] == "field")
    cases_page = window.show_page("cases")
    settle(app, ctx)
    from recovery_desk.services.cases import find_case

    cases_page.editor.load(find_case(ctx.workspace, reference).id)
    settle(app, ctx)
    settle(app, ctx)
    window.grab().save(str(out / f"case-conflict-{lang}.png"))
    window.show_page("board")
    settle(app, ctx)
    settle(app, ctx)
    window.grab().save(str(out / f"board-conflict-{lang}.png"))
    close_window(app, ctx, window)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.benchmarks.common import screenshot_env

    out = ROOT / "docs" / "screenshots"
    if len(sys.argv) > 1 and sys.argv[1] == "--lang":
        shoot(sys.argv[2], Path(sys.argv[3]), out)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = dict(screenshot_env(folder), PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from tests.benchmarks.take_screenshots_sync import prepare; prepare(Path(sys.argv[1]))",
                        folder], check=True, env=env, cwd=ROOT)
        for lang in ("en", "ja"):
            subprocess.run([sys.executable, __file__, "--lang", lang, str(tmp / "demo.rdesk")], check=True, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
