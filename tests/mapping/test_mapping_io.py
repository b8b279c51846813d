"""Capabilities with capacities and service areas come in from an organisations sheet (Japanese or
English headers) and from 3W files, and go out again in the organisation and 3W exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from recovery_desk.io.export import export
from recovery_desk.io.importer import ImportOptions, ImportRejected, import_file
from recovery_desk.services import areas
from recovery_desk.storage.models import Area, Capability, Organisation, ServiceArea

from .conftest import NANAO


def capabilities(ws) -> dict[str, dict[str, int | None]]:
    with ws.session() as s:
        out: dict[str, dict[str, int | None]] = {}
        for name, category, capacity in s.execute(
                select(Organisation.name, Capability.need_category, Capability.capacity)
                .join(Capability, Capability.organisation_id == Organisation.id)
                .where(Capability.deleted_at.is_(None))):
            out.setdefault(name, {})[category] = capacity
        return out


def served(ws) -> dict[str, set[str]]:
    with ws.session() as s:
        out: dict[str, set[str]] = {}
        for name, district in s.execute(select(Organisation.name, Area.district)
                                        .join(ServiceArea, ServiceArea.organisation_id == Organisation.id)
                                        .join(Area, Area.id == ServiceArea.area_id)):
            out.setdefault(name, set()).add(district)
        return out


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "orgs.csv"
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture
def ws(workspace):
    for district in ("御祓", "和倉"):
        areas.create_area(workspace, **NANAO, district=district)
    return workspace


@pytest.mark.parametrize("text, encoding", [
    ("団体名,対応可能分野,活動地域\n能登復興ネット,住宅修理:20、食料,御祓、和倉\n炊き出し有志,食料：１５,和倉\n", "cp932"),
    ("Name,Capabilities,Service areas\n能登復興ネット,Housing repair: 20; food,御祓; 和倉\n"
     "炊き出し有志,food:15,和倉\n", "utf-8"),
])
def test_organisations_sheet_brings_capacities_and_service_areas(ws, tmp_path, text, encoding) -> None:
    import_file(ws, write(tmp_path, text, encoding), ImportOptions("organisations"))
    assert capabilities(ws) == {"能登復興ネット": {"housing_repair": 20, "food": None}, "炊き出し有志": {"food": 15}}
    assert served(ws) == {"能登復興ネット": {"御祓", "和倉"}, "炊き出し有志": {"和倉"}}


def test_a_bad_capacity_is_refused_naming_row_and_column(ws, tmp_path) -> None:
    path = write(tmp_path, "団体名,対応可能分野\n能登復興ネット,住宅修理:たくさん\n")
    with pytest.raises(ImportRejected) as raised:
        import_file(ws, path, ImportOptions("organisations"))
    problem = raised.value.problems[0]
    assert (problem.row, problem.column) == (2, "対応可能分野")
    assert "たくさん" in problem.line("en") and "整数" in problem.line("ja")
    assert capabilities(ws) == {}


def test_organisation_export_carries_capacities_back(ws, tmp_path) -> None:
    import_file(ws, write(tmp_path, "団体名,対応可能分野,活動地域\n能登復興ネット,住宅修理:20、食料,御祓\n"),
                ImportOptions("organisations"))
    export(ws, "organisations", tmp_path / "out.csv", lang="ja")
    assert "住宅修理:20" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    from recovery_desk.services.workspace import Workspace

    with Workspace.create(tmp_path / "back.rdesk", incident_name="Back", start_date=ws_start(), reference_prefix="B",
                          actor="Test") as back:
        areas.create_area(back, **NANAO, district="御祓")
        import_file(back, tmp_path / "out.csv", ImportOptions("organisations"))
        assert capabilities(back) == capabilities(ws)


def ws_start():
    from datetime import date

    return date(2024, 1, 1)


def test_3w_export_has_capacity_and_imports_it_back(mapped, tmp_path) -> None:
    from tests.io.test_roundtrip import read_hxl

    export(mapped.ws, "3w", tmp_path / "3w.csv")
    tags, rows = read_hxl(tmp_path / "3w.csv")
    capacity, org = tags.index("#capacity"), tags.index("#org+acronym")
    by_org = {(r[org], r[capacity]) for r in rows}
    assert ("DIST", "3") in by_org and ("MUNI", "") in by_org
    from recovery_desk.services.workspace import Workspace

    with Workspace.create(tmp_path / "back.rdesk", incident_name="Back", start_date=ws_start(), reference_prefix="B",
                          actor="Test") as back:
        result = import_file(back, tmp_path / "3w.csv", ImportOptions("3w"))
        assert not result.problems
        caps = capabilities(back)
        assert caps["御祓復興の会"] == {"housing_repair": 3} and caps["七尾工務店"] == {"housing_repair": None}
