"""The case report; redaction of personal data; hostile text prints as text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from recovery_desk.storage.models import Case, Consent, Organisation, Person
from tests.conftest import DEMO_AS_OF
from tests.pg_helpers import signed_in_as
from tests.reports.helpers import pdf_text

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server

HOSTILE = "<b>bold?</b> & <img src=x> ]]> a<b"


def _personal_data(session) -> set[str]:
    """Every name and phone number of the demo data, with and without the space in names."""
    values: set[str] = set()
    for name, phone in session.execute(select(Case.contact_name, Case.contact_phone)):
        values |= {name, name.replace(" ", ""), phone}
    for name, phone in session.execute(select(Person.name, Person.phone)):
        values |= {name, name.replace(" ", ""), phone}
    values |= {p for (p,) in session.execute(select(Organisation.phone)) if p}
    return {v for v in values if v}


def _flat(text: str) -> str:
    return "".join(text.split())


def test_redaction_removes_every_name_and_phone(demo_path: Path, tmp_path: Path) -> None:
    from recovery_desk.reports.case import build_case_report
    from recovery_desk.reports.incident import build_incident_report
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo_path) as ws:
        with ws.session() as s:
            secrets = _personal_data(s)
            # cases whose consent would allow personal data: redaction must still win by default
            allowed = s.scalars(select(Case.reference).join(Consent, Consent.case_id == Case.id)
                                .where(Consent.scope == "reports").order_by(Case.reference).limit(3)).all()
        assert len(secrets) > 500 and allowed
        build_incident_report(ws, tmp_path / "incident.pdf", end=DEMO_AS_OF, today=DEMO_AS_OF)
        texts = [pdf_text(tmp_path / "incident.pdf")]
        for ref in allowed:
            build_case_report(ws, ref, tmp_path / f"{ref}.pdf", today=DEMO_AS_OF)
            texts.append(pdf_text(tmp_path / f"{ref}.pdf"))
    for text in texts:
        flat = _flat(text)
        leaked = sorted(v for v in secrets if _flat(v) in flat)
        assert not leaked, leaked[:10]
        assert "redacted" in text


def test_include_pii_prints_only_cases_whose_consent_allows(demo_path: Path, tmp_path: Path) -> None:
    from recovery_desk.reports.case import build_case_report
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo_path) as ws:
        with ws.session() as s:
            def first(scope: str) -> Case:
                return s.scalars(select(Case).join(Consent, Consent.case_id == Case.id)
                                 .where(Consent.scope == scope, Case.address != "").order_by(Case.reference)).first()
            yes, no = first("reports"), first("coordination")
        build_case_report(ws, yes.reference, tmp_path / "yes.pdf", include_pii=True, today=DEMO_AS_OF)
        build_case_report(ws, no.reference, tmp_path / "no.pdf", include_pii=True, today=DEMO_AS_OF)
    yes_text, no_text = _flat(pdf_text(tmp_path / "yes.pdf")), _flat(pdf_text(tmp_path / "no.pdf"))
    assert _flat(yes.contact_name) in yes_text and yes.contact_phone in yes_text and _flat(yes.address) in yes_text
    assert _flat(no.contact_name) not in no_text and no.contact_phone not in no_text
    assert _flat(no.address) not in no_text
    assert "consentdoesnotallow" in no_text


@pytest.fixture
def hostile_case(demo_copy: Path) -> tuple[Path, str]:
    """A case whose every free-text field is hostile markup, with consent to print it."""
    from recovery_desk.services import cases, conferences, tasks
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(signed_in_as(demo_copy, f"Actor {HOSTILE}"), actor=f"Actor {HOSTILE}") as ws:
        ref = "NANAO-0042"
        cid = cases.find_case(ws, ref).id
        cases.update_case(ws, cid, notes=f"Note {HOSTILE}\nline two", address=f"Addr {HOSTILE}",
                          contact_name=f"Name {HOSTILE}")
        cases.set_consent(ws, cid, given=True, scope="reports", given_on="2024-01-10")
        cases.set_stage(ws, cid, "in_support")
        tasks.create_task(ws, cid, title=f"Task {HOSTILE}", description=f"Desc {HOSTILE}",
                          due_date=date(2024, 5, 1))
        conf = conferences.create_conference(ws, cid, held_on="2024-06-01", title=f"Conf {HOSTILE}",
                                             notes=f"Minutes {HOSTILE}")
        conferences.add_decision(ws, conf.primary_id, f"Decision {HOSTILE}")
    return demo_copy, ref


def _assert_literal(text: str, *prefixes: str) -> None:
    flat = _flat(text)
    for prefix in prefixes:
        assert _flat(f"{prefix} {HOSTILE}") in flat, prefix
    assert "&amp;" not in text and "&lt;" not in text and "&gt;" not in text


def test_hostile_text_prints_as_text_in_case_report(hostile_case, tmp_path: Path) -> None:
    from recovery_desk.reports.case import build_case_report
    from recovery_desk.services.workspace import Workspace

    path, ref = hostile_case
    with Workspace.open(signed_in_as(path, f"Actor {HOSTILE}"), actor=f"Actor {HOSTILE}") as ws:
        build_case_report(ws, ref, tmp_path / "case.pdf", include_pii=True, today=DEMO_AS_OF)
    text = pdf_text(tmp_path / "case.pdf")
    _assert_literal(text, "Note", "Addr", "Name", "Task", "Desc", "Conf", "Minutes", "Decision", "Actor")


def test_hostile_text_prints_as_text_in_incident_report(hostile_case, tmp_path: Path) -> None:
    from recovery_desk.reports.incident import build_incident_report
    from recovery_desk.services.workspace import Workspace

    path, _ref = hostile_case
    with Workspace.open(signed_in_as(path, f"Actor {HOSTILE}"), actor=f"Actor {HOSTILE}") as ws:
        # the hostile task is the most overdue one (due 2024-05-01), so it heads the list
        build_incident_report(ws, tmp_path / "incident.pdf", end=DEMO_AS_OF, today=DEMO_AS_OF, list_limit=500)
    _assert_literal(pdf_text(tmp_path / "incident.pdf"), "Task", "Actor")


def test_case_report_sections(demo_path: Path, tmp_path: Path) -> None:
    from recovery_desk.reports.case import build_case_report
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo_path) as ws:
        with ws.session() as s:
            ref = s.scalars(select(Case.reference).where(Case.stage == "in_support").order_by(Case.reference)).first()
        build_case_report(ws, ref, tmp_path / "case.pdf", lang="en", today=DEMO_AS_OF)
        build_case_report(ws, ref, tmp_path / "case-ja.pdf", lang="ja", today=DEMO_AS_OF)
    text = pdf_text(tmp_path / "case.pdf")
    for heading in ("Case status report", f"Case {ref}", "Household", "Location and damage", "Stage history",
                    "Needs", "Participating organisations", "Tasks", "Case conferences and decisions",
                    "Recent timeline", "page 1 of"):
        assert heading in text, heading
    ja = pdf_text(tmp_path / "case-ja.pdf")
    for heading in ("ケース状況報告書", "世帯の概要", "段階の経過", "ケース会議と決定事項", "支援中"):
        assert heading in ja, heading


def test_unknown_case_writes_nothing(demo_path: Path, tmp_path: Path) -> None:
    from recovery_desk.domain.errors import NotFoundError
    from recovery_desk.reports.case import build_case_report
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo_path) as ws, pytest.raises(NotFoundError):
        build_case_report(ws, "NANAO-99999", tmp_path / "case.pdf")
    assert list(tmp_path.iterdir()) == []


def test_very_long_text_splits_across_pages(demo_copy: Path, tmp_path: Path) -> None:
    from recovery_desk.reports.case import build_case_report
    from recovery_desk.services import cases, conferences, tasks
    from recovery_desk.services.workspace import Workspace

    long_en = " ".join(f"word{i}" for i in range(800))  # ~5,000 characters
    long_ja = "長い記録の文章です。" * 480
    with Workspace.open(demo_copy) as ws:
        cid = cases.find_case(ws, "NANAO-0042").id
        cases.set_consent(ws, cid, given=True, scope="reports", given_on="2024-01-10")
        cases.update_case(ws, cid, notes=long_ja)
        tasks.create_task(ws, cid, title="Long task", description=long_en)
        conferences.create_conference(ws, cid, held_on="2024-06-01", title="Long", notes=long_ja)
        build_case_report(ws, "NANAO-0042", tmp_path / "long.pdf", include_pii=True, lang="ja", today=DEMO_AS_OF)
    flat = _flat(pdf_text(tmp_path / "long.pdf"))
    assert "word0" in flat and "word799" in flat
    # notes, conference minutes and the timeline's change of the notes: 3 × 480 sentences, less
    # the few that a page break cuts in two (the running header lands in between in the text)
    assert flat.count("長い記録の文章です。") >= 3 * 480 - 10
