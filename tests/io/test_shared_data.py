"""Every real file in ../shared/data imports, or is refused with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from recovery_desk.io.importer import ImportOptions, import_file
from recovery_desk.io.tables import ImportFileError
from recovery_desk.storage.models import Area, Capability, Organisation, ServiceArea
from tests.conftest import SHARED_DATA

# file -> (kind, options, expected rows created per entity, or the refusal's message)
EXPECTED: dict[str, tuple[str, dict, dict[str, int] | str]] = {
    "hdx/lbn_4w_by_district_2024_hxl.csv": ("3w", {}, {"organisation": 81, "capability": 119, "area": 32,
                                                        "service_area": 240}),
    "hdx/eth_3w_2025_08.csv": ("3w", {}, {"organisation": 100, "capability": 190, "area": 393, "service_area": 929}),
    "hdx/hapi_organisations_global.csv": ("organisations", {}, {"organisation": 691}),
    "hdx/org_types.csv": ("3w", {}, "no organisation column"),
    "hdx/sectors_global_coordination_groups.csv": ("3w", {}, "no organisation column"),
    "hxl-samples/input-valid.csv": ("3w", {}, {"organisation": 3, "capability": 4, "area": 4, "service_area": 4}),
    "hxl-samples/input-valid.xlsx": ("3w", {}, {"organisation": 3, "capability": 4, "area": 4, "service_area": 4}),
    "hxl-samples/input-valid-latin1.csv": ("3w", {}, "cannot tell the text encoding"),
    "hxl-samples/input-multiple-headers.csv": ("3w", {}, {"organisation": 2, "area": 2, "service_area": 2}),
    "hxl-samples/input-untagged.csv": ("3w", {}, {"organisation": 3, "capability": 4}),
    "hxl-samples/input-fuzzy.csv": ("3w", {}, {"organisation": 3, "capability": 4}),
    "japan/localgovjp-utf8.csv": ("areas", {}, {"area": 1916}),
    "japan/localgovjp-2019-sjis.csv": ("areas", {}, {"area": 1916}),
    "japan/prefjp-utf8.csv": ("areas", {}, {"area": 47}),
    "japan/noto2024_nanao_open_shelters_2024-01-14.csv": ("areas", {}, {"area": 13}),
    "japan/noto2024_nanao_shelter_reference.csv": ("areas", {}, {"area": 1}),
}


def test_every_shared_file_is_covered() -> None:
    files = {str(p.relative_to(SHARED_DATA)) for p in SHARED_DATA.rglob("*") if p.is_file() and p.name != "SOURCES.md"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_file(ws, name: str) -> None:
    kind, options, expected = EXPECTED[name]
    path = SHARED_DATA / name
    if isinstance(expected, str):
        with pytest.raises(ImportFileError, match=expected):
            import_file(ws, path, ImportOptions(kind, **options))
        return
    result = import_file(ws, path, ImportOptions(kind, **options))
    assert result.counts == expected, result.counts
    assert not result.problems


def test_latin1_file_imports_when_its_encoding_is_given(ws) -> None:
    result = import_file(ws, SHARED_DATA / "hxl-samples/input-valid-latin1.csv", ImportOptions("3w", encoding="latin-1"))
    with ws.session() as s:
        assert set(s.scalars(select(Area.prefecture))) >= {"Los Santos", "Cauca"}
        assert "Panamá" not in set(s.scalars(select(Area.prefecture)))
    assert result.counts["organisation"] == 3


def test_lebanon_resource_mapping(ws) -> None:
    import_file(ws, SHARED_DATA / "hdx/lbn_4w_by_district_2024_hxl.csv", ImportOptions("3w"))
    with ws.session() as s:
        acf = s.scalar(select(Organisation).where(Organisation.acronym == "ACF"))
        assert acf.org_type == "other"  # the file never gives ACF's type
        acf_spain = s.scalar(select(Organisation).where(Organisation.acronym == "ACF Spain"))
        assert acf_spain.org_type == "ngo_international" and acf_spain.sector == "third_sector"
        amel = s.scalar(select(Organisation).where(Organisation.acronym == "AMEL"))
        assert amel.org_type == "npo"
        caps = set(s.scalars(select(Capability.need_category).where(Capability.organisation_id == acf.id)))
        assert "food" in caps
        areas = s.execute(select(Area.prefecture, Area.prefecture_code, Area.municipality, Area.municipality_code)
                          .join(ServiceArea, ServiceArea.area_id == Area.id)
                          .where(ServiceArea.organisation_id == acf.id)).all()
        assert ("South", "LB6", "Sour", "LB63") in [tuple(a) for a in areas]
        un = s.scalars(select(Organisation.sector).where(Organisation.org_type == "un")).all()
        assert un and set(un) == {"state"}


def test_nanao_shelters_as_cases_with_era_time_stamps(ws) -> None:
    import_file(ws, SHARED_DATA / "japan/localgovjp-utf8.csv", ImportOptions("areas"))
    result = import_file(ws, SHARED_DATA / "japan/noto2024_nanao_open_shelters_2024-01-14.csv",
                         ImportOptions("cases", mapping={"時点": "opened_on", "名称": "contact_name"}))
    assert result.counts["case"] == 28
    from datetime import date

    from recovery_desk.storage.models import Case

    with ws.session() as s:
        assert set(s.scalars(select(Case.opened_on))) == {date(2024, 1, 14)}
        # The shelters' districts became areas of Nanao with its code (172022), not new municipalities.
        codes = set(s.scalars(select(Area.municipality_code).join(Case, Case.area_id == Area.id)))
        assert codes == {"172022"}


def test_utf8_and_shift_jis_municipality_lists_give_the_same_areas(tmp_path: Path) -> None:
    from datetime import date

    from recovery_desk.services.workspace import Workspace

    def areas(name: str) -> dict[str, tuple]:
        with Workspace.create(tmp_path / f"{name[:12]}.rdesk", incident_name="x", start_date=date(2024, 1, 1)) as w:
            import_file(w, SHARED_DATA / "japan" / name, ImportOptions("areas"))
            with w.session() as s:
                return {a.municipality_code: (a.prefecture, a.prefecture_code, a.municipality, a.kana)
                        for a in s.scalars(select(Area))}

    utf8, sjis = areas("localgovjp-utf8.csv"), areas("localgovjp-2019-sjis.csv")
    assert len(utf8) == len(sjis) == 1916
    assert utf8["172022"] == sjis["172022"] == ("石川県", "JP-17", "七尾市", "ななおし")
    # The two editions are five years apart: the differences are real changes, listed here.
    differing = {code for code in utf8.keys() | sjis.keys() if utf8.get(code) != sjis.get(code)}
    assert differing == {"402311", "403059",  # 那珂川町 became 那珂川市 (new code) in 2018
                         "282219",  # 篠山市 renamed 丹波篠山市 in 2019
                         "273830",  # 千早赤阪村: the 2019 file cut its kana short
                         "043028"}  # 七ヶ宿町 / 七ケ宿町 spelling
    with Workspace.open(next(tmp_path.glob("localgovjp-u*.rdesk"))) as w, w.session() as s:
        assert s.scalar(select(func.count()).select_from(Area).where(Area.prefecture_code == "JP-17")) == 19
