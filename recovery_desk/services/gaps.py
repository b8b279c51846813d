"""Coordination gaps: per area × need category, the unmet needs against who can take them there.

For every place that has live open cases (a district, or a municipality when cases name
no district) and every need category:

- ``unmet``: unmet needs of live open cases there;
- ``organisations_able``: live organisations with the capability whose service areas cover
  the place (its district, its municipality or its whole prefecture); for cases with no
  area, every organisation with the capability (the place cannot be judged);
- ``capacity_left``: the sum of those organisations' capacity left (capacity minus the open
  cases on which they hold the need, as in :mod:`services.matching`), over those whose
  capacity is known; None when none of them has a known capacity. ``capacity_unknown``
  counts the others. An organisation serving several places counts in each of them.
- ``gap``: ``no_one`` when no organisation can take the need there; ``over_capacity`` when
  the unmet needs exceed the known capacity left. An unknown capacity counts for nothing
  here (the coordinator cannot plan on it; ``capacity_unknown`` says how many there are),
  while the ranking of candidates treats it as not full (it may well take one more case).

Also: need categories that have unmet needs and that no organisation anywhere has as a
capability; idle organisations (at least one capability, known capacity or not, and no part
in any live open case); open cases that depend on one Pestoff sector only, with the best
candidate of another sector for one of their unmet needs (the first such organisation in
the matching order for the case — the same as ``match`` lists).

A handful of grouped queries on the DB-API connection of either engine (the counts per
area and need are made in SQL, from covering partial indexes: migration mapping_speed; a test
reads SQLite's plans), then the ranking per cell in Python over the few hundred cells. The
cells' figures come first (``complete=False``: what the Resource map page paints); the
ranking, the single-sector cases and the idle organisations follow (:func:`complete_gaps`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from recovery_desk.domain.errors import ValidationError
from recovery_desk.domain.vocabulary import NEED_CATEGORY, PESTOFF_SECTORS, SECTOR
from recovery_desk.i18n import current_language, tr
from recovery_desk.services.matching import (
    NOT_OPEN_CASE_IDS,
    OPEN_CASES_SQL,
    SERVES_LEVELS,
    UNMET_NEEDS_SQL,
    Candidate,
    Place,
    capabilities,
    check_category,
    holdings,
    on,
    rank_key,
    serves,
    stale_claims,
)
from recovery_desk.storage.engines import run_query

_PESTOFF_SQL = ", ".join(f"'{s}'" for s in PESTOFF_SECTORS)
GAP_ORDER = ("no_one", "over_capacity", None)

PlaceKey = tuple[str | None, str | None, str | None]  # (municipality code, municipality, district)
NO_PLACE: PlaceKey = (None, None, None)


def place_key(place: Place | None) -> PlaceKey:
    if place is None:
        return NO_PLACE
    return (place.municipality_code, place.municipality, place.district)


@dataclass(slots=True)
class Cell:
    key: PlaceKey
    need: str
    unmet: int = 0
    organisations_able: int = 0
    capacity_left: int | None = None
    capacity_unknown: int = 0

    @property
    def gap(self) -> str | None:
        if self.organisations_able == 0:
            return "no_one"
        if self.unmet > (self.capacity_left or 0):
            return "over_capacity"
        return None

    @property
    def shortfall(self) -> int:
        """Unmet needs beyond the known capacity left."""
        return max(0, self.unmet - (self.capacity_left or 0))

    def as_json(self) -> dict[str, Any]:
        code, municipality, district = self.key
        return {"municipality_code": code, "municipality": municipality, "district": district or None,
                "need": self.need, "unmet": self.unmet, "organisations_able": self.organisations_able,
                "capacity_left": self.capacity_left, "capacity_unknown": self.capacity_unknown, "gap": self.gap}


def worst_first(cell: Cell) -> tuple:
    return (GAP_ORDER.index(cell.gap), -cell.shortfall, -cell.unmet, cell.key[0] or "", cell.key[2] or "",
            NEED_CATEGORY.codes.index(cell.need) if cell.need in NEED_CATEGORY else len(NEED_CATEGORY))


@dataclass
class SingleSectorCase:
    case_id: str
    reference: str
    sector: str
    candidate: Candidate | None  # as recorded (its ``serves`` is not set: see candidate_serves)
    candidate_serves: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"case": self.reference, "sector": self.sector,
                "candidate": self.candidate.name if self.candidate else None,
                "need": self.candidate.category if self.candidate else None}


@dataclass
class Gaps:
    places: dict[PlaceKey, Place | None]  # the rows of the matrix, in display order
    grid: dict[tuple[PlaceKey, str], Cell]  # every place × category
    needs_without_capability: list[str]
    idle_organisations: list[str] | None  # None: not yet computed (see complete_gaps())
    single_sector_cases: list[SingleSectorCase] | None  # None: not yet computed (see complete_gaps())
    # (place, category) -> (level, candidate) of every candidate, in the matching order (complete_gaps())
    ranked: dict[tuple[PlaceKey, str], list[tuple[str | None, Candidate]]] = field(default_factory=dict)
    categories: list[str] = field(default_factory=lambda: list(NEED_CATEGORY.codes))
    # what complete_gaps() needs: the row of a case's area (None: filtered out), the categories,
    # every (organisation, capability) unranked, and per place how closely each organisation serves it
    key_of: Any = field(default=None, repr=False, compare=False)
    wanted: set[str] = field(default_factory=set, repr=False, compare=False)
    candidates: list[Candidate] = field(default_factory=list, repr=False, compare=False)
    level_of: dict[PlaceKey, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)
    idle_candidates: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # id -> name

    @property
    def complete(self) -> bool:
        """The ranking, the single-sector cases and the idle organisations are there (see compute_gaps)."""
        return self.single_sector_cases is not None

    def complete_with(self, completion: Completion) -> None:
        self.ranked = completion.ranked
        self.single_sector_cases = completion.single_sector_cases
        self.idle_organisations = completion.idle_organisations

    @property
    def cells(self) -> list[Cell]:
        """Cells with unmet needs, worst first."""
        return sorted((c for c in self.grid.values() if c.unmet), key=worst_first)

    def cell_candidates(self, key: PlaceKey, category: str) -> list[Candidate]:
        """The organisations able to take ``category`` at ``key``, in the matching order, placed there."""
        place = self.places.get(key)
        return [_placed(cand, level, place) for level, cand in self.ranked.get((key, category), ())
                if level is not None or key == NO_PLACE]

    @property
    def gap_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.gap]

    def as_json(self) -> dict[str, Any]:
        return {"cells": [c.as_json() for c in self.cells],
                "needs_without_capability": self.needs_without_capability,
                "idle_organisations": self.idle_organisations,
                "single_sector_cases": [s.as_json() for s in self.single_sector_cases]}


def area_matches(place: Place | None, text: str) -> bool:
    """The cases filter's meaning of area:… (district, municipality or its code contains the text)."""
    if place is None:
        return False
    needle = text.strip().casefold()
    return any(needle in part.casefold() for part in (place.district, place.municipality, place.municipality_code)
               if part)


def compute_gaps(con: Any, area: str | None = None, need: str | None = None,
                 now: datetime | None = None, complete: bool = True) -> Gaps:
    """The gaps. ``complete=False`` gives the cells' figures and the needs without capability
    only, and leaves the candidates' ranking, the single-sector cases (the dearest part: every
    participation) and the idle organisations to :func:`complete_gaps`: no figure of a cell
    depends on them, so the heat map shows first."""
    categories = [check_category(need)] if need else list(NEED_CATEGORY.codes)
    wanted = set(categories)

    area_places = {aid: Place(*(p or "" for p in parts)) for aid, *parts in run_query(
        con, "SELECT id, prefecture, prefecture_code, municipality, municipality_code, district FROM area"
        " WHERE deleted_at IS NULL")}
    allowed: set[str] | None = None
    if area:
        allowed = {aid for aid, p in area_places.items() if area_matches(p, area)}
        if not allowed:
            raise ValidationError("no area matches {value}", value=area)
    key_of_area = {aid: place_key(p) for aid, p in area_places.items()}
    place_of_key: dict[PlaceKey, Place | None] = {NO_PLACE: None}
    for p in area_places.values():
        place_of_key.setdefault(place_key(p), p)

    def key_of(area_id: str | None) -> PlaceKey | None:
        """The row of the matrix for a case's area, or None when the area filter leaves it out."""
        if allowed is not None and area_id not in allowed:
            return None
        return key_of_area.get(area_id, NO_PLACE)  # type: ignore[arg-type]

    # The rows: the places with open cases (ix_case_open holds exactly them, by area).
    places: dict[PlaceKey, Place | None] = {}
    for (area_id,) in run_query(con, f'SELECT DISTINCT area_id FROM "case" WHERE {OPEN_CASES_SQL}'):
        key = key_of(area_id)
        if key is not None:
            places[key] = place_of_key[key]
    unmet: dict[tuple[PlaceKey, str], int] = defaultdict(int)
    # Open cases first (CROSS JOIN keeps SQLite's order; PostgreSQL plans it as an inner join).
    for area_id, category, n in run_query(con, f"""
            SELECT c.area_id, n.category, count(*) FROM "case" c CROSS JOIN need n
            WHERE n.case_id = c.id AND {on("c", OPEN_CASES_SQL)} AND {on("n", UNMET_NEEDS_SQL)}
            GROUP BY c.area_id, n.category"""):
        key = key_of(area_id)
        if key is not None and category in wanted:
            unmet[(key, category)] += n

    found = capabilities(con)
    held = holdings(con)
    served = _served_areas(con)
    for cand in found:
        cand.held = held.get((cand.organisation_id, cand.category), 0)
        cand.adds_sector = cand.sector in PESTOFF_SECTORS  # true of any Pestoff sector for another-sector case
    with_capability = {c.category for c in found}
    level_of = _levels(served, area_places, places)

    # The cells' figures: who is able at each place (the order of the candidates does not matter here).
    by_category: dict[str, list[Candidate]] = defaultdict(list)
    for cand in found:
        by_category[cand.category].append(cand)
    grid: dict[tuple[PlaceKey, str], Cell] = {}
    for key, place in places.items():
        levels = level_of.get(key, {})
        for category in categories:
            cell = grid[(key, category)] = Cell(key, category, unmet.get((key, category), 0))
            for cand in by_category.get(category, ()):
                if place is None or cand.organisation_id in levels:
                    cell.organisations_able += 1
                    if cand.capacity is None:
                        cell.capacity_unknown += 1
                    else:
                        cell.capacity_left = (cell.capacity_left or 0) + (cand.capacity_left or 0)

    result = Gaps(
        places=dict(sorted(places.items(), key=lambda kv: tuple(x or "\uffff" for x in kv[0]))),
        grid=grid,
        needs_without_capability=[c for c in categories
                                  if c not in with_capability and any(unmet.get((k, c)) for k in places)],
        idle_organisations=None,
        single_sector_cases=None,
        categories=categories,
        key_of=key_of,
        wanted=wanted,
        candidates=found,
        level_of=level_of,
        idle_candidates=_idle_candidates(found, wanted, served, area_places, area),
    )
    if complete:
        result.complete_with(complete_gaps(con, result, now))
    return result


@dataclass
class Completion:
    """What :func:`complete_gaps` adds to a :class:`Gaps`."""

    ranked: dict[tuple[PlaceKey, str], list[tuple[str | None, Candidate]]]
    single_sector_cases: list[SingleSectorCase]
    idle_organisations: list[str]


def complete_gaps(con: Any, g: Gaps, now: datetime | None = None) -> Completion:
    """The ranking of every cell's candidates (stale claims counted), the single-sector cases
    and the idle organisations of ``g``. Reads only and leaves ``g`` as it is (a worker job
    runs this while the heat map of ``g`` is painted); :meth:`Gaps.complete_with` adds it."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    stale = stale_claims(con, now)
    # Per category, the candidates in the matching order of a place they do not serve (the rank
    # key without its first part); at a place, a stable split by closeness then gives rank_key's
    # order. Copies: the candidates of ``g`` stay as they are.
    by_category: dict[str, list[Candidate]] = defaultdict(list)
    for cand in sorted((replace(c, stale_claims=stale.get(c.organisation_id, 0)) for c in g.candidates),
                       key=lambda c: rank_key(c, None)):
        by_category[cand.category].append(cand)
    ranked: dict[tuple[PlaceKey, str], list[tuple[str | None, Candidate]]] = {}
    for key in g.places:
        levels = g.level_of.get(key, {})
        for category in g.categories:
            buckets: list[list[tuple[str | None, Candidate]]] = [[] for _ in range(len(SERVES_LEVELS) + 1)]
            for cand in by_category.get(category, ()):
                level = levels.get(cand.organisation_id)
                buckets[SERVES_LEVELS.index(level) if level else len(SERVES_LEVELS)].append((level, cand))
            ranked[(key, category)] = [entry for bucket in buckets for entry in bucket]
    engaged = _engaged(con)
    idle = sorted(name for org_id, name in g.idle_candidates.items() if org_id not in engaged)
    return Completion(ranked, single_sector_cases(con, g.key_of, g.wanted, ranked), idle)


def _served_areas(con: Any) -> dict[str, set[str]]:
    """organisation id -> the ids of the live areas it serves."""
    out: dict[str, set[str]] = defaultdict(set)
    for org_id, area_id in run_query(con, "SELECT s.organisation_id, s.area_id FROM service_area s"
                                          " JOIN area a ON a.id = s.area_id"
                                          " WHERE s.deleted_at IS NULL AND a.deleted_at IS NULL"):
        out[org_id].add(area_id)
    return out


def _levels(served: dict[str, set[str]], area_places: dict[str, Place],
            places: dict[PlaceKey, Place | None]) -> dict[PlaceKey, dict[str, str]]:
    """place -> organisation id -> how closely it serves the place (only those that serve it).
    Service areas are rows of the few areas: what each area covers is judged once per pair."""
    covers: dict[str, list[tuple[PlaceKey, str]]] = defaultdict(list)
    for area_id, service_area in area_places.items():
        for key, place in places.items():
            level = serves(service_area, place) if place is not None else None
            if level is not None:
                covers[area_id].append((key, level))
    out: dict[PlaceKey, dict[str, str]] = defaultdict(dict)
    for org_id, area_ids in served.items():
        for area_id in area_ids:
            for key, level in covers.get(area_id, ()):
                best = out[key].get(org_id)
                if best is None or SERVES_LEVELS.index(level) < SERVES_LEVELS.index(best):
                    out[key][org_id] = level
    return out


def _placed(cand: Candidate, level: str | None, place: Place | None) -> Candidate:
    """A copy of ``cand`` placed relative to ``place``."""
    name = ""
    if place is not None and level is not None:
        name = {"district": place.district, "municipality": place.municipality,
                "prefecture": place.prefecture}[level]
    return replace(cand, serves=level, serves_area=name)


def single_sector_cases(con: Any, key_of: Any, wanted: set[str],
                        ranked: dict[tuple[PlaceKey, str], list[tuple[str | None, Candidate]]]) -> list[SingleSectorCase]:
    """The open cases of the places of ``ranked`` that depend on one Pestoff sector, each with the
    best candidate of another sector for one of its unmet needs (the first in the matching order;
    between two needs that the same organisation is first for, the need whose code sorts first)."""
    # The best candidate of a sector other than S at (place, category): the first in the matching order.
    best_other: dict[tuple[PlaceKey, str, str], tuple[tuple, str | None, Candidate]] = {}
    for (key, category), entries in ranked.items():
        for sector in PESTOFF_SECTORS:
            for level, cand in entries:
                if cand.sector in PESTOFF_SECTORS and cand.sector != sector:
                    best_other[(key, category, sector)] = (rank_key(cand, level), level, cand)
                    break
    # The open cases whose taking part organisations are of one Pestoff sector, each with its
    # unmet needs: the sectors per case from the participations (ix_participation_sectors; the
    # few organisations once), then the open cases (ix_case_open) looked up in that set.
    # Each case's rows come together (one probe of the case's needs), its needs in any order.
    # "min >= max" means min = max, written so that PostgreSQL estimates a third of the cases
    # rather than 0.5 % (its guess for an equality): it then joins them to the open cases by
    # hash instead of looking up each of the ~19,000 cases by its key (SQLite plans the same).
    unmet_of: dict[str, list[str]] = {}
    facts: dict[str, tuple[str, str | None, str]] = {}
    for case_id, reference, area_id, sector, category in run_query(con, f"""
            WITH o AS MATERIALIZED (SELECT id, sector FROM organisation
                                    WHERE deleted_at IS NULL AND sector IN ({_PESTOFF_SQL})),
                 s AS MATERIALIZED (SELECT p.case_id, min(o.sector) AS sector FROM participation p CROSS JOIN o
                                    WHERE o.id = p.organisation_id AND p.deleted_at IS NULL
                                    GROUP BY p.case_id HAVING min(o.sector) >= max(o.sector))
            SELECT c.id, c.reference, c.area_id, s.sector, n.category
            FROM "case" c CROSS JOIN s LEFT JOIN need n ON n.case_id = c.id AND {on("n", UNMET_NEEDS_SQL)}
            WHERE s.case_id = c.id AND {on("c", OPEN_CASES_SQL)}"""):
        needs = unmet_of.get(case_id)
        if needs is None:
            needs = unmet_of[case_id] = []
            facts[case_id] = (reference, area_id, sector)
        if category in wanted:
            needs.append(category)
    # Cases of one place and sector with the same unmet needs have the same best candidate:
    # judged once per such combination (a few thousand for tens of thousands of cases).
    judged: dict[tuple, tuple[Candidate | None, str | None]] = {}
    out = []
    for case_id, (reference, area_id, sector) in facts.items():
        key = key_of(area_id)
        if key is None:
            continue
        needs = unmet_of[case_id]
        needs.sort()  # the order of the tie above, whatever order the engine returned them in
        combination = (key, sector, *needs)
        best = judged.get(combination)
        if best is None:
            options = [best_other[k] for k in ((key, c, sector) for c in needs) if k in best_other]
            first = min(options, key=lambda entry: entry[0]) if options else None
            best = judged[combination] = (first[2], first[1]) if first else (None, None)
        out.append(SingleSectorCase(case_id, reference, sector, *best))
    out.sort(key=lambda s: s.reference)
    return out


def _idle_candidates(found: list[Candidate], wanted: set[str], served: dict[str, set[str]],
                     area_places: dict[str, Place], area: str | None) -> dict[str, str]:
    """id -> name of the organisations that are idle unless they take part in an open case:
    a capability among the categories asked for, and (with --area) a service area there."""
    orgs = {c.organisation_id: c.name for c in found if c.category in wanted}
    if area:
        orgs = {o: n for o, n in orgs.items()
                if any(area_matches(area_places.get(a), area) for a in served.get(o, ()))}
    return orgs


def _engaged(con: Any) -> set[str]:
    """The organisations that take part in an open case. Per organisation, SQLite stops at its
    first participation in an open case (ix_participation_filter)."""
    return {org_id for (org_id,) in run_query(con, f"""
        SELECT o.id FROM organisation o WHERE o.deleted_at IS NULL AND EXISTS (
            SELECT 1 FROM participation p WHERE p.organisation_id = o.id AND p.deleted_at IS NULL
            AND p.case_id NOT IN ({NOT_OPEN_CASE_IDS}))""")}


def cell_cases(con: Any, key: PlaceKey, category: str) -> list[tuple[str, str, str]]:
    """(case id, reference, address) of the live open cases at ``key`` with an unmet ``category`` need."""
    rows = run_query(con, f"""
        SELECT c.id, c.reference, c.address, a.municipality_code, a.municipality, a.district
        FROM need n JOIN "case" c ON c.id = n.case_id LEFT JOIN area a ON a.id = c.area_id AND a.deleted_at IS NULL
        WHERE n.category = :category AND {on("n", UNMET_NEEDS_SQL)} AND {on("c", OPEN_CASES_SQL)}
        ORDER BY c.sequence""", {"category": category})
    out, seen = [], set()
    for case_id, reference, address, code, municipality, district in rows:
        here: PlaceKey = NO_PLACE if code is None and municipality is None else (code or "", municipality or "",
                                                                                 district or "")
        if here == key and case_id not in seen:
            seen.add(case_id)
            out.append((case_id, reference, address or ""))
    return out


def place_label(key: PlaceKey, lang: str | None = None) -> str:
    code, municipality, district = key
    if key == NO_PLACE:
        return tr("(no area)", lang)
    return " ".join(p for p in (municipality or code, district) if p)


def format_gaps(gaps: Gaps, lang: str | None = None, limit: int = 20) -> str:
    """The text ``gaps`` prints without --json: the worst cells and the lists."""
    lang = lang or current_language()
    cells = gaps.cells
    lines = [tr("Coordination gaps: {gaps} of {cells} area × need cells with unmet needs", lang,
                gaps=len(gaps.gap_cells), cells=len(cells))]
    for cell in cells[:limit]:
        capacity = "?" if cell.capacity_left is None else cell.capacity_left
        flag = {"no_one": tr("no one can take it", lang), "over_capacity": tr("over capacity", lang)}.get(cell.gap, "")
        lines.append("  " + tr("{area} · {need}: {unmet} unmet, {able} able, {capacity} capacity left", lang,
                               area=place_label(cell.key, lang), need=NEED_CATEGORY.label(cell.need, lang),
                               unmet=cell.unmet, able=cell.organisations_able, capacity=capacity)
                     + (f" — {flag}" if flag else ""))
    lines.append(tr("Needs no organisation has as a capability: {needs}", lang, needs=", ".join(
        NEED_CATEGORY.label(c, lang) for c in gaps.needs_without_capability) or "-"))
    lines.append(tr("Idle organisations (a capability, no open case): {n}", lang, n=len(gaps.idle_organisations)))
    lines += [f"  {name}" for name in gaps.idle_organisations[:limit]]
    with_candidate = [s for s in gaps.single_sector_cases if s.candidate]
    lines.append(tr("Open cases with one sector only: {n} ({m} with a candidate of another sector)", lang,
                    n=len(gaps.single_sector_cases), m=len(with_candidate)))
    for s in with_candidate[:limit]:
        lines.append(f"  {s.reference} ({SECTOR.label(s.sector, lang)}) → {s.candidate.name}"
                     f" ({NEED_CATEGORY.label(s.candidate.category, lang)})")
    return "\n".join(lines)


@dataclass(slots=True)
class MapPoint:
    case_id: str
    reference: str
    latitude: float
    longitude: float
    key: PlaceKey
    unmet: tuple[str, ...]  # its unmet need categories


def map_points(con: Any) -> tuple[list[MapPoint], list[tuple[str, float, float]]]:
    """The live open cases that have coordinates, with their unmet needs (for the map mode), and
    the labels to draw: (district or municipality, latitude, longitude) of each area with coordinates."""
    unmet: dict[str, list[str]] = defaultdict(list)
    for case_id, category in run_query(con, f"SELECT case_id, category FROM need WHERE {UNMET_NEEDS_SQL}"):
        unmet[case_id].append(category)
    keys = {aid: (code or "", municipality or "", district or "") for aid, code, municipality, district in run_query(
        con, "SELECT id, municipality_code, municipality, district FROM area WHERE deleted_at IS NULL")}
    points = [MapPoint(case_id, reference, lat, lon, keys.get(area_id, NO_PLACE), tuple(unmet.get(case_id, ())))
              for case_id, reference, lat, lon, area_id in run_query(con, f"""
                  SELECT id, reference, latitude, longitude, area_id FROM "case"
                  WHERE {OPEN_CASES_SQL} AND latitude IS NOT NULL AND longitude IS NOT NULL""")]
    labels = [(district or municipality, lat, lon) for district, municipality, lat, lon in run_query(con,
        "SELECT district, municipality, latitude, longitude FROM area WHERE deleted_at IS NULL"
        " AND latitude IS NOT NULL AND longitude IS NOT NULL") if district or municipality]
    return points, labels
