"""Export, then import into an empty workspace: the same content comes back."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from recovery_desk.io.export import export
from recovery_desk.io.importer import ImportOptions, import_file
from recovery_desk.services.cases import consent_allows_pii
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import (
    Area,
    Capability,
    Case,
    Consent,
    Need,
    Organisation,
    ServiceArea,
    Task,
)
from tests.conftest import DEMO_AS_OF, SHARED_DATA


def fresh(tmp_path: Path, name: str = "copy") -> Workspace:
    return Workspace.create(tmp_path / f"{name}.rdesk", incident_name="Copy", start_date=date(2024, 1, 1),
                            reference_prefix="NANAO", actor="Test")


def case_content(ws: Workspace, with_pii: bool) -> dict[str, tuple]:
    out = {}
    with ws.session() as s:
        needs: dict[str, set[str]] = {}
        for case_id, category in s.execute(select(Need.case_id, Need.category).where(Need.deleted_at.is_(None))):
            needs.setdefault(case_id, set()).add(category)
        for c, a, k in s.execute(select(Case, Area, Consent).outerjoin(Area, Area.id == Case.area_id)
                                 .outerjoin(Consent, Consent.case_id == Case.id)):
            pii = consent_allows_pii(k, DEMO_AS_OF)
            out[c.reference] = (
                c.stage, c.closure_reason, c.priority, c.opened_on, c.closed_on, c.household_size, c.damage_level,
                c.flood_level, c.support_class, frozenset(needs.get(c.id, ())),
                (k.scope, k.given_on) if k else None,
                (a.prefecture, a.prefecture_code, a.municipality, a.municipality_code, a.district) if a else None,
                (c.contact_name, c.contact_phone, c.address, c.latitude, c.longitude, c.vulnerable_members, c.notes)
                if with_pii and pii else None,
            )
    return out


@pytest.mark.parametrize("lang, suffix", [("en", "csv"), ("ja", "xlsx")])
def test_cases_round_trip(demo_path: Path, tmp_path: Path, lang: str, suffix: str) -> None:
    target = tmp_path / f"cases.{suffix}"
    with Workspace.open(demo_path, upgrade=False) as demo:
        result = export(demo, "cases", target, include_pii=True, lang=lang, today=DEMO_AS_OF)
        expected = case_content(demo, with_pii=True)
    assert result.rows == 300
    with fresh(tmp_path) as ws:
        imported = import_file(ws, target, ImportOptions("cases"))
        assert imported.counts["case"] == 300 and not imported.problems
        assert case_content(ws, with_pii=True) == expected


def test_cases_without_pii_carry_no_personal_data(demo_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "cases.csv"
    with Workspace.open(demo_path, upgrade=False) as demo:
        export(demo, "cases", target, lang="en")
        with demo.session() as s:
            names = {n for n in s.scalars(select(Case.contact_name)) if n}
            phones = {p for p in s.scalars(select(Case.contact_phone)) if p}
    text = target.read_text(encoding="utf-8-sig")
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not any(n in text for n in names) and not any(p in text for p in phones)
    assert "contact_name" not in text.splitlines()[0]


def test_pii_only_where_consent_allows(demo_path: Path, tmp_path: Path) -> None:
    import csv

    target = tmp_path / "cases.csv"
    with Workspace.open(demo_path, upgrade=False) as demo:
        export(demo, "cases", target, include_pii=True, lang="en", today=DEMO_AS_OF)
        with demo.session() as s:
            allowed = {c.reference for c, k in s.execute(select(Case, Consent).outerjoin(Consent))
                       if consent_allows_pii(k, DEMO_AS_OF)}
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    named = {r["reference"] for r in rows if r["contact_name"]}
    assert named == allowed and 0 < len(allowed) < len(rows)


def test_organisations_and_tasks_round_trip(demo_path: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_path, upgrade=False) as demo:
        for kind in ("cases", "organisations", "tasks"):
            export(demo, kind, tmp_path / f"{kind}.csv", include_pii=True, lang="ja", today=DEMO_AS_OF)
        orgs_before, tasks_before = org_content(demo), task_content(demo)
    with fresh(tmp_path) as ws:
        import_file(ws, tmp_path / "cases.csv", ImportOptions("cases"))
        import_file(ws, tmp_path / "organisations.csv", ImportOptions("organisations"))
        # Assignees are people, which this export does not carry: leave that column out.
        result = import_file(ws, tmp_path / "tasks.csv", ImportOptions("tasks", mapping={"担当者": "-"}))
        assert org_content(ws) == orgs_before
        tasks_after = task_content(ws)
    # A task is identified by its case, title and need category: a second one with the same
    # three on the same case is reported as a duplicate and not imported.
    keys_before = Counter((t[0], t[1], t[3]) for t in tasks_before.elements())
    assert {(t[0], t[1], t[3]) for t in tasks_after} == set(keys_before)
    assert result.duplicates == sum(keys_before.values()) - len(keys_before) > 0
    single = {t for t in tasks_before if keys_before[(t[0], t[1], t[3])] == 1}
    assert len(single) > 300
    assert single <= set(tasks_after)


def org_content(ws: Workspace) -> set[tuple]:
    with ws.session() as s:
        caps: dict[str, frozenset] = {}
        for oid, cat in s.execute(select(Capability.organisation_id, Capability.need_category)):
            caps[oid] = caps.get(oid, frozenset()) | {cat}
        areas: dict[str, frozenset] = {}
        for oid, a in s.execute(select(ServiceArea.organisation_id, Area).join(Area)):
            areas[oid] = areas.get(oid, frozenset()) | {(a.municipality, a.district)}
        return {(o.name, o.acronym, o.org_type, o.ownership, o.profit, o.formality, o.sector, o.legal_form, o.phone,
                 o.email, o.address, o.website, o.notes, caps.get(o.id, frozenset()), areas.get(o.id, frozenset()))
                for o in s.scalars(select(Organisation))}


def task_content(ws: Workspace) -> Counter:
    with ws.session() as s:
        return Counter(s.execute(select(Case.reference, Task.title, Task.description, Task.need_category,
                                        Task.status, Organisation.name, Task.due_date, Task.priority)
                                 .join(Case, Case.id == Task.case_id)
                                 .outerjoin(Organisation, Organisation.id == Task.lead_org_id)).all())


def read_hxl(path: Path):
    import hxl
    import hxl.input

    with path.open("rb") as f:
        ds = hxl.data(hxl.input.make_input(f, hxl.InputOptions(encoding="utf-8-sig")))
        tags = [c.display_tag for c in ds.columns]
        rows = [r.values for r in ds]
    return tags, rows


def test_3w_export_is_hxl_and_imports_back(tmp_path: Path) -> None:
    with fresh(tmp_path, "lbn") as ws:
        import_file(ws, SHARED_DATA / "hdx/lbn_4w_by_district_2024_hxl.csv", ImportOptions("3w"))
        export(ws, "3w", tmp_path / "3w.csv")
        before = three_w_content(ws)
    tags, rows = read_hxl(tmp_path / "3w.csv")
    assert tags[:4] == ["#org+name", "#org+acronym", "#org+type", "#org+impl"]
    assert "#adm2+code" in tags and "#meta+id" in tags and "#reached+hh" in tags
    assert len(rows) > 200
    with fresh(tmp_path, "back") as ws:
        result = import_file(ws, tmp_path / "3w.csv", ImportOptions("3w"))
        assert not result.problems
        assert three_w_content(ws) == before


def three_w_content(ws: Workspace) -> tuple:
    with ws.session() as s:
        orgs = {o.id: (o.name, o.acronym, o.org_type) for o in s.scalars(select(Organisation))}
        caps = {(orgs[o], c) for o, c in s.execute(select(Capability.organisation_id, Capability.need_category))}
        areas = {(orgs[o], (a.prefecture, a.prefecture_code, a.municipality, a.municipality_code))
                 for o, a in s.execute(select(ServiceArea.organisation_id, Area).join(Area))}
        return set(orgs.values()), caps, areas


def test_3w_export_of_a_case_workspace(demo_path: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_path, upgrade=False) as demo:
        export(demo, "3w", tmp_path / "3w.xlsx")
        export(demo, "3w", tmp_path / "3w.csv", lang="ja")
    tags, rows = read_hxl(tmp_path / "3w.csv")
    status = tags.index("#status")
    assert {r[status] for r in rows} <= {"planned", "active", "complete", "canceled", ""}
    assert {"planned", "active", "complete"} <= {r[status] for r in rows}
    muni = tags.index("#adm2+code")
    assert {r[muni] for r in rows} == {"172022"}
    reached = tags.index("#reached+hh")
    assert sum(int(r[reached]) for r in rows if r[reached]) >= 300 * 0.5
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "3w.xlsx", read_only=True)
    first_rows = list(book.active.iter_rows(max_row=2, values_only=True))
    book.close()
    assert first_rows[1][0] == "#org+name"


def test_export_never_overwrites_without_a_backup(demo_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "orgs.csv"
    target.write_text("my precious notes", encoding="utf-8")
    with Workspace.open(demo_path, upgrade=False) as demo:
        result = export(demo, "organisations", target)
    assert result.backup == tmp_path / "orgs.csv.bak"
    assert result.backup.read_text(encoding="utf-8") == "my precious notes"
    assert target.read_text(encoding="utf-8-sig").startswith("name,acronym")
    assert not list(tmp_path.glob(".*.part")) and not list(tmp_path.glob(".*.tmp"))


def test_a_failed_export_leaves_the_file_and_no_temporary(demo_path: Path, tmp_path: Path) -> None:
    from recovery_desk.io.export import Sheet, write_csv

    target = tmp_path / "orgs.csv"
    target.write_text("my precious notes", encoding="utf-8")
    with pytest.raises(TypeError):
        write_csv(target, Sheet(["a"], [object]))  # a row that is not a row: fails while writing
    assert target.read_text(encoding="utf-8") == "my precious notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orgs.csv"]


def test_a_killed_exports_leftover_is_removed_by_the_next(demo_path: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()  # a pid that no longer runs
    leftover = tmp_path / f".orgs.xlsx.{dead}.part"
    leftover.write_bytes(b"PK half an xlsx")
    with Workspace.open(demo_path, upgrade=False) as demo:
        export(demo, "organisations", tmp_path / "orgs.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orgs.xlsx"]
