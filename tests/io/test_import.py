"""Importing spreadsheets as people keep them: encodings, title rows, Japanese headers,
era dates, duplicates, all-or-nothing, valid-only, dry run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recovery_desk.io.importer import ImportOptions, ImportRejected, import_file
from recovery_desk.io.tables import ImportFileError
from recovery_desk.storage.models import (
    Activity,
    Area,
    Case,
    Consent,
    Membership,
    Need,
    Organisation,
    Person,
    Task,
)
from tests.io.conftest import file_hash

CASES_CSV = """七尾市 被災世帯一覧（令和6年1月）,,,,,,,,
氏名,住所,電話番号,世帯人数,地区,被害程度,受付日,ニーズ,段階
山田　太郎,七尾市御祓町１－２,０７６７－５３－１１１１,３,御祓,全壊,令和6年1月14日,食料、住宅修理,把握
,,,,,,,,
佐藤花子,七尾市府中町5,0767-00-0000,2人,府中,half collapse,R6.1.15,mental_health,intake
鈴木一郎,七尾市和倉町3,,1,和倉,大規模半壊,2024/1/20,,Assessment
山田　太郎,七尾市御祓町１－２,,3,御祓,全壊,2024-01-14,,
"""
BAD_ROW = "高橋,七尾市,abc,x,御祓,ひどい,令和6年13月1日,魔法,\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "cases.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count(ws, model) -> int:
    with ws.session() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_cases_in_any_encoding(ws, tmp_path: Path, encoding: str) -> None:
    result = import_file(ws, write(tmp_path, CASES_CSV, encoding), ImportOptions("cases"))
    assert result.encoding == ("utf-8" if encoding.startswith("utf-8") else "cp932")
    assert result.header_row == 2
    assert result.counts["case"] == 3 and result.empty_rows == 1 and result.duplicates == 1
    with ws.session() as s:
        cases = {c.contact_name: c for c in s.scalars(select(Case))}
        assert set(cases) == {"山田 太郎", "佐藤花子", "鈴木一郎"}
        yamada = cases["山田 太郎"]
        assert yamada.address == "七尾市御祓町1-2"
        assert yamada.contact_phone == "0767-53-1111"
        assert yamada.household_size == 3 and yamada.damage_level == "zenkai"
        assert yamada.opened_on == date(2024, 1, 14) and yamada.stage == "identified"
        assert cases["佐藤花子"].damage_level == "hankai" and cases["佐藤花子"].opened_on == date(2024, 1, 15)
        assert cases["鈴木一郎"].stage == "assessment"
        assert sorted(c.reference for c in cases.values()) == ["NANAO-0001", "NANAO-0002", "NANAO-0003"]
        needs = s.scalars(select(Need.category).where(Need.case_id == yamada.id)).all()
        assert sorted(needs) == ["food", "housing_repair"]
        districts = {a.district for a in s.scalars(select(Area))}
        assert districts == {"御祓", "府中", "和倉"}
        ops = set(s.scalars(select(Activity.operation).where(Activity.entity == "case")))
        assert ops == {"import_cases"}


def test_reimport_reports_duplicates_and_adds_nothing(ws, tmp_path: Path) -> None:
    path = write(tmp_path, CASES_CSV)
    import_file(ws, path, ImportOptions("cases"))
    again = import_file(ws, path, ImportOptions("cases"))
    assert again.counts == {} and again.duplicates == 4 and not again.written
    assert count(ws, Case) == 3


def test_a_bad_file_writes_nothing_and_reports_every_problem(ws_path: Path, tmp_path: Path) -> None:
    from recovery_desk.services.workspace import Workspace

    path = write(tmp_path, CASES_CSV + BAD_ROW)
    before = file_hash(ws_path)
    with Workspace.open(ws_path) as ws:
        with pytest.raises(ImportRejected) as info:
            import_file(ws, path, ImportOptions("cases"))
    assert file_hash(ws_path) == before
    problems = info.value.problems
    assert {(p.row, p.column) for p in problems} == {
        (8, "電話番号"), (8, "世帯人数"), (8, "被害程度"), (8, "受付日"), (8, "ニーズ")}
    lines = [p.line("ja") for p in problems]
    assert any("8 行目、列「受付日」、値「令和6年13月1日」: 暦にない日付です" == line for line in lines)
    assert "problem(s) found; nothing was imported" in str(info.value)


def test_valid_only_imports_the_rest_and_says_so_in_the_audit_trail(ws, tmp_path: Path) -> None:
    result = import_file(ws, write(tmp_path, CASES_CSV + BAD_ROW), ImportOptions("cases", valid_only=True))
    assert result.counts["case"] == 3 and result.skipped_rows == 1 and len(result.problems) == 5
    assert result.operation == "import_cases_valid_only"
    with ws.session() as s:
        ops = set(s.scalars(select(Activity.operation).where(Activity.entity == "case")))
    assert ops == {"import_cases_valid_only"}


def test_dry_run_writes_nothing(ws_path: Path, tmp_path: Path) -> None:
    from recovery_desk.services.workspace import Workspace

    before = file_hash(ws_path)
    with Workspace.open(ws_path) as ws:
        result = import_file(ws, write(tmp_path, CASES_CSV), ImportOptions("cases", dry_run=True))
        assert result.counts["case"] == 3 and not result.written
    assert file_hash(ws_path) == before


def test_mapping_the_rest_by_hand(ws, tmp_path: Path) -> None:
    path = write(tmp_path, "世帯番号,お名前様,罹災日\nA-1,田中,令和6年1月2日\nA-2,中村,令和6年1月3日\n")
    result = import_file(ws, path, ImportOptions("cases", mapping={"世帯番号": "reference", "お名前様": "contact_name",
                                                                   "罹災日": "opened_on"}))
    assert result.counts["case"] == 2
    with ws.session() as s:
        refs = dict(s.execute(select(Case.reference, Case.sequence)).all())
    assert refs == {"A-1": 1, "A-2": 2}
    with pytest.raises(ImportFileError, match="is not a field of cases"):
        import_file(ws, path, ImportOptions("cases", mapping={"世帯番号": "shoe_size"}))
    with pytest.raises(ImportFileError, match="no column named 'nope'"):
        import_file(ws, path, ImportOptions("cases", mapping={"nope": "reference"}))


def test_closed_case_needs_a_closure_reason(ws, tmp_path: Path) -> None:
    path = write(tmp_path, "氏名,段階,終結理由\nA,closed,\nB,終結,目標達成\n")
    with pytest.raises(ImportRejected) as info:
        import_file(ws, path, ImportOptions("cases"))
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "段階")]


def test_references_keep_their_numbers(ws, tmp_path: Path) -> None:
    path = write(tmp_path, "reference,contact_name\nNANAO-0042,A\n,B\n")
    import_file(ws, path, ImportOptions("cases"))
    with ws.session() as s:
        assert dict(s.execute(select(Case.contact_name, Case.reference)).all()) == {
            "A": "NANAO-0042", "B": "NANAO-0043"}
    from recovery_desk.services.cases import create_case

    create_case(ws, contact_name="C")  # the service continues after the imported numbers
    with ws.session() as s:
        assert s.scalar(select(Case.reference).where(Case.contact_name == "C")) == "NANAO-0044"


def test_xlsx_with_title_rows_and_sheet(ws, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "メモ"
    sheet = book.create_sheet("名簿")
    sheet.append(["七尾市 被災者名簿"])
    sheet.append([])
    sheet.append(["氏名", "世帯人数", "受付日", "同意"])
    sheet.append(["山田", 3, date(2024, 1, 14), "報告書への個人情報記載可"])
    sheet.append(["佐藤", "２", "R6.1.20", None])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    with pytest.raises(ImportFileError, match="no sheet 'Sheet9'"):
        import_file(ws, path, ImportOptions("cases", sheet="Sheet9"))
    result = import_file(ws, path, ImportOptions("cases", sheet="名簿"))
    assert result.counts == {"case": 2, "consent": 1} and result.header_row == 3
    with ws.session() as s:
        assert s.scalar(select(Consent.scope)) == "reports"
        assert s.scalar(select(Case.opened_on).where(Case.contact_name == "山田")) == date(2024, 1, 14)


def test_organisations_people_tasks(ws, tmp_path: Path) -> None:
    import_file(ws, write(tmp_path, "氏名\n山田\n"), ImportOptions("cases"))
    orgs = write(tmp_path, "団体名,略称,団体種別,対応可能分野\n七尾市社会福祉協議会,NANAO-SHAKYO,社会福祉協議会,介護・福祉、居場所・サロン\n"
                           "能登ボランティア,NOTO-VOL,ボランティア団体,泥出し・家財搬出\nのと建設,,民間企業,housing_repair\n"
                           "七尾市社会福祉協議会,,,\n", name="orgs.csv")
    result = import_file(ws, orgs, ImportOptions("organisations"))
    assert result.counts == {"organisation": 3, "capability": 4} and result.duplicates == 1
    with ws.session() as s:
        sectors = dict(s.execute(select(Organisation.acronym, Organisation.sector)).all())
    assert sectors == {"NANAO-SHAKYO": "third_sector", "NOTO-VOL": "community", "": "market"}
    people = write(tmp_path, "氏名,ふりがな,所属,技能\n田中一郎,たなか いちろう,NANAO-SHAKYO,重機、看護\n", name="people.csv")
    assert import_file(ws, people, ImportOptions("people")).counts == {"person": 1, "membership": 1}
    with ws.session() as s:
        assert s.scalar(select(Person.skills)) == ["重機", "看護"]
        assert s.scalar(select(func.count()).select_from(Membership)) == 1
    tasks = write(tmp_path, "ケース番号,件名,主担当団体,担当者,状態,期限\nNANAO-0001,泥出し,NOTO-VOL,田中一郎,活動中,令和6年2月1日\n"
                            "NANAO-0099,見守り,,,,\n", name="tasks.csv")
    with pytest.raises(ImportRejected) as info:
        import_file(ws, tasks, ImportOptions("tasks"))
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "ケース番号")]
    result = import_file(ws, tasks, ImportOptions("tasks", valid_only=True))
    assert result.counts == {"participation": 1, "task": 1}  # the lead organisation now takes part in the case
    with ws.session() as s:
        task = s.scalar(select(Task))
        assert task.status == "in_progress" and task.due_date == date(2024, 2, 1) and task.lead_org_id


def test_refusals_are_clear(ws, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="is empty"):
        import_file(ws, write(tmp_path, "\n\n"), ImportOptions("cases"))
    with pytest.raises(ImportFileError, match="no column of .* matches a field of cases"):
        import_file(ws, write(tmp_path, "foo,bar\n1,2\n"), ImportOptions("cases"))
    with pytest.raises(ImportFileError, match="old Excel .xls"):
        import_file(ws, write(tmp_path, "", name="x.xls").with_suffix(".xls") if False else
                    _xls(tmp_path), ImportOptions("cases"))
    with pytest.raises(ImportFileError, match="not valid utf-8"):
        import_file(ws, write(tmp_path, "氏名\n山田\n", "cp932"), ImportOptions("cases", encoding="utf-8"))
    with pytest.raises(ImportFileError, match="unknown encoding"):
        import_file(ws, write(tmp_path, "氏名\n山田\n"), ImportOptions("cases", encoding="klingon"))


def _xls(tmp_path: Path) -> Path:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    return path


class StopAt:
    """A progress object that cancels (raises) at its n-th report, as the UI's Cancel does."""

    def __init__(self, n: int):
        self.n = n
        self.calls = 0

    def report(self, done: int, total: int, text: str = "") -> None:
        self.calls += 1
        if self.calls >= self.n:
            raise KeyboardInterrupt("cancelled")


def test_cancel_between_write_batches_rolls_everything_back(ws_path: Path, tmp_path: Path) -> None:
    from recovery_desk.services.workspace import Workspace

    path = write(tmp_path, "氏名,世帯人数,ニーズ\n" + "".join(f"名前{i},{i % 5 + 1},食料\n" for i in range(12_000)))
    before = file_hash(ws_path)
    progress = StopAt(5)  # checking, checking, writing 0, first batch written, second batch → cancel
    with Workspace.open(ws_path) as ws:
        with pytest.raises(KeyboardInterrupt):
            import_file(ws, path, ImportOptions("cases"), progress)
        assert count(ws, Case) == 0 and count(ws, Activity) == 1  # the incident's creation only
    assert progress.calls == 5
    assert file_hash(ws_path) == before


def test_excel_unicode_text_is_utf16_and_tab_separated(ws, tmp_path: Path) -> None:
    text = CASES_CSV.replace(",", "\t")
    path = tmp_path / "cases.txt"
    path.write_bytes(text.encode("utf-16"))  # with its BOM, as Excel writes "Unicode text"
    result = import_file(ws, path, ImportOptions("cases"))
    assert result.encoding == "utf-16" and result.counts["case"] == 3


def test_municipality_read_from_the_address(ws, tmp_path: Path) -> None:
    from tests.conftest import SHARED_DATA

    import_file(ws, SHARED_DATA / "japan/localgovjp-utf8.csv", ImportOptions("areas"))
    path = write(tmp_path, "氏名,住所\nA,石川県七尾市御祓町1-2\nB,七尾市府中町5\nC,府中市宮西町1\nD,東京都府中市宮西町1\nE,どこか\n")
    import_file(ws, path, ImportOptions("cases"))
    with ws.session() as s:
        found = dict(s.execute(select(Case.contact_name, Area.municipality_code).outerjoin(Area)).all())
    # 府中市 exists in Tokyo and in Hiroshima: without the prefecture it stays open.
    assert found == {"A": "172022", "B": "172022", "C": None, "D": "132063", "E": None}


def test_a_district_takes_its_municipality_from_the_address(ws, tmp_path: Path) -> None:
    from tests.conftest import SHARED_DATA

    import_file(ws, SHARED_DATA / "japan/localgovjp-utf8.csv", ImportOptions("areas"))
    path = write(tmp_path, "氏名,住所,地区\nA,石川県七尾市御祓町1-2,御祓\nB,七尾市府中町5,府中\nC,七尾市御祓町3,御祓\n"
                           "D,どこか,府中\n")
    result = import_file(ws, path, ImportOptions("cases"))
    assert result.counts["area"] == 2  # 七尾市 御祓 and 七尾市 府中, each once
    with ws.session() as s:
        found = {name: (code, municipality, district) for name, code, municipality, district in s.execute(
            select(Case.contact_name, Area.municipality_code, Area.municipality, Area.district).join(Area))}
    assert found == {"A": ("172022", "七尾市", "御祓"), "B": ("172022", "七尾市", "府中"),
                     "C": ("172022", "七尾市", "御祓"),
                     "D": ("172022", "七尾市", "府中")}  # no municipality in its address: the one 府中 known
