"""The query language: parsing (generic) and its meaning for cases (SQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from recovery_desk.services.search import (
    CASE_FIELDS,
    QueryError,
    Term,
    case_completions,
    case_conditions,
    parse_case_query,
    parse_query,
)
from recovery_desk.storage.models import (
    Area,
    Case,
    Consent,
    Need,
    Organisation,
    Participation,
    Task,
)

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server

DEMO_AS_OF = date(2024, 6, 30)  # as tests/conftest.py


def test_parse_fields_quotes_flags_and_words() -> None:
    q = parse_query('stage:planning org:"七尾市社会福祉協議会" area:御祓 overdue 山田 -stage:closed due:<2024-02-01',
                    fields=["stage", "org", "area", "due"], flags=["overdue"])
    assert q.terms[0] == Term("stage", "planning", ":", False, False, 0, "stage:planning")
    assert q.terms[1].field == "org" and q.terms[1].value == "七尾市社会福祉協議会" and q.terms[1].quoted
    assert q.terms[2].value == "御祓"
    assert (q.terms[3].field, q.terms[3].value) == ("is", "overdue")
    assert q.words == [q.terms[4]] and q.terms[4].value == "山田"
    assert q.terms[5].negated and q.terms[5].field == "stage"
    assert (q.terms[6].field, q.terms[6].op, q.terms[6].value) == ("due", "<", "2024-02-01")


def test_parse_is_generic_without_field_list() -> None:
    q = parse_query("status:done assignee:田中 due:>=2024-01-05 \"two words\"")
    assert [(t.field, t.op, t.value) for t in q.terms] == [
        ("status", ":", "done"), ("assignee", ":", "田中"), ("due", ">=", "2024-01-05"), (None, ":", "two words")]


def test_full_width_colon_and_space_and_alternatives() -> None:
    q = parse_query("stage：intake,planning\u3000priority:urgent")
    assert q.terms[0].values == ["intake", "planning"]
    assert q.terms[1].field == "priority"


def test_unknown_field_names_the_token() -> None:
    with pytest.raises(QueryError) as err:
        parse_case_query("stage:planning colour:red")
    assert err.value.token == "colour:red"
    assert "colour:red" in err.value.message("en")
    assert "colour:red" in err.value.message("ja")
    assert err.value.position == len("stage:planning ")


def test_unclosed_quote_and_empty_value_are_errors() -> None:
    with pytest.raises(QueryError, match="not closed"):
        parse_query('org:"七尾市')
    with pytest.raises(QueryError, match="not closed"):
        parse_query('"abc')
    with pytest.raises(QueryError, match="needs a value"):
        parse_query("stage: planning")


def test_completion_lists_fields_and_values() -> None:
    items = case_completions("ja")
    assert "stage:" in items and "need:housing_repair" in items and "overdue" in items
    assert "stage:把握" in items
    assert all(f"{f}:" in items for f in CASE_FIELDS if f != "is")


def _matching(session, text: str) -> set[str]:
    return set(session.scalars(select(Case.id).where(*case_conditions(text, DEMO_AS_OF))))


def test_case_filters_agree_with_python(demo_path) -> None:
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo_path) as ws, ws.session() as s:
        cases = s.scalars(select(Case).where(Case.deleted_at.is_(None))).all()
        everyone = {c.id for c in cases}
        assert _matching(s, "") == everyone

        planning = {c.id for c in cases if c.stage == "planning"}
        assert planning and _matching(s, "stage:planning") == planning
        assert _matching(s, "stage:Planning") == planning
        assert _matching(s, "stage:ケース会議・支援計画") == planning
        assert _matching(s, "-stage:planning") == everyone - planning
        intake = {c.id for c in cases if c.stage == "intake"}
        assert _matching(s, "stage:planning,intake") == planning | intake

        urgent = {c.id for c in cases if c.priority == "urgent"}
        assert _matching(s, "priority:緊急 stage:planning") == urgent & planning

        open_housing = set(s.scalars(select(Need.case_id).where(
            Need.category == "housing_repair", Need.state.in_(("unmet", "in_progress")),
            Need.deleted_at.is_(None))))
        assert open_housing and _matching(s, "need:housing_repair") == open_housing & everyone

        shakyo = s.scalar(select(Organisation).where(Organisation.name == "七尾市社会福祉協議会"))
        with_shakyo = set(s.scalars(select(Participation.case_id).where(
            Participation.organisation_id == shakyo.id, Participation.deleted_at.is_(None))))
        assert with_shakyo and _matching(s, 'org:"七尾市社会福祉協議会"') == with_shakyo & everyone
        assert _matching(s, f"org:{shakyo.acronym}") == with_shakyo & everyone

        community = set(s.scalars(select(Participation.case_id).join(Organisation).where(
            Organisation.sector == "community", Participation.deleted_at.is_(None))))
        assert _matching(s, "sector:community") == community & everyone

        some_case = next(c for c in cases if c.area_id)
        district = s.get(Area, some_case.area_id).district
        in_district = {c.id for c in cases if c.area_id and s.get(Area, c.area_id).district == district}
        assert some_case.id in _matching(s, f"area:{district}")
        assert in_district <= _matching(s, f"area:{district}")

        overdue = set(s.scalars(select(Task.case_id).where(
            Task.deleted_at.is_(None), Task.status.not_in(("done", "cancelled")),
            Task.due_date < DEMO_AS_OF)))
        assert overdue and _matching(s, "overdue") == overdue & everyone

        consented = set(s.scalars(select(Consent.case_id).where(Consent.given.is_(True),
                                                                 Consent.deleted_at.is_(None))))
        assert _matching(s, "consent:yes") == consented & everyone
        assert _matching(s, "consent:no") == everyone - consented

        early = {c.id for c in cases if c.opened_on < date(2024, 2, 1)}
        assert _matching(s, "opened:<2024-02-01") == early

        one = cases[17]
        assert one.id in _matching(s, one.reference)
        if one.contact_name:
            assert one.id in _matching(s, one.contact_name[:2])
        assert s.scalar(select(func.count()).select_from(Case).where(*case_conditions("zzzz-nothing"))) == 0


def test_bad_vocabulary_value_is_named() -> None:
    with pytest.raises(QueryError) as err:
        case_conditions("stage:planing")
    assert "planing" in err.value.message("en") and "stage" in err.value.message("en")
    with pytest.raises(QueryError):
        case_conditions("consent:maybe")
    with pytest.raises(QueryError, match="YYYY-MM-DD"):
        case_conditions("opened:<yesterday")


def test_like_wildcards_are_literal(workspace) -> None:
    from recovery_desk.services.cases import create_case

    create_case(workspace, address="100% 田中", contact_name="a_b")
    create_case(workspace, address="1000 田中", contact_name="axb")
    with workspace.session() as s:
        assert len(_matching(s, "100%")) == 1
        assert len(_matching(s, "a_b")) == 1
