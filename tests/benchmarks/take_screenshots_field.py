"""Screenshots of the field-work pages in English and Japanese: the sign-in dialog, My work
(the window with the sidebar's and toolbar's icons and My work's overdue count), the case
editor's Tasks, Needs and Organisations tabs, the import preview, closing the incident, the
"today" summary; the visit sheet PDF's pages and the incident report's welfare triangle.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/benchmarks/take_screenshots_field.py

Builds a 500-case demo (as of 2024-06-30) in a temporary folder; each language runs in its own
process. Writes docs/screenshots/{sign-in,my-work,case-tasks-tab,case-needs-editor,case-organisations-editor,
case-consent,welcome-municipality,import-preview,close-incident,today}-<lang>.png, docs/screenshots/visit-sheet-<lang>-<page>.png and
report-triangle-<lang>.png (pdftoppm).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.common import open_window, settle, wait  # noqa: E402
from tests.benchmarks.take_screenshots import OUT, ROOT  # noqa: E402

AS_OF = date(2024, 6, 30)


def shoot(lang: str, demo: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from recovery_desk.services import identity
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.models import Membership, Organisation, Person, Task
    from recovery_desk.ui import options
    from recovery_desk.ui.sign_in import SignInDialog, load_choices

    qapp, ctx, window = open_window(lang)
    options.SHOW_TODAY.set(False)
    ws = Workspace.open(demo, actor="")
    with ws.session() as s:
        person_id = s.scalar(
            select(Person.id).join(Membership, Membership.person_id == Person.id)
            .join(Organisation, Organisation.id == Membership.organisation_id).join(Task, Task.assignee_id == Person.id)
            .where(Organisation.org_type == "npo").group_by(Person.id).order_by(func.count().desc(), Person.id))
        me = identity.identity_of(s, person_id)
        choices = load_choices(s, person_id)
    dialog = SignInDialog(choices, lang, window)
    dialog.select_person(person_id)
    dialog.show()
    settle(qapp, ctx)
    dialog.grab().save(str(OUT / f"sign-in-{lang}.png"))
    dialog.close()
    identity.sign_in(ws, me)
    window.page("my_work").today = AS_OF
    ctx.set_workspace(ws)
    window._signed_in()
    page = window.show_page("my_work")
    page.reload()
    wait(qapp, lambda: page.work is not None and page.work.identity is not None)
    settle(qapp, ctx)
    window.grab().save(str(OUT / f"my-work-{lang}.png"))
    window.show_today()
    wait(qapp, lambda: getattr(window, "_today_box", None) is not None)
    settle(qapp, ctx)
    window._today_box.grab().save(str(OUT / f"today-{lang}.png"))
    window._today_box.close()
    cases = window.show_page("cases")
    settle(qapp, ctx)
    cases.select_case(page.work.tasks[0].case_id)
    settle(qapp, ctx)
    cases.editor.tabs.setCurrentWidget(cases.editor.tasks_tab)
    settle(qapp, ctx)
    window.grab().save(str(OUT / f"case-tasks-tab-{lang}.png"))
    consent_tab = cases.editor.tabs.indexOf(cases.editor.consent_given.parentWidget())
    for tab, name in ((1, "case-needs-editor"), (2, "case-organisations-editor"), (consent_tab, "case-consent")):
        cases.editor.tabs.setCurrentIndex(tab)
        settle(qapp, ctx)
        cases.editor.grab().save(str(OUT / f"{name}-{lang}.png"))
    from recovery_desk.ui.welcome import WelcomePage

    welcome = WelcomePage(lang)
    welcome.resize(760, 420)
    welcome.show()
    welcome.incident.setText("令和6年能登半島地震" if lang == "ja" else "2024 Noto Peninsula earthquake")
    welcome.municipality.setText("府中市")  # a name two municipalities share: both listed with their codes
    welcome.municipality.editingFinished.emit()
    settle(qapp, ctx)
    welcome.grab().save(str(OUT / f"welcome-municipality-{lang}.png"))
    welcome.close()
    from recovery_desk.services.erasure import plan_anonymise
    from recovery_desk.ui.dialogs.close_incident import CloseIncidentDialog
    from recovery_desk.ui.dialogs.import_dialog import ImportDialog

    sheet = Path(os.environ["HOME"]) / "households.csv"
    sheet.write_text("氏名,住所,電話番号,世帯人数,地区,被害程度,受付日,要配慮者区分,メモ\n"
                     "山田 太郎,七尾市御祓町1-2,0767-53-1111,3,御祓,全壊,令和6年1月14日,高齢者単身,屋根にブルーシート\n"
                     "佐藤 花子,七尾市府中町3-4,0767-52-2222,2,府中,半壊,令和6年1月15日,,\n", encoding="utf-8")
    importer = ImportDialog(ctx, window, path=sheet)
    importer.resize(1100, 620)
    importer.show()
    wait(qapp, lambda: importer.preview_model.columnCount() > 0)
    settle(qapp, ctx)
    importer.grab().save(str(OUT / f"import-preview-{lang}.png"))
    importer.close()
    closing = CloseIncidentDialog(ctx, plan_anonymise(ws), window)
    closing.end.setText("2024-12-31")
    closing.anonymise.setChecked(True)
    closing.resize(560, closing.sizeHint().height())
    closing.show()
    settle(qapp, ctx)
    closing.grab().save(str(OUT / f"close-incident-{lang}.png"))
    closing.close()
    window.close()
    ctx.set_workspace(None)
    ctx.worker.stop()


def visit_sheets(demo: Path, tmp: Path) -> None:
    for lang in ("en", "ja"):
        pdf = tmp / f"visits-{lang}.pdf"
        subprocess.run([sys.executable, "-m", "recovery_desk.cli.main", "--workspace", str(demo), "--as", "山田 花子",
                        "report", "visits",
                        "--query", "area:御祓 -stage:closed", "--out", str(pdf), "--lang", lang, "--as-of",
                        AS_OF.isoformat()], check=True, cwd=ROOT)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf),
                        str(OUT / f"visit-sheet-{lang}")], check=True)


def triangle_pages(demo: Path, tmp: Path) -> None:
    """The incident report's welfare triangle page (the page whose text names the triangle)."""
    for lang in ("en", "ja"):
        pdf = tmp / f"incident-{lang}.pdf"
        subprocess.run([sys.executable, "-m", "recovery_desk.cli.main", "--workspace", str(demo), "report",
                        "incident", "--out", str(pdf), "--lang", lang, "--as-of", AS_OF.isoformat()], check=True,
                       cwd=ROOT)
        from pypdf import PdfReader

        title = "Welfare triangle" if lang == "en" else "福祉トライアングル"
        page = next(i + 1 for i, p in enumerate(PdfReader(pdf).pages)
                    if title.casefold() in (p.extract_text() or "").casefold())
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                        str(OUT / f"report-triangle-{lang}")], check=True)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--lang":
        shoot(sys.argv[2], Path(sys.argv[3]))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = dict(os.environ, HOME=folder, XDG_CONFIG_HOME=f"{folder}/config", XDG_DATA_HOME=f"{folder}/data",
                   RECOVERY_DESK_CONFIG_DIR=f"{folder}/config/RecoveryDesk", RECOVERY_DESK_LOG_DIR=f"{folder}/log",
                   PYTHONPATH=str(ROOT))
        env.pop("RECOVERY_DESK_ACTOR", None)
        demo = tmp / "demo.rdesk"
        subprocess.run([sys.executable, "-c", "from datetime import date; from pathlib import Path; import sys;"
                        "from recovery_desk.services.demo import create_demo;"
                        "create_demo(Path(sys.argv[1]), cases=500, seed=3, as_of=date(2024, 6, 30), actor='demo')",
                        str(demo)], check=True, env=env)
        for lang in ("en", "ja"):
            subprocess.run([sys.executable, "-m", "tests.benchmarks.take_screenshots_field", "--lang", lang,
                            str(demo)], check=True, env=env, cwd=ROOT)
        visit_sheets(demo, tmp)
        triangle_pages(demo, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
