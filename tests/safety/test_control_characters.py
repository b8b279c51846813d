"""Names with control characters (NUL, ESC, line breaks…) are refused by the services' one
rule, whichever way they come in: a form (the services), the CLI, an import (naming the row).
Free text keeps its line breaks and tabs but no other control character."""

from __future__ import annotations

import re

import pytest

from recovery_desk.domain.errors import ValidationError
from recovery_desk.services import cases, organisations, people
from recovery_desk.services.validation import control_character
from tests.safety.helpers import count, run_here


@pytest.mark.parametrize("bad, code", [("Noto\x1b[2J", "U+001B"), ("No\x00to", "U+0000"), ("No\nto", "U+000A"),
                                       ("No\tto", "U+0009"), ("No\x85to", "U+0085"), ("No\x7fto", "U+007F")])
def test_a_name_with_a_control_character_is_refused_and_nothing_is_written(workspace, bad, code):
    tables = ("organisation", "person", '"case"')
    before = [count(workspace.path, f"SELECT count(*) FROM {t}") for t in tables]
    with pytest.raises(ValidationError) as refused:
        organisations.create_organisation(workspace, name=bad)
    assert refused.value.field == "name"
    assert code in refused.value.message("en") and "position" in refused.value.message("en")
    assert code in refused.value.message("ja") and "制御文字" in refused.value.message("ja")
    with pytest.raises(ValidationError, match=re.escape(code)):
        people.create_person(workspace, name=bad)
    with pytest.raises(ValidationError, match=re.escape(code)):
        cases.create_case(workspace, contact_name=bad)
    assert [count(workspace.path, f"SELECT count(*) FROM {t}") for t in tables] == before


def test_free_text_keeps_line_breaks_and_tabs_but_no_other_control_character(workspace):
    cases.create_case(workspace, contact_name="山田 太郎", notes="一行目\n二行目\tタブ\r\n")
    with pytest.raises(ValidationError, match=re.escape("U+001B")):
        cases.create_case(workspace, contact_name="山田", notes="色\x1b[31m")
    with pytest.raises(ValidationError, match=re.escape("U+0000")):
        people.create_person(workspace, name="佐藤", skills=["大工\x00"])


def test_the_rule_names_the_first_offending_character():
    assert control_character("ok name", "name") is None
    assert control_character("a\nb", "notes") is None
    assert control_character("ab\x1bc\x00", "name") == ("U+001B", 3)
    assert control_character("a\nb", "contact_name") == ("U+000A", 2)


def test_the_cli_refuses_a_name_with_esc_in_one_line_changing_nothing(tmp_path):
    path = tmp_path / "w.rdesk"
    assert run_here("--workspace", str(path), "init", "--incident", "Noto").returncode == 0
    csv = tmp_path / "cases.csv"
    csv.write_text("reference,contact_name\nR-1,山田\n", encoding="utf-8")
    assert run_here("--workspace", str(path), "import", "cases", str(csv)).returncode == 0
    ref = run_here("--workspace", str(path), "case", "list").stdout.split()[0]
    done = run_here("--workspace", str(path), "case", "set", ref, "contact_name=山田\x1b[2J")
    assert done.returncode == 1 and "U+001B" in done.stderr and "\x1b" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert count(path, "SELECT count(*) FROM \"case\" WHERE contact_name LIKE '%' || char(27) || '%'") == 0


@pytest.mark.parametrize("kind, header, value", [
    ("cases", "reference,contact_name", "R-2,山田\x1b]0;pwned\x07"),
    ("organisations", "name,acronym", "ボランティア\x9b2Jセンター,VC"),  # C1 CSI (a NUL: "binary")
    ("people", "name,phone", "佐藤\t花子,0767-00-0000"),
])
def test_an_import_names_the_row_and_the_column_and_writes_nothing(tmp_path, kind, header, value):
    path = tmp_path / "w.rdesk"
    assert run_here("--workspace", str(path), "init", "--incident", "Noto").returncode == 0
    table = {"cases": '"case"', "organisations": "organisation", "people": "person"}[kind]
    before = count(path, f"SELECT count(*) FROM {table}")
    csv = tmp_path / f"{kind}.csv"
    fine = {"cases": "R-1,田中", "organisations": "七尾市社協,SHAKYO", "people": "鈴木 一郎,0767-11-1111"}[kind]
    csv.write_text(f"{header}\n{fine}\n{value}\n", encoding="utf-8")
    done = run_here("--workspace", str(path), "import", kind, str(csv))
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "row 3" in done.stderr and "control character" in done.stderr, done.stderr
    assert not any(ch in done.stderr for ch in "\x1b\x07\x9b\t"), repr(done.stderr)
    assert count(path, f"SELECT count(*) FROM {table}") == before
    ja = run_here("--workspace", str(path), "--lang", "ja", "import", kind, str(csv))
    assert ja.returncode == 1 and "制御文字" in ja.stderr, ja.stderr


def test_a_3w_import_refuses_an_organisation_named_with_a_control_character(tmp_path):
    path = tmp_path / "w.rdesk"
    assert run_here("--workspace", str(path), "init", "--incident", "Noto").returncode == 0
    before = count(path, "SELECT count(*) FROM organisation")
    sheet = tmp_path / "3w.csv"
    sheet.write_text("Organisation,Sector,Municipality\n#org+name,#sector,#adm2+name\n"
                     "七尾市社協,Shelter,七尾市\nNPO\x1b[1m,Shelter,七尾市\n", encoding="utf-8")
    done = run_here("--workspace", str(path), "import", "3w", str(sheet))
    assert done.returncode == 1 and "row 4" in done.stderr and "U+001B" in done.stderr, done.stderr
    assert count(path, "SELECT count(*) FROM organisation") == before
