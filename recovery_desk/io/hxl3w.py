"""3W / 4W files (who does what where) in and out, with HXL hashtags (libhxl).

Import = resource mapping: each row names an organisation, a sector and a place. The
organisations are deduplicated by acronym or name (and merged into organisations already
in the workspace), the sector becomes a *capability* (a need category), the place a
*service area* (``#adm1`` → prefecture columns, ``#adm2`` → municipality columns,
``#adm3`` → district; non-Japanese P-codes go in the same columns). Files with an HXL
hashtag row are read with libhxl; untagged files (like the Ethiopia 3W) are mapped from
their column names, or with ``--map COLUMN=FIELD``.

Sector → need category. The sector is matched to an IASC cluster code (by code, or by
the cluster's English or French name and common short forms), then to the *primary* need
category of that cluster — the reverse of ``vocabulary.NEED_CLUSTER``, where a cluster
covers several categories:

=========  ======================  ==============================================
cluster    primary category        why
=========  ======================  ==============================================
SHL        housing_repair          shelter partners repair and build homes
CCM        temporary_housing       camp / evacuation-centre management
FSC        food
NUT        food                    nutrition programmes deliver food
WSH        water_sanitation
HEA        health
PRO        protection
PRO-CPN    protection              child protection
PRO-GBV    protection
PRO-MIN    protection
PRO-HLP    legal_property          housing, land and property rights
EDU        child_education
ERY        livelihood_employment   early recovery is mostly livelihoods
LOG        transport
TEL        information
=========  ======================  ==============================================

Sectors that are not IASC clusters but common in 3Ws: Basic Assistance (cash and basic
items) → household_items, Agriculture and Livelihood(s) → livelihood_employment, Social
Stability → community, Cash → benefits_paperwork. An unknown sector adds no capability
and is reported as a note.

Export: one row per organisation × need category × municipality × status, from the tasks
(lead organisation; ``#reached+hh`` = distinct cases), plus, for capabilities × service
areas with no task there, a row with an empty ``#status`` (capacity without activity).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from recovery_desk.domain.vocabulary import (
    NEED_CATEGORY,
    NEED_CLUSTER,
    ORG_TYPE,
    ORG_TYPE_HDX,
    TASK_STATUS_HXL,
    derive_sector,
)
from recovery_desk.i18n import tr
from recovery_desk.io import normalise as norm
from recovery_desk.io.export import Sheet
from recovery_desk.io.fields import FIELDS_3W
from recovery_desk.io.importer import (
    AreaIndex,
    ImportOptions,
    ImportProblem,
    ImportRejected,
    ImportResult,
    Note,
    OrgIndex,
    Plan,
    check_kind,
    operation_name,
    write_plan,
)
from recovery_desk.io.orgtypes import DEFAULT_AXES, lookup_org_type
from recovery_desk.io.tables import ImportFileError, read_grid
from recovery_desk.services.validation import control_character, shown_safely
from recovery_desk.storage.models import (
    Area,
    Capability,
    Case,
    Organisation,
    Participation,
    ServiceArea,
    Task,
    new_id,
)

CLUSTER_PRIMARY = {
    "SHL": "housing_repair", "CCM": "temporary_housing", "FSC": "food", "NUT": "food", "WSH": "water_sanitation",
    "HEA": "health", "PRO": "protection", "PRO-CPN": "protection", "PRO-GBV": "protection",
    "PRO-MIN": "protection", "PRO-HLP": "legal_property", "EDU": "child_education", "ERY": "livelihood_employment",
    "LOG": "transport", "TEL": "information",
}
# Every cluster code the vocabulary uses has a primary category of its own.
assert all(c in CLUSTER_PRIMARY for c in NEED_CLUSTER.values() if c)
assert all(NEED_CLUSTER[CLUSTER_PRIMARY[c]] == c for c in NEED_CLUSTER.values() if c)

CLUSTER_NAMES = {
    "SHL": "emergency shelter and nfi|shelter|shelter and nfi|esnfi|es/nfi|nfi|shelter & site coordination|"
           "shelter and site coordination|abris d'urgence et nfi|abris",
    "CCM": "camp coordination / management|cccm|camp coordination and camp management|camp management|"
           "site management|coordination et gestion des camps",
    "FSC": "food security|food|fsl|food security and livelihoods|sécurité alimentaire",
    "NUT": "nutrition",
    "WSH": "water sanitation hygiene|wash|water, sanitation and hygiene|water sanitation and hygiene|eha|"
           "eau, assainissement et hygiène",
    "HEA": "health|santé|salud",
    "PRO": "protection|protección",
    "PRO-CPN": "child protection|cp|protection de l'enfance",
    "PRO-GBV": "gender based violence|gbv|gender-based violence|vbg",
    "PRO-MIN": "mine action|action contre les mines",
    "PRO-HLP": "housing, land and property|hlp|logement, terre et propriété",
    "EDU": "education|éducation|educación",
    "ERY": "early recovery|relèvement précoce",
    "LOG": "logistics|logistique",
    "TEL": "emergency telecommunications|etc|télécommunications d'urgence",
}
OTHER_SECTORS = {
    "basic assistance": "household_items", "agriculture": "livelihood_employment",
    "livelihood": "livelihood_employment", "livelihoods": "livelihood_employment",
    "social stability": "community", "cash": "benefits_paperwork", "multi-purpose cash": "benefits_paperwork",
}
_SECTOR_KEYS: dict[str, str] = {}
for _code, _names in CLUSTER_NAMES.items():
    _SECTOR_KEYS[norm.header_key(_code)] = CLUSTER_PRIMARY[_code]
    for _n in _names.split("|"):
        _SECTOR_KEYS.setdefault(norm.header_key(_n), CLUSTER_PRIMARY[_code])
for _n, _cat in OTHER_SECTORS.items():
    _SECTOR_KEYS.setdefault(norm.header_key(_n), _cat)


def sector_category(text: str) -> str | None:
    """The need category for a sector / cluster name or code (also our own category labels)."""
    if not text.strip():
        return None
    return _SECTOR_KEYS.get(norm.header_key(text)) or NEED_CATEGORY.lookup(norm.nfkc(text))


# Untagged files: column names → fields (after normalise.header_key), best first.
ALIASES_3W = {
    "org_name": "implementing partner name|name|implementing partner|implementing organization|implementing organisation|"
                "partner name|organization name|organisation name|organization|organisation|org name|partner|"
                "団体名|組織名|団体|organización|organizacion",
    "org_acronym": "implementing partner acronym|partner acronym|acronym|org acronym|略称",
    "org_type": "implementing partner type|partner type|organization type|organisation type|org type|"
                "org_type_code|org type code|org_type_description|type|団体種別",
    "sector": "cluster|sector|sector/cluster|cluster name|sector name|分野|クラスター",
    "activity": "activity|activity name|activities|活動|活動内容",
    "adm1_name": "region|admin1|admin1 name|adm1|province|state|governorate|都道府県",
    "adm1_code": "region pcode|admin1code|admin1 pcode|adm1 code|adm1 pcode|都道府県コード",
    "adm2_name": "zone|admin2|admin2 name|adm2|district|市区町村",
    "adm2_code": "zone pcode|admin2code|admin2 pcode|adm2 code|adm2 pcode|市区町村コード",
    "adm3_name": "woreda|admin3|admin3 name|adm3|sub-district|地区",
    "adm3_code": "woredapcod|woreda pcode|admin3code|admin3 pcode|adm3 code|adm3 pcode",
    "status": "activity status|status|状態",
    "capacity": "capacity|受け入れ可能数|対応可能件数",
}
_ALIAS_KEYS = {f: [norm.header_key(a) for a in names.split("|")] for f, names in ALIASES_3W.items()}


def _field_for_tag(tag: str, attributes: set[str]) -> str | None:
    if tag == "#org":
        if attributes & {"funder", "prog", "donor"}:
            return None
        if "type" in attributes:
            return "org_type"
        if "acronym" in attributes:
            return "org_acronym"
        if "code" in attributes or "id" in attributes:
            return None
        return "org_name"
    if tag in ("#sector", "#cluster"):
        return "sector" if not (attributes & {"sub", "subsector"}) else None
    if tag == "#activity":
        return "activity"
    if tag in ("#adm1", "#adm2", "#adm3"):
        return f"{tag[1:]}_{'code' if 'code' in attributes else 'name'}"
    if tag == "#status":
        return "status"
    if tag == "#capacity":
        return "capacity"
    return None


def _hxl_columns(rows: list[list[str]]) -> tuple[int, list[str], list[str | None]] | None:
    """(tag row index, headers, field per column) when the rows carry an HXL hashtag row."""
    import hxl
    import hxl.input

    hxl_logger = logging.getLogger("hxl")
    level = hxl_logger.level
    hxl_logger.setLevel(logging.CRITICAL)  # libhxl logs malformed tags as errors; we report them ourselves
    try:
        ds = hxl.data(hxl.input.ArrayInput(rows[:40]))
        columns = ds.columns
        data_rows = sum(1 for _ in ds)
    except hxl.HXLException:
        return None
    except Exception:  # libhxl raises plain exceptions on some malformed inputs
        return None
    finally:
        hxl_logger.setLevel(level)
    if not columns or not any(c.tag for c in columns):
        return None
    tag_index = min(40, len(rows)) - data_rows - 1
    # libhxl keeps the header row text; make sure the index really is the hashtag row.
    while tag_index > 0 and not any(str(v).strip().startswith("#") for v in rows[tag_index]):
        tag_index -= 1
    fields: list[str | None] = []
    seen: set[str] = set()
    for c in columns:
        f = _field_for_tag(c.tag or "", set(c.attributes or ())) if c.tag else None
        if f in seen:
            f = None
        if f:
            seen.add(f)
        fields.append(f)
    headers = [c.header or c.display_tag or "" for c in columns]
    return tag_index, headers, fields


def _untagged_columns(rows: list[list[str]], explicit: dict[str, str]) -> tuple[int, list[str], list[str | None]]:
    explicit_keys = {norm.header_key(k): v for k, v in explicit.items()}
    best, best_score = 0, 0
    all_keys = {k for keys in _ALIAS_KEYS.values() for k in keys} | set(explicit_keys)
    for index, row in enumerate(rows[:30]):
        score = sum(1 for v in row if norm.header_key(v) in all_keys)
        if score > best_score:
            best, best_score = index, score
    headers = [norm.fold_width(str(v)) for v in rows[best]] if rows else []
    fields: list[str | None] = [None] * len(headers)
    ranks: dict[str, tuple[int, int]] = {}
    for index, header in enumerate(headers):
        key = norm.header_key(header)
        if header in explicit or key in explicit_keys:
            target = explicit.get(header) or explicit_keys[key]
            rank = (-1, index)
        else:
            target, rank = None, None
            for f, keys in _ALIAS_KEYS.items():
                if key and key in keys and (rank is None or (keys.index(key), index) < rank):
                    target, rank = f, (keys.index(key), index)
        if target is None or target == "-" or rank is None:
            continue
        prev = ranks.get(target)
        if prev is None or rank < prev:
            if prev is not None:
                fields[prev[1]] = None
            fields[index] = target
            ranks[target] = rank
    return best, headers, fields


def load_3w(path: Path, options: ImportOptions, require_org: bool = True) -> tuple[int, list[str], list[str | None], list[list[str]], Any]:
    grid = read_grid(path, options.encoding, options.sheet)
    rows = grid.as_lists()
    for target in options.mapping.values():
        if target not in FIELDS_3W and target != "-":
            raise ImportFileError("--map {source}={target}: '{target}' is not a field of {kind} (fields: {fields})",
                                  source="…", target=target, kind="3w", fields=", ".join(FIELDS_3W))
    tagged = None if options.mapping else _hxl_columns(rows)
    tagged_file = tagged is not None
    if tagged is None:
        tagged = _untagged_columns(rows, options.mapping)
    header_index, headers, fields = tagged
    if options.mapping:
        matched = {h for h in headers} | {norm.header_key(h) for h in headers}
        unknown = [s for s in options.mapping if s not in matched and norm.header_key(s) not in matched]
        if unknown:
            raise ImportFileError("--map: no column named {columns} in {path} (columns: {available})",
                                  columns=", ".join(f"'{u}'" for u in unknown), path=path,
                                  available=", ".join(h for h in headers if h))
    if require_org and not tagged_file and not options.mapping:
        # An untagged file of another kind (a household list): its columns fit that kind better.
        check_kind(path, grid, "3w", [h for h, f in zip(headers, fields, strict=True) if f], header_index + 1)
    if require_org and "org_name" not in fields and not (tagged_file and "org_acronym" in fields):
        raise ImportFileError(
            "{path}: no organisation column (HXL #org or a column such as 'Implementing Partner Name'); "
            "map one with --map COLUMN=org_name", path=path)
    return header_index, headers, fields, rows, grid


def import_3w(ws: Any, path: Path | str, options: ImportOptions, progress: Any = None) -> ImportResult:
    path = Path(path)
    header_index, headers, fields, rows, grid = load_3w(path, options)
    if progress is not None:
        progress.report(0, 1, tr("Checking…"))
    name = operation_name("3w", options.valid_only)
    result = ImportResult(kind="3w", path=path, encoding=grid.encoding, sheet=grid.sheet,
                          header_row=header_index + 1, dry_run=options.dry_run, valid_only=options.valid_only,
                          mapping={(headers[i] or f"#{i + 1}"): f for i, f in enumerate(fields) if f})
    if options.dry_run:
        with ws.session() as session:
            plan = plan_3w(session, rows, header_index, headers, fields, result)
        result.counts = plan.counts()
        return result
    with ws.operation(name) as op:
        plan = plan_3w(op.session, rows, header_index, headers, fields, result)
        result.counts = plan.counts()
        if result.problems and not options.valid_only:
            raise ImportRejected(path, result.problems)
        write_plan(op, plan, progress)
        result.written = bool(result.counts)
        result.operation = name
    result.changes = op.changes
    return result


def plan_3w(session: Session, rows: list[list[str]], header_index: int, headers: list[str],
            fields: list[str | None], result: ImportResult) -> Plan:
    plan = Plan()
    orgs = OrgIndex(session)
    areas = AreaIndex(session, plan)
    caps = {(o, c) for o, c in session.execute(select(Capability.organisation_id, Capability.need_category)
                                               .where(Capability.deleted_at.is_(None)))}
    served = {(o, a) for o, a in session.execute(select(ServiceArea.organisation_id, ServiceArea.area_id)
                                                 .where(ServiceArea.deleted_at.is_(None)))}
    index = {f: i for i, f in enumerate(fields) if f}
    unknown_sectors: dict[str, int] = {}
    unknown_types: dict[str, int] = {}
    new_orgs: dict[str, dict[str, Any]] = {}
    cache_type: dict[str, str | None] = {}
    cache_sector: dict[str, str | None] = {}
    width = len(headers)
    header_rows = header_signatures(rows[:header_index + 1], fields)
    for offset, raw in enumerate(rows[header_index + 1:]):
        row_number = header_index + 2 + offset
        cells = [norm.fold_width(str(v)) for v in raw[:width]]
        if not any(cells):
            result.empty_rows += 1
            continue
        repeated = header_rows.get(_signature(cells, fields))
        if repeated is not None:
            first = next(i for i, f in enumerate(fields) if f)
            result.total_rows += 1
            result.problems.append(ImportProblem("this row repeats the header row (row {header}); remove it",
                                                 row=row_number, column=headers[first], value=cells[first],
                                                 header=repeated))
            result.skipped_rows += 1
            continue
        if all(c.startswith("#") or not c for c in cells):
            continue
        result.total_rows += 1
        get = lambda f, cells=cells: cells[index[f]] if f in index and index[f] < len(cells) else ""  # noqa: E731
        org_name, acronym = get("org_name"), get("org_acronym")
        if not org_name and not acronym:
            result.problems.append(ImportProblem("no organisation named in this row", row=row_number,
                                                 column=headers[index.get("org_name", index.get("org_acronym", 0))]))
            result.skipped_rows += 1
            continue
        if len(org_name) > 200 or len(acronym) > 50:
            result.problems.append(ImportProblem("too long ({length} characters, at most {max})", row=row_number,
                                                 column=headers[index["org_name" if len(org_name) > 200 else "org_acronym"]],
                                                 value=org_name if len(org_name) > 200 else acronym,
                                                 length=max(len(org_name), len(acronym)),
                                                 max=200 if len(org_name) > 200 else 50))
            result.skipped_rows += 1
            continue
        # The services' rule for names (services/validation.py), on the cells as written: the
        # width folding above silently drops some control characters.
        written = {f: str(raw[index[f]]).strip() for f in ("org_name", "org_acronym")
                   if f in index and index[f] < len(raw)}
        controlled = next(((f, found) for f, text in written.items() if (found := control_character(text, "name"))),
                          None)
        if controlled is not None:
            column, (code, position) = controlled
            result.problems.append(ImportProblem(
                "contains the control character {code} at position {position}; remove it", row=row_number,
                column=headers[index[column]], value=shown_safely(written[column]), code=code, position=position))
            result.skipped_rows += 1
            continue
        oid = (orgs.find(acronym) if acronym else None) or orgs.find(org_name)
        type_text = get("org_type")
        org_type = None
        if type_text:
            if type_text not in cache_type:
                cache_type[type_text] = lookup_org_type(type_text)
            org_type = cache_type[type_text]
            if org_type is None:
                unknown_types.setdefault(type_text, row_number)
        if oid is None:
            oid = new_id()
            new_orgs[oid] = dict(id=oid, name=org_name or acronym, acronym=acronym, legal_form="", phone="",
                                 email="", address="", website="", notes="")
            _set_type(new_orgs[oid], org_type or "other")
            plan.add(Organisation, new_orgs[oid])
            orgs.remember(oid, org_name or acronym, acronym)
        elif oid in new_orgs:
            # The first rows of an organisation often leave its name or type blank.
            planned = new_orgs[oid]
            if org_type and planned["org_type"] == "other":
                _set_type(planned, org_type)
            if org_name and planned["name"] == planned["acronym"] and org_name != acronym:
                planned["name"] = org_name
                orgs.remember(oid, org_name, acronym)
        sector, activity = get("sector"), get("activity")
        if sector or activity:
            # An activity named like one of our need categories (our own 3W export) is
            # more precise than its cluster, which covers several categories.
            ckey = f"{sector}\x1f{activity}"
            if ckey not in cache_sector:
                cache_sector[ckey] = (NEED_CATEGORY.lookup(activity) if activity else None) or (
                    sector_category(sector) if sector else None)
            category = cache_sector[ckey]
            if category is None and sector:
                unknown_sectors.setdefault(sector, row_number)
            elif category is not None and (oid, category) not in caps:
                capacity_text = get("capacity")
                try:
                    capacity = norm.parse_int(capacity_text) if capacity_text else None
                except ValueError:
                    capacity = -1
                if capacity is not None and capacity < 0:
                    result.problems.append(ImportProblem("capacity '{capacity}' is not a whole number (e.g. 住宅修理:20)",
                                                         row=row_number, column=headers[index["capacity"]],
                                                         value=capacity_text, capacity=capacity_text))
                    result.skipped_rows += 1
                    continue
                caps.add((oid, category))
                plan.add(Capability, dict(id=new_id(), organisation_id=oid, need_category=category,
                                          capacity=capacity))
        location = dict(prefecture=get("adm1_name")[:100], prefecture_code=get("adm1_code")[:16],
                        municipality=get("adm2_name")[:100], municipality_code=get("adm2_code")[:16],
                        district=get("adm3_name")[:100])
        area_id = areas.resolve(location)
        if area_id and (oid, area_id) not in served:
            served.add((oid, area_id))
            plan.add(ServiceArea, dict(id=new_id(), organisation_id=oid, area_id=area_id))
    if not result.total_rows:
        raise ImportFileError("{path}: no data rows below the header (row {row}); nothing to import",
                              path=result.path, row=header_index + 1)
    for sector, row in unknown_sectors.items():
        result.notes.append(Note(row, "sector '{sector}' is not a known cluster; no capability added",
                                 {"sector": sector}))
    for type_text, row in unknown_types.items():
        result.notes.append(Note(row, "organisation type '{type}' not recognised; 'other' used", {"type": type_text}))
    return plan


def _signature(cells: list[str], fields: list[str | None]) -> tuple[str, ...]:
    """What identifies a header row: the names in the columns that give fields."""
    return tuple(norm.header_key(cells[i]) if i < len(cells) else "" for i, f in enumerate(fields) if f)


def header_signatures(rows: list[list[str]], fields: list[str | None]) -> dict[tuple[str, ...], int]:
    """The rows above the data (text headers, the hashtag row) by their signature, with their
    row numbers; a data row with the same signature (two files pasted one under the other)
    is a header again. Rows naming fewer than two columns (titles, notes) do not count."""
    signatures: dict[tuple[str, ...], int] = {}
    for index, raw in enumerate(rows):
        signature = _signature([norm.fold_width(str(v)) for v in raw], fields)
        if sum(1 for k in signature if k) >= min(2, len(signature)) and any(signature):
            signatures.setdefault(signature, index + 1)
    return signatures


def _set_type(row: dict[str, Any], org_type: str) -> None:
    ownership, profit, formality = DEFAULT_AXES[org_type]
    row.update(org_type=org_type, ownership=ownership, profit=profit, formality=formality,
               sector=derive_sector(ownership, profit, formality))


# -- export ------------------------------------------------------------------------------------
HXL_COLUMNS = [
    ("Organisation", "#org+name"), ("Acronym", "#org+acronym"), ("Organisation type", "#org+type"),
    ("Implementing partner", "#org+impl"), ("Funder", "#org+funder"), ("Cluster", "#sector+cluster+code"),
    ("Activity", "#activity+name"), ("Prefecture", "#adm1+name"), ("Prefecture code", "#adm1+code"),
    ("Municipality", "#adm2+name"), ("Municipality code", "#adm2+code"), ("Status", "#status"),
    ("Start date", "#date+start"), ("End date", "#date+end"), ("Households reached", "#reached+hh"),
    ("ID", "#meta+id"), ("Capacity", "#capacity"),
]


def three_w_sheet(session: Session, lang: str) -> Sheet:
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.deleted_at.is_(None)))}
    areas = {a.id: a for a in session.scalars(select(Area).where(Area.deleted_at.is_(None)))}
    # The municipality-level area of a district area, for #adm2.
    municipal: dict[str, Area] = {}
    for a in areas.values():
        if not a.district:
            municipal.setdefault(a.municipality_code or a.municipality, a)

    def adm(area: Area | None) -> tuple[str, str, str, str]:
        if area is None:
            return ("", "", "", "")
        return (area.prefecture, area.prefecture_code, area.municipality or area.district, area.municipality_code)

    funders: dict[str, set[str]] = defaultdict(set)
    for case_id, org_id in session.execute(
            select(Participation.case_id, Participation.organisation_id).where(
                Participation.role == "funder", Participation.deleted_at.is_(None))):
        funders[case_id].add(org_id)
    groups: dict[tuple, dict[str, Any]] = {}
    lead = aliased(Organisation)
    query = (select(Task.lead_org_id, Task.need_category, Task.status, Task.case_id, Case.area_id,
                    func.coalesce(Task.claimed_at, Task.created_at), Task.completed_at, Case.opened_on)
             .join(Case, Case.id == Task.case_id).join(lead, lead.id == Task.lead_org_id)
             .where(Task.deleted_at.is_(None), Case.deleted_at.is_(None), lead.deleted_at.is_(None)))
    for org_id, category, status, case_id, area_id, started, completed, opened in session.execute(query):
        a = adm(areas.get(area_id)) if area_id else adm(None)
        key = (org_id, category or "other", a, TASK_STATUS_HXL.get(status, ""))
        g = groups.setdefault(key, {"cases": set(), "start": None, "end": None, "funders": set(), "open": False})
        g["cases"].add(case_id)
        g["funders"] |= funders.get(case_id, set())
        start = started.date() if isinstance(started, datetime) else started
        start = min(start, opened) if start and opened else (start or opened)
        g["start"] = start if g["start"] is None else min(g["start"], start)
        if completed is None:
            g["open"] = True
        else:
            end = completed.date()
            g["end"] = end if g["end"] is None else max(g["end"], end)
    active = {(k[0], k[1], k[2]) for k in groups}
    for org_id, category, area_id in session.execute(
            select(Capability.organisation_id, Capability.need_category, ServiceArea.area_id)
            .join(ServiceArea, ServiceArea.organisation_id == Capability.organisation_id)
            .where(Capability.deleted_at.is_(None), ServiceArea.deleted_at.is_(None))):
        if org_id not in orgs or area_id not in areas:
            continue
        area = areas[area_id]
        a = adm(area)
        if (org_id, category, a) in active:
            continue
        groups.setdefault((org_id, category, a, ""), {"cases": set(), "start": None, "end": None,
                                                      "funders": set(), "open": True, "district": area.district})
    # Organisations with capabilities but no service area, or with neither, still appear.
    listed = {k[0] for k in groups}
    no_area = adm(None)
    for org_id, category in session.execute(
            select(Capability.organisation_id, Capability.need_category).where(Capability.deleted_at.is_(None))):
        if org_id in orgs and org_id not in listed:
            groups.setdefault((org_id, category, no_area, ""), {"cases": set(), "start": None, "end": None,
                                                                "funders": set(), "open": True})
    listed = {k[0] for k in groups}
    for org_id in orgs.keys() - listed:
        groups[(org_id, "", no_area, "")] = {"cases": set(), "start": None, "end": None, "funders": set(),
                                             "open": True}
    # The capacity (cases) of each capability, on every row of that organisation and need.
    capacity = {(o, c): n for o, c, n in session.execute(
        select(Capability.organisation_id, Capability.need_category, Capability.capacity)
        .where(Capability.deleted_at.is_(None), Capability.capacity.is_not(None)))}
    rows: list[list[Any]] = [[tr(h, lang) for h, _ in HXL_COLUMNS], [t for _, t in HXL_COLUMNS]]
    for key in sorted(groups, key=lambda k: (orgs[k[0]].name, k[1], k[2], k[3])):
        org_id, category, (pref, pref_code, muni, muni_code), status = key
        g = groups[key]
        o = orgs[org_id]
        meta = hashlib.sha1("|".join([org_id, category, pref_code, muni_code, muni, status]).encode()).hexdigest()[:12]
        rows.append([
            o.name, o.acronym, ORG_TYPE_HDX.get(o.org_type, ""), o.name,
            "; ".join(sorted(orgs[f].name for f in g["funders"] if f in orgs)),
            NEED_CLUSTER.get(category, ""), NEED_CATEGORY.label(category, lang) if category else "", pref, pref_code, muni, muni_code,
            status, g["start"], None if g["open"] else g["end"], len(g["cases"]) if status else "",
            meta, capacity.get((org_id, category), ""),
        ])
    header, tags, *data = rows
    return Sheet(header, [tags, *data])


def org_type_label(code: str, lang: str) -> str:
    return ORG_TYPE.label(code, lang)
