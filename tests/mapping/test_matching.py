"""The ranking rule, case by case, on a real workspace (tests/mapping/conftest.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from recovery_desk.domain.errors import NotFoundError, ValidationError
from recovery_desk.services import board, matching
from recovery_desk.services.matching import Candidate, rank, rank_key
from recovery_desk.storage.models import utcnow

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


def names(need_match) -> list[str]:
    return [c.acronym for c in need_match.candidates]


def match(m, key: str, category: str | None = None, now: datetime | None = None):
    result = matching.match_in_workspace(m.ws, m.case[key], category, now)
    return {n.category: n for n in result.needs}


def test_only_organisations_with_the_capability_are_candidates(mapped) -> None:
    needs = match(mapped, "A")
    assert list(needs) == ["housing_repair", "food"]  # the case's unmet needs, in vocabulary order
    assert "FOOD" not in names(needs["housing_repair"])
    assert names(needs["food"]) == ["FOOD"]


def test_area_closeness_district_then_municipality_then_prefecture_then_none(mapped) -> None:
    housing = match(mapped, "A")["housing_repair"]
    assert names(housing) == ["DIST", "MUNI", "PREF", "NONE"]
    assert [c.serves for c in housing.candidates] == ["district", "municipality", "prefecture", None]
    assert [c.serves_area for c in housing.candidates] == ["御祓", "七尾市", "石川県", ""]


def test_capacity_left_counts_open_cases_holding_the_need(mapped) -> None:
    by = {c.acronym: c for c in match(mapped, "A")["housing_repair"].candidates}
    # DIST: capacity 3, one open task on an open case (the closed case's and the done task do not count)
    assert (by["DIST"].capacity_left, by["DIST"].full) == (2, False)
    assert (by["PREF"].capacity_left, by["PREF"].full) == (0, True)
    assert (by["MUNI"].capacity_left, by["MUNI"].full) == (None, False)  # unknown is not full


def test_full_ranks_after_not_full_and_unknown_capacity_is_not_full() -> None:
    def cand(name, capacity, held):
        return Candidate(name, name, name, "third_sector", "food", capacity, held=held, serves="district")

    ranked = rank([cand("a-full", 2, 2), cand("b-unknown", None, 50), cand("c-room", 2, 1)])
    assert [c.name for c in ranked] == ["b-unknown", "c-room", "a-full"]
    # closeness still comes first: a full district organisation beats a free municipal one
    far = Candidate("z", "z", "z", "third_sector", "food", 10, serves="municipality")
    assert rank([far, cand("a-full", 2, 2)])[0].name == "a-full"


def test_adding_a_missing_sector_ranks_first_among_equals(mapped) -> None:
    from recovery_desk.services import organisations

    from .conftest import COMMUNITY, STATE, add_org

    # Two more district organisations able to take food, free capacity, one of each sector.
    add_org(mapped, "AAA-STATE", "あ行政", STATE, {"food": 5}, ("misogi",))
    add_org(mapped, "ZZZ-COMM", "ん町会", COMMUNITY, {"food": 5}, ("misogi",))
    food = match(mapped, "A")["food"]  # A has the state only
    assert names(food) == ["ZZZ-COMM", "FOOD", "AAA-STATE"]  # names alone would put あ first
    by = {c.acronym: c for c in food.candidates}
    assert by["ZZZ-COMM"].adds_sector and not by["AAA-STATE"].adds_sector
    assert any("sector the case lacks" in r for r in by["ZZZ-COMM"].reasons("en"))
    organisations.update_organisation(mapped.ws, mapped.org["AAA-STATE"], ownership="private", formality="informal")
    assert names(match(mapped, "A")["food"]) == ["AAA-STATE", "ZZZ-COMM", "FOOD"]  # community now: names decide


def test_fewer_stale_claims_rank_first(mapped) -> None:
    from .conftest import THIRD, add_org

    add_org(mapped, "STALE", "あ支援", THIRD, {"food": 5}, ("misogi",))
    task = matching_task(mapped, "HOLD", "other")
    board.claim_task(mapped.ws, task, mapped.org["STALE"])
    later = utcnow() + timedelta(days=30)
    assert names(match(mapped, "A", now=utcnow())["food"]) == ["STALE", "FOOD"]  # name order: あ < 炊
    food = match(mapped, "A", now=later)["food"]
    assert names(food) == ["FOOD", "STALE"]
    assert food.candidates[1].stale_claims == 1
    assert "1 stale claims" in food.candidates[1].reasons("en")
    # a comment on the task since the cutoff makes the claim live again, as on the board
    from recovery_desk.services import tasks

    tasks.add_comment(mapped.ws, task, "まだ対応中")
    assert names(match(mapped, "A", now=later)["food"])[0] == "FOOD"  # the comment is 'now', 30 days before
    assert names(match(mapped, "A", now=utcnow() + timedelta(days=1))["food"]) == ["STALE", "FOOD"]


def matching_task(m, case_key: str, category: str) -> str:
    from recovery_desk.services import tasks

    return tasks.create_task(m.ws, m.case[case_key], title="調整", need_category=category).primary_id


def test_already_on_the_case_is_said_and_does_not_reorder(mapped) -> None:
    by = {c.acronym: c for c in match(mapped, "A")["housing_repair"].candidates}
    assert by["PREF"].on_case and by["PREF"].role == "lead"
    assert not by["DIST"].on_case
    assert "already on the case as Lead" in by["PREF"].reasons("en")
    assert by["PREF"].as_json("en")["on_case"] is True


def test_name_breaks_the_last_tie() -> None:
    same = dict(sector="community", category="food", capacity=None, serves="district", adds_sector=True)
    ranked = rank([Candidate("2", "b", "", **same), Candidate("1", "a", "", **same)])
    assert [c.name for c in ranked] == ["a", "b"]
    assert rank_key(ranked[0]) < rank_key(ranked[1])


def test_a_category_the_case_lacks_can_be_asked_for(mapped) -> None:
    needs = match(mapped, "A", "legal_property")
    assert names(needs["legal_property"]) == ["IDLE"]
    assert needs["legal_property"].candidates[0].serves is None  # serves 和倉, not 御祓


def test_reasons_exist_in_both_languages(mapped) -> None:
    dist = match(mapped, "A")["housing_repair"].candidates[0]
    en, ja = dist.reasons("en"), dist.reasons("ja")
    assert en == ["can take Housing repair", "serves the district 御祓", "2 of 3 cases left",
                  "adds the Third sector sector the case lacks"]
    assert len(ja) == len(en) and all(a != b for a, b in zip(en, ja, strict=True))
    assert ja[1] == "地区 御祓 で活動"


def test_unknown_reference_and_category_are_clear_errors(mapped) -> None:
    with mapped.ws.session() as s:
        con = matching.dbapi(s)
        with pytest.raises(NotFoundError, match="NOPE-1"):
            matching.find_case_id(con, "NOPE-1")
        assert matching.find_case_id(con, mapped.ref["A"]) == mapped.case["A"]
    with pytest.raises(ValidationError, match="unknown need category"):
        matching.match_in_workspace(mapped.ws, mapped.case["A"], "roofing")
    assert matching.check_category("住宅修理") == "housing_repair"


def test_the_queries_repeat_the_partial_indexes_conditions() -> None:
    """The indexes are partial: SQLite uses one only when the query repeats its WHERE."""
    from recovery_desk.storage import models

    assert matching.HOLDING_TASKS_SQL == models.HOLDING_TASKS
    assert matching.OPEN_CASES_SQL == models.OPEN_CASES
    assert matching.NOT_OPEN_CASES_SQL == models.NOT_OPEN_CASES
    assert matching.UNMET_NEEDS_SQL == models.UNMET_NEEDS


def test_invite_adds_the_organisation_and_a_task_in_one_operation(mapped) -> None:
    from sqlalchemy import select

    from recovery_desk.storage.models import Activity, Need, Participation, Task

    invitation = matching.invite(mapped.ws, mapped.case["A"], mapped.org["DIST"], "housing_repair", "supporter",
                                 lang="ja")
    changes = invitation.changes
    with mapped.ws.session() as s:
        task = s.get(Task, changes.primary_id)
        assert (task.need_category, task.lead_org_id, task.title) == ("housing_repair", mapped.org["DIST"], "住宅修理")
        part = s.scalar(select(Participation).where(Participation.case_id == mapped.case["A"],
                                                    Participation.organisation_id == mapped.org["DIST"]))
        assert part.role == "supporter"
        states = set(s.scalars(select(Need.state).where(Need.case_id == mapped.case["A"],
                                                        Need.category == "housing_repair")))
        assert states == {"in_progress"}
        operations = set(s.scalars(select(Activity.operation_id).where(Activity.operation == "invite_organisation")))
        assert len(operations) == 1
    by = {c.acronym: c for c in match(mapped, "A", "housing_repair")["housing_repair"].candidates}
    assert by["DIST"].capacity_left == 1 and by["DIST"].on_case


def test_withdrawing_an_invitation_restores_the_case(mapped) -> None:
    before = [(c.acronym, c.capacity_left, c.on_case) for c in match(mapped, "A")["housing_repair"].candidates]
    invitation = matching.invite(mapped.ws, mapped.case["A"], mapped.org["DIST"], "housing_repair")
    assert "housing_repair" not in match(mapped, "A")  # in progress now, no longer unmet
    matching.withdraw_invitation(mapped.ws, invitation)
    assert [(c.acronym, c.capacity_left, c.on_case) for c in match(mapped, "A")["housing_repair"].candidates] == before
    # an organisation already on the case keeps its participation, and gets its role back
    lead = matching.invite(mapped.ws, mapped.case["A"], mapped.org["PREF"], "housing_repair", "supporter")
    assert (lead.participation_created, lead.previous_role) == (False, "lead")
    matching.withdraw_invitation(mapped.ws, lead)
    by = {c.acronym: c for c in match(mapped, "A")["housing_repair"].candidates}
    assert by["PREF"].role == "lead"
