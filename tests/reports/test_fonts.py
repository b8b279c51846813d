"""Every font in every report is embedded, in both languages: a PDF printed anywhere looks
the same, and no text falls back to a Helvetica the printer may not have (pdffonts once
showed one in the English incident report: reportlab starts each chart drawing in its
default font). The rule lives in one place (reports.common.register_font), so a section
added later cannot fall back either."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DEMO_AS_OF
from tests.reports.helpers import pdf_fonts


@pytest.fixture(scope="module")
def reports(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from recovery_desk.reports.case import build_case_report
    from recovery_desk.reports.incident import build_incident_report
    from recovery_desk.reports.visit_sheet import build_visit_sheet
    from recovery_desk.services.workspace import Workspace

    folder = tmp_path_factory.mktemp("fonts")
    out: dict[str, Path] = {}
    with Workspace.open(demo_path, actor="Font Tester", upgrade=False) as ws:
        for lang in ("en", "ja"):
            out[f"incident-{lang}"] = build_incident_report(ws, folder / f"incident-{lang}.pdf", lang=lang,
                                                            include_pii=True, today=DEMO_AS_OF)
            out[f"case-{lang}"] = build_case_report(ws, "NANAO-0002", folder / f"case-{lang}.pdf", lang=lang,
                                                    include_pii=True, today=DEMO_AS_OF)
            # The field engineers' visit sheets use the same styles and canvas: covered by the same rule.
            out[f"visits-{lang}"] = folder / f"visits-{lang}.pdf"
            build_visit_sheet(ws, out[f"visits-{lang}"], query="stage:in_support", lang=lang, today=DEMO_AS_OF)
    return out


@pytest.mark.parametrize("name", ["incident-en", "incident-ja", "case-en", "case-ja", "visits-en", "visits-ja"])
def test_every_font_of_the_report_is_embedded(reports: dict[str, Path], name: str) -> None:
    fonts = pdf_fonts(reports[name])
    assert fonts, "no fonts found: the walk over the PDF is wrong"
    assert {n: e for n, e in fonts.items() if not e} == {}
    assert {n.split("+")[-1] for n in fonts} == {"IPAexGothic"}


def test_a_section_added_later_cannot_fall_back(tmp_path: Path) -> None:
    """Text made the way reportlab makes it by default — a chart String without a font, a
    ParagraphStyle of its own, a table of plain strings, the page's initial font — prints in
    the embedded face once the reports' font is registered."""
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Table

    from recovery_desk.reports.common import PAGE_SIZE, PageFrame, numbered_canvas, register_font

    register_font()
    drawing = Drawing(200, 40)
    drawing.add(String(10, 10, "A chart label"))
    story = [Paragraph("A paragraph of its own style", ParagraphStyle("late")), drawing,
             Table([["a", "plain"], ["table", "cell"]])]
    out = tmp_path / "late.pdf"
    doc = BaseDocTemplate(str(out), pagesize=PAGE_SIZE)
    doc.addPageTemplates([PageTemplate("page", [Frame(50, 50, 400, 700)])])
    doc.build(story, canvasmaker=numbered_canvas(PageFrame("left", "right", "footer", "second", "en")))
    fonts = pdf_fonts(out)
    assert fonts and all(fonts.values()), fonts
