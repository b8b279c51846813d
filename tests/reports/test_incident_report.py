"""The incident report prints the figures `stats --json` prints, in English and Japanese."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from recovery_desk.domain.vocabulary import (
    DAMAGE_LEVEL,
    NEED_CATEGORY,
    NEED_STATE,
    SECTOR,
    STAGE,
    SUPPORT_CLASS,
    TASK_STATUS,
)
from tests.reports.helpers import contains_run, pdf_fonts, pdf_lines, pdf_text, table_run

START, END = date(2024, 2, 1), date(2024, 5, 31)


@pytest.fixture(scope="module")
def incident_pdf(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from recovery_desk.reports.incident import build_incident_report
    from recovery_desk.services.workspace import Workspace

    out = tmp_path_factory.mktemp("incident") / "incident.pdf"
    with Workspace.open(demo_path, actor="Report Tester") as ws:
        build_incident_report(ws, out, start=START, end=END, lang="en")
    return out


@pytest.fixture(scope="module")
def stats_json(demo_path: Path) -> dict:
    """What `stats --json` prints for the same workspace and period."""
    import contextlib
    import io

    from recovery_desk.cli.main import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["--workspace", str(demo_path), "stats", "--json", "--from", START.isoformat(),
                     "--to", END.isoformat()]) == 0
    return json.loads(buffer.getvalue())


def _vocab_table(lines: list[str], vocab, counts: dict[str, int], header: list[str]) -> None:
    rows = [[vocab.label(k, "en") if k in vocab else "Unknown", n] for k, n in counts.items()]
    rows.append(["Total", sum(counts.values())])
    run = table_run(header, rows)
    assert contains_run(lines, run), f"table {header} not printed as {run}"


def test_key_figures_equal_stats_json(incident_pdf: Path, stats_json: dict) -> None:
    lines = pdf_lines(incident_pdf)
    c, t, o = stats_json["cases"], stats_json["tasks"], stats_json["organisations"]
    assert c["opened_in_period"] not in (0, c["total"])  # the period really filters
    run = table_run(["Figure", "Value"], [
        ["Cases total", c["total"]], ["Open cases", c["open"]], ["Closed cases", c["closed"]],
        ["Cases opened in the period", c["opened_in_period"]], ["Cases closed in the period", c["closed_in_period"]],
        ["Open tasks", t["open"]], ["Overdue tasks", t["overdue"]], ["Organisations engaged", o["engaged"]],
        ["Open cases relying on one sector only", c["single_sector_open"]],
    ])
    assert contains_run(lines, run)


def test_breakdowns_equal_stats_json(incident_pdf: Path, stats_json: dict) -> None:
    lines = pdf_lines(incident_pdf)
    c = stats_json["cases"]
    _vocab_table(lines, STAGE, c["by_stage"], ["Stage", "Cases"])
    _vocab_table(lines, SUPPORT_CLASS, c["by_support_class"], ["Support class", "Cases"])
    _vocab_table(lines, DAMAGE_LEVEL, c["by_damage_level"], ["Damage level", "Cases"])
    _vocab_table(lines, TASK_STATUS, stats_json["tasks"]["by_status"], ["Task status", "Tasks"])

    needs = stats_json["needs"]["by_category"]
    rows = [[NEED_CATEGORY.label(k, "en"), *(needs[k][s] for s in NEED_STATE.codes)] for k in needs]
    rows.append(["Total", *(sum(needs[k][s] for k in needs) for s in NEED_STATE.codes)])
    header = ["Need category", *(NEED_STATE.label(s, "en") for s in NEED_STATE.codes)]
    # The needs table is long enough to split across pages: compare it row by row.
    for row in rows:
        assert contains_run(lines, table_run([], [row])), row
    assert contains_run(lines, header)

    load, by_sector = stats_json["load_by_sector"], stats_json["organisations"]["by_sector"]
    assert contains_run(lines, table_run(
        ["Sector", "Organisations", "Open tasks led", "Cases led"],
        [[SECTOR.label(s, "en"), by_sector[s], load[s]["open_tasks"], load[s]["cases_led"]] for s in SECTOR.codes]))

    engaged = c["by_sectors_engaged"]
    labels = {"0": "0 sectors", "1": "1 sector", "2": "2 sectors", "3": "3 sectors", "4": "4 sectors"}
    assert contains_run(lines, table_run(["Sectors engaged", "Cases"], [[labels[k], n] for k, n in engaged.items()]))


def test_list_totals_equal_stats_json(incident_pdf: Path, stats_json: dict) -> None:
    text = " ".join(pdf_text(incident_pdf).split())
    t, c = stats_json["tasks"], stats_json["cases"]
    assert f"{t['overdue']:,} open tasks due before {END.isoformat()}" in text
    assert f"{c['single_sector_open']:,} open cases with one sector engaged" in text


def test_cover_says_redacted_and_when(incident_pdf: Path) -> None:
    text = " ".join(pdf_text(incident_pdf).split())
    assert "Personal data redacted" in text
    assert "Report Tester" in text
    assert "2024-02-01 – 2024-05-31" in text
    # generated at: local time with its UTC offset
    import re

    assert re.search(r"Generated at \d{4}-\d\d-\d\d \d\d:\d\d .*\(UTC[+-]\d\d:\d\d\)", text)
    assert re.search(r"page 1 of (\d+)", text)


def test_font_is_embedded_and_no_other_font_draws_text(incident_pdf: Path) -> None:
    # Every font, embedded or not (a Helvetica without a descriptor once slipped past a
    # check that only looked at the embedded ones); both reports in both languages: test_fonts.py.
    fonts = pdf_fonts(incident_pdf)
    assert all(fonts.values()) and {n.split("+")[-1] for n in fonts} == {"IPAexGothic"}, fonts


def test_japanese_report_extracts_japanese(demo_path: Path, tmp_path: Path) -> None:
    from recovery_desk.reports.incident import build_incident_report
    from recovery_desk.services.workspace import Workspace

    out = tmp_path / "incident-ja.pdf"
    with Workspace.open(demo_path) as ws:
        build_incident_report(ws, out, start=START, end=END, lang="ja")
    text = pdf_text(out)
    for expected in ("災害対応 進捗報告書", "主な数値", "段階別のケース", STAGE.label("in_support", "ja"),
                     NEED_CATEGORY.label("housing_repair", "ja"), "福祉トライアングル", "個人情報は伏せています",
                     "1 / "):
        assert expected in text, expected


def test_period_ending_before_it_starts_is_refused(demo_path: Path, tmp_path: Path) -> None:
    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.reports.incident import build_incident_report
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo_path) as ws, pytest.raises(ValidationError):
        build_incident_report(ws, tmp_path / "x.pdf", start=END, end=START)
    assert list(tmp_path.iterdir()) == []


def test_empty_workspace_reports_zeros(workspace, tmp_path: Path) -> None:
    from recovery_desk.reports.incident import build_incident_report

    out = build_incident_report(workspace, tmp_path / "empty.pdf", lang="ja")
    lines = pdf_lines(out)
    assert contains_run(lines, ["ケース総数", "0", "対応中のケース", "0"])
    assert "Test quake" in pdf_text(out)


def test_generated_at_is_local_time_with_zone(demo_path: Path, tmp_path: Path, monkeypatch) -> None:
    import time

    from recovery_desk.reports.case import build_case_report
    from recovery_desk.services.workspace import Workspace

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        with Workspace.open(demo_path) as ws:
            build_case_report(ws, "NANAO-0001", tmp_path / "case.pdf")
    finally:
        monkeypatch.undo()
        time.tzset()
    text = " ".join(pdf_text(tmp_path / "case.pdf").split())
    assert "JST (UTC+09:00)" in text


def test_include_pii_lists_contacts_only_with_consent(demo_path: Path, tmp_path: Path) -> None:
    from sqlalchemy import select

    from recovery_desk.reports.incident import build_incident_report, gather_incident
    from recovery_desk.services.cases import consent_allows_pii
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.models import Case, Consent

    with Workspace.open(demo_path) as ws:
        with ws.session() as s:
            data = gather_incident(s, end=END, include_pii=True, today=END, list_limit=1000)
            listed = {r["id"] for r in data.stalled.rows} | {r["id"] for r in data.single_sector.rows}
            rows = s.execute(select(Case, Consent).outerjoin(Consent, Consent.case_id == Case.id)
                             .where(Case.id.in_(listed))).all()
        build_incident_report(ws, tmp_path / "pii.pdf", end=END, include_pii=True, today=END, list_limit=1000)
    allowed = [c for c, consent in rows if consent_allows_pii(consent, END)]
    refused = [c for c, consent in rows if not consent_allows_pii(consent, END)]
    assert allowed and refused
    assert set(data.contacts) == {c.id for c in allowed}
    flat = "".join(pdf_text(tmp_path / "pii.pdf").split())
    assert all(c.contact_phone in flat for c in allowed)
    assert not any(c.contact_phone in flat for c in refused)
    assert "Containspersonaldata" in flat
