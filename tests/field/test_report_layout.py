"""The PDF report's layout: no section heading alone at the bottom of a page (whatever
falls before it), and the welfare triangle draws one circle per place, however many
organisations share it, with a table naming them."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.units import mm
from reportlab.platypus import Frame, PageTemplate, Spacer

from recovery_desk.reports import charts
from recovery_desk.reports.common import (
    CONTENT_WIDTH,
    MARGIN,
    PAGE_SIZE,
    LaidOutDoc,
    data_table,
    keep_headings_with_sections,
    lone_headings,
    make_styles,
    para,
)
from recovery_desk.services.workspace import Workspace


def _lay_out(story: list, path: Path) -> list:
    doc = LaidOutDoc(str(path), pagesize=PAGE_SIZE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                     bottomMargin=MARGIN)
    doc.addPageTemplates([PageTemplate("page", [Frame(MARGIN, MARGIN, CONTENT_WIDTH, PAGE_SIZE[1] - 2 * MARGIN)])])
    doc.build(story)
    return doc.placed


def _section(st, rows: int) -> list:
    """A heading, its note and a table (short or long), as the report's sections are."""
    return [para("Section heading", st.h1), para("What the table shows.", st.note),
            data_table(["Figure", "Value"], [[f"row {i}", i] for i in range(rows)], [60 * mm, 30 * mm], st,
                       numeric=[1])]


@pytest.mark.parametrize("rows", [3, 40])
def test_no_heading_stands_alone_whatever_comes_before_it(tmp_path: Path, rows: int) -> None:
    st = make_styles("en")
    alone_without = 0
    for filler in range(0, 228, 12):  # the section starts lower and lower on the page, to its very bottom
        story = [Spacer(1, 500 + filler), *_section(st, rows)]
        assert lone_headings(_lay_out(keep_headings_with_sections(list(story)), tmp_path / "kept.pdf")) == [], filler
        alone_without += bool(lone_headings(_lay_out(story, tmp_path / "plain.pdf")))
    assert alone_without, "the sweep reaches the page bottom (without keeping, a heading is left alone)"


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("list_limit", [5, 100])
def test_the_incident_report_leaves_no_heading_alone(demo_path, tmp_path: Path, lang: str, list_limit: int) -> None:
    from recovery_desk.reports.incident import gather_incident, render_incident
    from tests.conftest import DEMO_AS_OF

    with Workspace.open(demo_path, actor="Test") as ws, ws.session() as s:
        data = gather_incident(s, today=DEMO_AS_OF, list_limit=list_limit)
    placed = render_incident(data, str(tmp_path / "r.pdf"), lang=lang, include_pii=False, actor="Test",
                             workspace="demo.rdesk")
    assert placed[-1][0] >= 5  # several pages
    assert lone_headings(placed) == []


def test_organisations_at_one_place_share_one_circle_and_the_table_names_them() -> None:
    from reportlab.graphics.shapes import Circle, String

    from recovery_desk.reports.incident import triangle_groups

    orgs = [dict(id=f"c{i}", name=f"町内会 {i}", acronym="", sector="community", ownership="private",
                 profit="nonprofit", formality="informal", open_tasks=i, cases_led=0, cases=1) for i in range(30, 0, -1)]
    orgs.insert(0, dict(id="city", name="七尾市役所", acronym="NANAO-CITY", sector="state", ownership="public",
                        profit="nonprofit", formality="formal", open_tasks=100, cases_led=5, cases=9))
    groups = triangle_groups(orgs)
    assert [(g.letter, g.organisations, g.open_tasks) for g, _m in groups] == [("A", 30, 465), ("B", 1, 100)]
    assert [o["id"] for o in groups[0][1][:2]] == ["c30", "c29"]  # heaviest first
    drawing = charts.welfare_triangle([g for g, _m in groups], {"state": "S", "market": "M", "community": "C"},
                                      "T", 400)
    shapes = drawing.getContents()
    assert sum(isinstance(x, Circle) for x in shapes) == 2
    assert {x.text for x in shapes if isinstance(x, String)} >= {"A · 30", "B · 1"}


def test_no_japanese_line_starts_with_a_full_width_question_mark() -> None:
    """禁則: a visit sheet's "… まだ必要か？" never leaves its "？" alone at the start of the
    next line, at any width of its column (it did at the sheet's 36 mm)."""
    from recovery_desk.reports.common import cell, make_styles

    styles = make_styles("ja")
    text = "\n".join(f"□ {need}はまだ必要か？" for need in ("住宅修理", "介護・福祉", "罹災証明・支援金申請", "泥出し・家財搬出"))
    texts = (text, text.split("\n")[0])  # several lines, and one (a one-piece paragraph wraps elsewhere)
    for width, one in ((w, t) for w in range(70, 200, 2) for t in texts):  # from a 25 mm column up
        paragraph = cell(one, styles)
        paragraph.wrap(width, 1000)
        starts = ["".join(w.text for w in line.words)[:1] if hasattr(line, "words") else str(line[1][0])[:1]
                  for line in paragraph.blPara.lines]
        assert "？" not in starts, (width, starts)


def test_a_visit_sheets_phone_number_is_never_broken_across_lines(workspace, tmp_path) -> None:
    from recovery_desk.reports.visit_sheet import gather_visits
    from recovery_desk.services import cases

    case_id = cases.create_case(workspace, contact_name="山口 蓮", contact_phone="0767-68-2920").primary_id
    cases.set_consent(workspace, case_id, given=True, scope="coordination")
    with workspace.session() as s:
        rows = gather_visits(s, "", "ja", None, None).rows
    assert [r.contact for r in rows] == ["山口 蓮\n0767-68-2920"]  # a line each: the cell wraps between them


def test_a_visit_sheets_questions_are_a_paragraph_each_without_empty_lines() -> None:
    """Joined with line breaks, a question whose "？" hangs at the line's end left an empty
    line before the next one; as a paragraph each, every line holds text."""
    from reportlab.lib.units import mm

    from recovery_desk.reports.common import cell, data_table, make_styles

    styles = make_styles("ja")
    questions = ["□ 住宅修理はまだ必要か？", "□ その他はまだ必要か？", "□ 初回訪問: いま必要なことは？"]
    width = 36 * mm - 6  # the sheet's column without its padding

    def line_texts(paragraph) -> list[str]:
        paragraph.wrap(width, 1000)
        return ["".join(w.text for w in line.words) if hasattr(line, "words") else "".join(line[1])
                for line in paragraph.blPara.lines]

    assert "" in [t.strip() for t in line_texts(cell("\n".join(questions), styles))]  # what the check catches
    table = data_table(["聞き取ること"], [[questions]], [36 * mm], styles)
    paragraphs = table._cellvalues[1][0]
    assert len(paragraphs) == len(questions)
    for paragraph in paragraphs:
        assert all(t.strip() for t in line_texts(paragraph))


def test_a_visit_sheets_needs_and_questions_leave_no_empty_line() -> None:
    """The sheet's own cells, at its column widths: a need whose "）" hangs at the line's end
    ("住宅修理 (対応中)", seen on a Japanese sheet) left an empty line before the next need."""
    from recovery_desk.reports.common import cell, data_table, make_styles
    from recovery_desk.reports.visit_sheet import COLUMN_WIDTHS, VisitRow, sheet_row

    styles = make_styles("ja")
    row = VisitRow("NANAO-0153", "御祓", "七尾市富岡町11番地3", "", False, ["住宅修理 (対応中)", "水・衛生"],
                   ["情報共有の同意（範囲も）を確認", "住宅修理はまだ必要か？"])
    needs_width = COLUMN_WIDTHS[4] - 6  # the column without its padding

    def line_texts(paragraph, width) -> list[str]:
        paragraph.wrap(width, 1000)
        return ["".join(w.text for w in line.words) if hasattr(line, "words") else "".join(line[1])
                for line in paragraph.blPara.lines]

    assert "" in [t.strip() for t in line_texts(cell("\n".join(row.needs), styles), needs_width)]  # the defect
    table = data_table(["x"] * 7, [sheet_row(row, "ja")], [*COLUMN_WIDTHS, 40], styles)
    for column, items in ((4, row.needs), (5, row.ask)):
        paragraphs = table._cellvalues[1][column]
        assert len(paragraphs) == len(items)
        for paragraph in paragraphs:
            assert all(t.strip() for t in line_texts(paragraph, COLUMN_WIDTHS[column] - 6))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_visit_sheet_keeps_each_households_row_whole_on_one_page(demo_copy, tmp_path, lang) -> None:
    """Each page has the table's header once and each case once in the whole sheet (a row
    split across the page end was drawn twice, under a second header)."""
    from pypdf import PdfReader

    from recovery_desk.reports.visit_sheet import build_visit_sheet
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(demo_copy, actor="Test") as ws:
        data = build_visit_sheet(ws, tmp_path / "visits.pdf", query="-stage:closed", lang=lang)
    pages = [page.extract_text() or "" for page in PdfReader(tmp_path / "visits.pdf").pages]
    assert len(pages) > 2
    heading = "聞き取ること" if lang == "ja" else "What to ask"
    assert [page.count(heading) for page in pages] == [1] * len(pages)
    text = "".join(pages)
    assert all(text.count(row.reference) == 1 for row in data.rows)
