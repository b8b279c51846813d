"""A hand-built workspace for resource mapping: places at every level, organisations whose
figures are known by construction (see each comment), cases with unmet needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from recovery_desk.services import areas, board, cases, organisations, tasks

ISHIKAWA = dict(prefecture="石川県", prefecture_code="JP-17")
NANAO = dict(ISHIKAWA, municipality="七尾市", municipality_code="172022")


@dataclass
class Mapped:
    ws: object
    path: Path
    area: dict[str, str] = field(default_factory=dict)
    org: dict[str, str] = field(default_factory=dict)
    case: dict[str, str] = field(default_factory=dict)
    ref: dict[str, str] = field(default_factory=dict)


def add_org(m: Mapped, key: str, name: str, sector_axes: tuple[str, str, str], capabilities: dict[str, int | None],
            serves: tuple[str, ...] = ()) -> None:
    own, profit, form = sector_axes
    org_id = organisations.create_organisation(m.ws, name=name, acronym=key, ownership=own, profit=profit,
                                               formality=form).primary_id
    for category, capacity in capabilities.items():
        organisations.set_capability(m.ws, org_id, category, capacity)
    for area_key in serves:
        organisations.add_service_area(m.ws, org_id, m.area[area_key])
    m.org[key] = org_id


def add_case(m: Mapped, key: str, area_key: str | None, unmet: tuple[str, ...], stage: str = "assessment") -> None:
    changes = cases.create_case(m.ws, stage=stage, opened_on=date(2024, 1, 10),
                                area_id=m.area[area_key] if area_key else None)
    m.case[key] = changes.primary_id
    for category in unmet:
        cases.set_need(m.ws, changes.primary_id, category, "unmet")
    with m.ws.session() as s:
        from recovery_desk.storage.models import Case

        m.ref[key] = s.get(Case, changes.primary_id).reference


THIRD = ("private", "nonprofit", "formal")
MARKET = ("private", "forprofit", "formal")
STATE = ("public", "nonprofit", "formal")
COMMUNITY = ("private", "nonprofit", "informal")


@pytest.fixture
def mapped(workspace) -> Mapped:
    """Places: 御祓 and 和倉 (districts of 七尾市), 七尾市 whole, 石川県 whole, 輪島市 河井.

    housing_repair candidates for a case in 御祓:
      DIST  third sector, serves 御祓, capacity 3, holds 1 (a task on case HOLD) -> 2 left
      MUNI  market, serves 七尾市, capacity unknown
      PREF  state, serves 石川県, capacity 1, holds 1 -> full
      NONE  community, serves 輪島市 河井 only (not this case's area), capacity 10
    FOOD  third sector, serves 御祓, can take food only (never a housing_repair candidate)
    IDLE  community, serves 和倉, can take legal_property, on no case
    Case A (御祓: housing_repair, food unmet) has only PREF (state) on it; case B (和倉:
    housing_repair, protection, legal_property unmet) has nobody.
    """
    m = Mapped(workspace, workspace.path)
    for key, values in {"misogi": dict(NANAO, district="御祓"), "wakura": dict(NANAO, district="和倉"),
                        "nanao": dict(NANAO), "ishikawa": dict(ISHIKAWA),
                        "kawai": dict(ISHIKAWA, municipality="輪島市", municipality_code="172049", district="河井")
                        }.items():
        m.area[key] = areas.create_area(workspace, **values).primary_id
    add_org(m, "DIST", "御祓復興の会", THIRD, {"housing_repair": 3}, ("misogi",))
    add_org(m, "MUNI", "七尾工務店", MARKET, {"housing_repair": None}, ("nanao",))
    add_org(m, "PREF", "石川県庁", STATE, {"housing_repair": 1}, ("ishikawa",))
    add_org(m, "NONE", "河井町会", COMMUNITY, {"housing_repair": 10}, ("kawai",))
    add_org(m, "FOOD", "炊き出し有志", THIRD, {"food": 5}, ("misogi",))
    add_org(m, "IDLE", "和倉法律相談", COMMUNITY, {"legal_property": None}, ("wakura",))
    # HOLD: an open case in 和倉 on which DIST and PREF each hold housing_repair (one open task each).
    add_case(m, "HOLD", "wakura", ())
    for org in ("DIST", "PREF"):
        tasks.create_task(workspace, m.case["HOLD"], title="修理", need_category="housing_repair",
                          lead_org_id=m.org[org])
    # A closed case's open task holds nothing; a done task holds nothing.
    add_case(m, "CLOSED", "wakura", ())
    tasks.create_task(workspace, m.case["CLOSED"], title="修理", need_category="housing_repair",
                      lead_org_id=m.org["DIST"])
    cases.set_stage(workspace, m.case["CLOSED"], "closed", "goals_met")
    done = tasks.create_task(workspace, m.case["HOLD"], title="済", need_category="housing_repair",
                             lead_org_id=m.org["DIST"]).primary_id
    tasks.move_task(workspace, done, "done")
    # A: the case in 御祓 with unmet housing_repair and food; only the state (PREF) takes part.
    add_case(m, "A", "misogi", ("housing_repair", "food"))
    cases.add_participation(workspace, m.case["A"], m.org["PREF"], "lead")
    # B: a case in 和倉 nobody takes part in, with needs only some can take there.
    add_case(m, "B", "wakura", ("housing_repair", "protection", "legal_property"))
    return m


__all__ = ["COMMUNITY", "MARKET", "STATE", "THIRD", "Mapped", "add_case", "add_org", "board"]
