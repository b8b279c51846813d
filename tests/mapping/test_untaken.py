"""is:untaken — needs without a taker — in the cases query and on the board."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from recovery_desk.services import matching, tasks
from recovery_desk.services.board_query import BoardScope, load_board
from recovery_desk.services.search import case_conditions
from recovery_desk.storage.models import Case

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


def cases_matching(m, query: str) -> set[str]:
    with m.ws.session() as s:
        ids = set(s.scalars(select(Case.id).where(*case_conditions(query, date(2024, 6, 30)))))
    return {k for k, v in m.case.items() if v in ids}


def test_cases_with_an_open_need_nobody_leads_a_task_for(mapped) -> None:
    assert cases_matching(mapped, "is:untaken") == {"A", "B"}
    assert cases_matching(mapped, "-untaken") == {"HOLD", "CLOSED"}
    matching.invite(mapped.ws, mapped.case["A"], mapped.org["DIST"], "housing_repair")
    assert cases_matching(mapped, "untaken") == {"A", "B"}  # A's food still has no taker
    matching.invite(mapped.ws, mapped.case["A"], mapped.org["FOOD"], "food")
    assert cases_matching(mapped, "untaken") == {"B"}


def test_board_cards_of_needs_without_a_taker(mapped) -> None:
    loose = tasks.create_task(mapped.ws, mapped.case["B"], title="保護の相談", need_category="protection").primary_id
    tasks.create_task(mapped.ws, mapped.case["B"], title="説明", need_category="information")
    with mapped.ws.session() as s:
        cards = {c.title for c in load_board(s, BoardScope("is:untaken")).cards}
    assert cards == {"保護の相談", "説明"}  # HOLD's repairs have leads
    tasks.create_task(mapped.ws, mapped.case["B"], title="見守り", need_category="protection",
                      lead_org_id=mapped.org["IDLE"])
    with mapped.ws.session() as s:
        cards = {c.id for c in load_board(s, BoardScope("is:untaken")).cards}
        assert loose not in cards  # another task on the case now leads that need
        assert {c.title for c in load_board(s, BoardScope("untaken case:" + mapped.ref["B"])).cards} == {"説明"}
