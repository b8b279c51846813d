"""Consent that means something (none / coordination / reports; expired = none), visit
sheets that print contact details only as consent allows, and the log of every report,
export or visit sheet that included personal data."""

from __future__ import annotations

import json
from datetime import date

from recovery_desk.cli.main import main
from recovery_desk.services import cases, consent
from recovery_desk.services.areas import create_area
from recovery_desk.storage.models import Consent
from tests.reports.helpers import pdf_text

TODAY = date(2024, 6, 30)


def _cases(ws):
    area = create_area(ws, municipality="七尾市", municipality_code="172022", district="御祓").primary_id
    made = {}
    for key, scope, expires in (("none", None, None), ("coord", "coordination", None), ("rep", "reports", None),
                                ("expired", "reports", "2024-05-01")):
        cid = cases.create_case(ws, area_id=area, contact_name=f"氏名{key}", contact_phone=f"0767-00-{len(made)}000",
                                address=f"七尾市御祓町{len(made) + 1}", household_size=None).primary_id
        cases.set_need(ws, cid, "housing_repair")
        if scope:
            cases.set_consent(ws, cid, given=True, scope=scope, given_on="2024-01-10", expires_on=expires)
        made[key] = cid
    return made


def test_what_each_scope_lets_through() -> None:
    def c(scope, given=True, expires=None):
        return Consent(case_id="x", given=given, scope=scope, expires_on=expires)

    assert consent.effective_scope(None) == "none"
    assert consent.effective_scope(c("reports", given=False)) == "none"
    assert consent.effective_scope(c("reports", expires=date(2024, 1, 1)), TODAY) == "none"
    table = {p: [consent.allows(x, p, TODAY) for x in (None, c("none"), c("coordination"), c("reports"))]
             for p in consent.PURPOSES}
    assert table == {"screen": [False, False, True, True], "visit_sheet": [False, False, True, True],
                     "report": [False, False, False, True], "export": [False, False, False, True]}
    assert "expired" in consent.describe(c("reports", expires=date(2024, 1, 1)), "en", TODAY)
    assert "never in reports" in consent.describe(c("coordination"), "en", TODAY)
    assert consent.describe(c("coordination"), "ja", TODAY) != consent.describe(c("coordination"), "en", TODAY)


def test_visit_sheet_prints_contacts_only_as_consent_allows_and_is_logged(workspace, tmp_path, capsys) -> None:
    made = _cases(workspace)
    path = str(workspace.path)
    workspace.close()
    for lang in ("en", "ja"):
        out = tmp_path / f"visits-{lang}.pdf"
        code = main(["--workspace", path, "report", "visits", "--query", "area:御祓", "--out", str(out),
                     "--lang", lang, "--as-of", str(TODAY)])
        assert code == 0, capsys.readouterr().err
        text = pdf_text(out)
        assert "氏名coord" in text and "氏名rep" in text
        assert "氏名none" not in text and "氏名expired" not in text
        for n in range(1, 5):
            assert f"七尾市御祓町{n}" in text  # the address, always: nobody visits without it
        assert ("(no consent)" if lang == "en" else "（同意なし）") in text
        assert ("Ask for consent" if lang == "en" else "同意") in text
    capsys.readouterr()
    assert main(["--workspace", path, "report", "disclosures", "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    visits = [d for d in log["disclosures"] if d["kind"] == "visit_sheet"]
    assert len(visits) == 2 and all(d["households"] == 2 for d in visits)
    assert all(d["who"] == "Test User (Test Org)" for d in visits) and "area:御祓" in visits[0]["what"]
    assert len(made) == 4


def test_reports_and_exports_with_personal_data_are_logged(workspace, tmp_path, capsys) -> None:
    _cases(workspace)
    path = str(workspace.path)
    workspace.close()
    assert main(["--workspace", path, "export", "cases", str(tmp_path / "c.csv"), "--include-pii"]) == 0
    assert main(["--workspace", path, "export", "cases", str(tmp_path / "plain.csv")]) == 0  # nothing personal
    assert main(["--workspace", path, "report", "case", "TEST-0003", "--include-pii", "--out",
                 str(tmp_path / "case.pdf")]) == 0
    assert main(["--workspace", path, "report", "case", "TEST-0001", "--include-pii", "--out",
                 str(tmp_path / "none.pdf")]) == 0  # no consent: nothing personal printed, nothing logged
    capsys.readouterr()
    assert main(["--workspace", path, "report", "disclosures", "--json"]) == 0
    kinds = [(d["kind"], d["households"]) for d in json.loads(capsys.readouterr().out)["disclosures"]]
    assert sorted(kinds) == [("export_cases", 1), ("report_case", 1)]



def test_reports_page_makes_a_visit_sheet_and_a_coordinator_reads_the_log(qtbot, ctx, tmp_path) -> None:
    from PySide6.QtWidgets import QTreeWidget
    from sqlalchemy import select as sql_select

    from recovery_desk.services import identity
    from recovery_desk.storage.models import Case
    from recovery_desk.ui.pages.reports_page import VISITS, ReportsPage
    from tests.field.helpers import coordinator, npo_volunteer

    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.kind.setCurrentIndex(page.kind.findData(VISITS))
    assert page.query.isEnabled() and not page.reference.isEnabled() and not page.include_pii.isEnabled()
    with ctx.workspace.session() as s:
        reference = s.scalar(sql_select(Case.reference).order_by(Case.sequence))
    page.query.setText(reference)
    out = tmp_path / "visits.pdf"
    page.out.setText(str(out))
    page.start_report()
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=30_000)
    assert reference in pdf_text(out)
    with ctx.workspace.session() as s:
        identity.sign_in(ctx.workspace, identity.identity_of(s, npo_volunteer(s)[0]))
    page.show_disclosures()  # a volunteer is told no
    assert getattr(page, "disclosure_dialog", None) is None and "coordinator" in page.status.text()
    with ctx.workspace.session() as s:
        identity.sign_in(ctx.workspace, identity.identity_of(s, coordinator(s)[0]))
    page.show_disclosures()
    qtbot.waitUntil(lambda: getattr(page, "disclosure_dialog", None) is not None, timeout=10_000)
    tree = page.disclosure_dialog.findChild(QTreeWidget, "disclosures")
    assert tree is not None
    page.disclosure_dialog.close()
