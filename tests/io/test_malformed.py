"""Malformed files are refused with a message naming the row, in both languages, and the
workspace stays byte for byte as it was: unbalanced quotes, a header repeated inside the
data, no data rows, a file of another kind. Real files, written here or from ../shared/data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.io.importer import ImportOptions, ImportRejected, import_file
from recovery_desk.io.tables import ImportFileError
from recovery_desk.services.workspace import Workspace
from tests.io.conftest import SHARED_DATA, file_hash

HEADER = "氏名,住所,電話番号,世帯人数,地区\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def xlsx(tmp_path: Path, name: str, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def refused(ws_path: Path, path: Path, kind: str, **options) -> RecoveryDeskError:
    """Import ``path``; it must be refused and leave the workspace file unchanged."""
    before = file_hash(ws_path)
    with Workspace.open(ws_path, actor="Test") as ws:
        with pytest.raises(RecoveryDeskError) as info:
            import_file(ws, path, ImportOptions(kind, **options))
    assert file_hash(ws_path) == before
    error = info.value
    assert error.message("en") and error.message("ja") != error.message("en")
    return error


def text_of(error: RecoveryDeskError, lang: str = "en") -> str:
    if isinstance(error, ImportRejected):
        return "\n".join(p.line(lang) for p in error.problems)
    return error.message(lang)


# -- quotes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "utf-16"])
def test_unclosed_quote_is_refused_naming_its_row(ws_path: Path, tmp_path: Path, encoding: str) -> None:
    text = HEADER + "山田,七尾市御祓町,0767-53-1111,3,御祓\n佐藤,\"七尾市府中町,,2,府中\n鈴木,和倉町,,1,和倉\n"
    if encoding == "utf-16":
        text = text.replace(",", "\t")
    error = refused(ws_path, write(tmp_path, "unclosed.csv", text, encoding), "cases")
    assert "row 3 (line 3) opens a quote that is never closed" in error.message("en")
    assert "3 行目" in error.message("ja")


def test_quotes_that_swallow_every_row_are_refused_not_reported_as_nothing(ws_path: Path, tmp_path: Path) -> None:
    # The quote opens in the header: a lenient reader sees a header and no data at all.
    text = '氏名,"住所,世帯人数\n山田,七尾市,3\n佐藤,七尾市,2\n'
    error = refused(ws_path, write(tmp_path, "swallow.csv", text), "cases")
    assert "row 1 (line 1) opens a quote that is never closed" in error.message("en")


def test_quote_in_the_wrong_place_is_refused(ws_path: Path, tmp_path: Path) -> None:
    text = HEADER + '山田,"七尾市"御祓町,,3,御祓\n'
    error = refused(ws_path, write(tmp_path, "stray.csv", text), "cases")
    assert "row 2 (line 2) has a quote in the wrong place" in error.message("en")


def test_balanced_quotes_that_swallow_rows_are_refused(ws_path: Path, tmp_path: Path) -> None:
    # One quote too many on row 2 and one on row 4: valid CSV, but row 2's address holds rows 3 and 4.
    text = HEADER + '山田,"七尾市御祓町,,3,御祓\n佐藤,七尾市府中町,,2,府中\n鈴木,和倉町",,1,和倉\n'
    error = refused(ws_path, write(tmp_path, "balanced.csv", text), "cases")
    assert "row 2 (line 2) has a quoted cell running over several lines" in error.message("en")


def test_a_note_with_line_breaks_and_commas_still_imports(ws, tmp_path: Path) -> None:
    text = ('name,address,household size,notes\n'
            '山田,七尾市,3,"Visited, no answer.\nCall again, after 6pm."\n'
            '佐藤,府中,2,"2"" pipe"\n')
    result = import_file(ws, write(tmp_path, "notes.csv", text), ImportOptions("cases"))
    assert result.counts["case"] == 2 and not result.problems


def test_a_bare_quote_inside_a_cell_is_a_character(ws, tmp_path: Path) -> None:
    result = import_file(ws, write(tmp_path, "inch.csv", HEADER + '山田,七尾市 7",,3,御祓\n'), ImportOptions("cases"))
    assert result.counts["case"] == 1


# -- a header row repeated inside the data --------------------------------------------------
def test_repeated_header_in_a_3w_creates_no_organisation_named_after_a_column(ws_path: Path, tmp_path: Path) -> None:
    text = ("Organisation,Cluster,Region\nOrg A,Health,Noto\n,,\n"
            "Organisation,Cluster,Region\nOrg B,WASH,Noto\n")
    error = refused(ws_path, write(tmp_path, "pasted3w.csv", text), "3w")
    assert isinstance(error, ImportRejected)
    assert text_of(error) == ("row 4, column 'Organisation', value 'Organisation': "
                              "this row repeats the header row (row 1); remove it")
    assert "見出しの行（1 行目）の繰り返し" in text_of(error, "ja")


def test_repeated_hxl_header_rows_are_named(ws_path: Path, tmp_path: Path) -> None:
    # ../shared/data's file with two header rows above its hashtags, pasted twice.
    sample = (SHARED_DATA / "hxl-samples/input-multiple-headers.csv").read_text(encoding="utf-8")
    error = refused(ws_path, write(tmp_path, "twice.csv", sample + sample), "3w")
    rows = sorted(p.row for p in error.problems)  # type: ignore[attr-defined]
    assert rows == [6, 7, 8]  # Junk, the text header and the hashtag row of the second copy


def test_the_real_multiple_header_file_imports(ws) -> None:
    result = import_file(ws, SHARED_DATA / "hxl-samples/input-multiple-headers.csv", ImportOptions("3w"))
    assert result.counts == {"organisation": 2, "area": 2, "service_area": 2} and not result.problems


@pytest.mark.parametrize("repeat", ["氏名,住所,電話番号,世帯人数,地区", "name,address,phone,household size,district"])
def test_repeated_header_in_cases_is_a_problem_of_its_row(ws_path: Path, tmp_path: Path, repeat: str) -> None:
    text = HEADER + "山田,七尾市,,3,御祓\n" + repeat + "\n佐藤,府中,,2,府中\n"
    error = refused(ws_path, write(tmp_path, "pasted.csv", text), "cases")
    assert [(p.row, p.msgid) for p in error.problems] == [  # type: ignore[attr-defined]
        (3, "this row repeats the header row (row {header}); remove it")]


def test_repeated_header_in_an_xlsx_people_sheet(ws_path: Path, tmp_path: Path) -> None:
    path = xlsx(tmp_path, "people.xlsx", [["氏名", "電話番号"], ["田中", "0767-00-0000"], ["氏名", "電話番号"]])
    error = refused(ws_path, path, "people")
    assert text_of(error).startswith("row 3, column '氏名', value '氏名': this row repeats the header row (row 1)")


def test_valid_only_skips_the_repeated_header(ws, tmp_path: Path) -> None:
    text = HEADER + "山田,七尾市,,3,御祓\n" + HEADER + "佐藤,府中,,2,府中\n"
    result = import_file(ws, write(tmp_path, "pasted.csv", text), ImportOptions("cases", valid_only=True))
    assert result.counts["case"] == 2 and result.skipped_rows == 1


# -- no data rows ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind,text", [("cases", HEADER), ("cases", HEADER + ",,,,\n,,,,\n"),
                                       ("organisations", "団体名,略称\n"), ("3w", "Organisation,Cluster\n")])
def test_a_file_without_data_rows_is_refused(ws_path: Path, tmp_path: Path, kind: str, text: str) -> None:
    error = refused(ws_path, write(tmp_path, "header-only.csv", text), kind)
    assert "no data rows below the header (row 1)" in error.message("en")


def test_a_dry_run_without_data_rows_is_refused_too(ws_path: Path, tmp_path: Path) -> None:
    error = refused(ws_path, write(tmp_path, "header-only.csv", HEADER), "cases", dry_run=True)
    assert isinstance(error, ImportFileError)


def test_a_real_import_that_adds_nothing_does_not_say_would(ws, tmp_path: Path) -> None:
    path = write(tmp_path, "cases.csv", HEADER + "山田,七尾市,,3,御祓\n")
    import_file(ws, path, ImportOptions("cases"))
    again = import_file(ws, path, ImportOptions("cases"))
    assert again.summary("en").startswith(f"Imported from {path}: nothing")
    dry = import_file(ws, path, ImportOptions("cases", dry_run=True))
    assert dry.summary("en").startswith(f"Would import from {path}: nothing")


# -- a file of another kind -----------------------------------------------------------------
def test_a_household_sheet_imported_as_areas_is_refused(ws_path: Path, tmp_path: Path) -> None:
    text = "氏名,住所,電話番号,世帯人数,地区,被害程度\n山田,七尾市御祓町,0767-53-1111,3,御祓,全壊\n"
    error = refused(ws_path, write(tmp_path, "households.csv", text), "areas")
    assert "looks like a file of cases, not of areas" in error.message("en")
    assert "6 give fields of cases" in error.message("en") and "1 give fields of areas (地区)" in error.message("en")
    assert "areas ではなく cases のファイル" in error.message("ja")


@pytest.mark.parametrize("kind,text,other", [
    ("organisations", "氏名,所属団体,電話番号\n田中,七尾市社会福祉協議会,0767-00-0000\n", "people"),
    ("people", HEADER + "山田,七尾市,0767,3,御祓\n", "cases"),
    ("cases", "ケース番号,件名,状態,期限,担当者\nNANAO-0001,泥出し,受付,2024-02-01,田中\n", "tasks"),
    ("3w", "氏名,住所,電話番号,世帯人数,地区\n山田,七尾市,0767,3,御祓\n", "cases"),
])
def test_other_wrong_kinds_are_refused(ws_path: Path, tmp_path: Path, kind: str, text: str, other: str) -> None:
    error = refused(ws_path, write(tmp_path, "wrong.csv", text), kind)
    assert f"looks like a file of {other}, not of {kind}" in error.message("en")


def test_wrong_kind_as_xlsx(ws_path: Path, tmp_path: Path) -> None:
    path = xlsx(tmp_path, "households.xlsx", [["氏名", "住所", "世帯人数", "地区"], ["山田", "七尾市", 3, "御祓"]])
    error = refused(ws_path, path, "areas")
    assert "looks like a file of cases" in error.message("en")


def test_an_explicit_mapping_is_the_users_choice(ws, tmp_path: Path) -> None:
    text = "氏名,住所,電話番号,世帯人数,地区,被害程度\n山田,七尾市御祓町,0767-53-1111,3,御祓,全壊\n"
    result = import_file(ws, write(tmp_path, "households.csv", text), ImportOptions("areas", mapping={"地区": "district"}))
    assert result.counts == {"area": 1}


# -- the people importer naming an unknown organisation ---------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_people_naming_an_unknown_organisation(ws_path: Path, tmp_path: Path, suffix: str) -> None:
    rows = [["氏名", "所属団体"], ["田中", "存在しない団体"]]
    if suffix == ".csv":
        path = write(tmp_path, "people.csv", "\n".join(",".join(r) for r in rows) + "\n")
    else:
        path = xlsx(tmp_path, "people.xlsx", rows)
    error = refused(ws_path, path, "people")
    assert text_of(error) == ("row 2, column '所属団体', value '存在しない団体': "
                              "no organisation '存在しない団体' in the workspace")


# -- the command line: one line, exit 1, nothing written, in both languages -------------------
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_cli_refuses_with_exit_1_and_no_traceback(ws_path: Path, tmp_path: Path, lang: str) -> None:
    path = write(tmp_path, "unclosed.csv", HEADER + '山田,"七尾市,,3,御祓\n佐藤,府中,,2,府中\n')
    before = file_hash(ws_path)
    done = subprocess.run([sys.executable, "-m", "recovery_desk.cli.main", "--lang", lang, "--workspace",
                           str(ws_path), "import", "cases", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert ("row 2 (line 2)" if lang == "en" else "2 行目") in done.stderr
    assert file_hash(ws_path) == before


def test_an_xlsx_sheet_with_only_its_header_is_refused(ws_path: Path, tmp_path: Path) -> None:
    path = xlsx(tmp_path, "empty.xlsx", [["団体名", "略称"], [None, None]])
    error = refused(ws_path, path, "organisations")
    assert "no data rows below the header (row 1)" in error.message("en")
