"""What both PDF reports share: the embedded font, styles, escaped paragraphs, tables that
split across pages with their header repeated, the page frame (header, footer, "page X of
Y", confidentiality line) and the write-to-a-temporary-file-then-rename step.

Qt-free: the CLI, the desktop app (on its database worker) and the tests call the same code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    KeepTogether,
    Paragraph,
    Table,
    TableStyle,
)

from recovery_desk.domain.errors import ValidationError
from recovery_desk.i18n import tr
from recovery_desk.resources import resource_path

FONT = "IPAexGothic"
PAGE_SIZE = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
GRID = colors.Color(0.55, 0.55, 0.55)
HEADER_FILL = colors.Color(0.86, 0.86, 0.86)
STRIPE_FILL = colors.Color(0.96, 0.96, 0.96)

ProgressFn = Callable[[int, int, str], None]
_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")


def register_font() -> str:
    """Register IPAexGothic once (embedded and subset by reportlab) and return its name.

    The same face serves as bold and italic so that no markup can fall back to a
    Helvetica that has no Japanese glyphs. It is also made reportlab's default font, the one
    place the font rule lives: whatever a report section creates without naming a font (a
    page's initial font, a chart's String or Label, a ParagraphStyle, a table cell) prints
    in the embedded face instead of a Helvetica that is not embedded. (renderPDF starts
    every chart drawing in the default font: that was the non-embedded Helvetica pdffonts
    showed in the incident report.) Reportlab's own comments invite this ("change defaults
    globally before you start making shapes").
    """
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(resource_path("fonts", "ipaexg.ttf"))))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    _make_default(FONT)
    return FONT


def _make_default(font: str) -> None:
    from reportlab import rl_config
    from reportlab.graphics.shapes import STATE_DEFAULTS
    from reportlab.platypus.tables import CellStyle

    rl_config.canvas_basefontname = font  # every canvas's initial font, named by each page's preamble
    STATE_DEFAULTS["fontName"] = font  # graphics: String, the widgets' labels and legends, each drawing's start
    ParagraphStyle.defaults.update(fontName=font, bulletFontName=font)
    CellStyle.fontname = font  # table cells holding plain strings


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_cjk: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    notice: ParagraphStyle


def _no_line_starts_with_closing_punctuation() -> None:
    """Japanese line breaking (禁則処理): reportlab's CJK wrap lets a line start with a full-width
    ？！：； (its list has the half-width ones only), so "必要か？" printed its "？" alone on the
    next line of a visit sheet. Its list (copied into two modules: one-piece paragraphs wrap in
    textsplit, others in paragraph), extended once."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        module.ALL_CANNOT_START += "".join(c for c in "？！：；" if c not in module.ALL_CANNOT_START)


_no_line_starts_with_closing_punctuation()


def make_styles(lang: str) -> Styles:
    font = register_font()
    wrap = "CJK" if lang == "ja" else None
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13.5, wordWrap=wrap)
    return Styles(
        title=ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=2),
        subtitle=ParagraphStyle("subtitle", parent=base, fontSize=12, leading=16, spaceAfter=8),
        h1=ParagraphStyle("h1", parent=base, fontSize=13, leading=17, spaceBefore=10, spaceAfter=5,
                          keepWithNext=True),
        h2=ParagraphStyle("h2", parent=base, fontSize=10.5, leading=14, spaceBefore=7, spaceAfter=3,
                          keepWithNext=True),
        body=base,
        note=ParagraphStyle("note", parent=base, fontSize=8, leading=11, textColor=colors.Color(0.2, 0.2, 0.2),
                            spaceBefore=2, spaceAfter=4),
        cell=ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5, wordWrap=None),
        cell_cjk=ParagraphStyle("cell_cjk", parent=base, fontSize=8, leading=10.5, wordWrap="CJK"),
        cell_right=ParagraphStyle("cell_right", parent=base, fontSize=8, leading=10.5, alignment=TA_RIGHT),
        head=ParagraphStyle("head", parent=base, fontSize=8, leading=10.5, wordWrap=wrap),
        notice=ParagraphStyle("notice", parent=base, fontSize=9.5, leading=13.5, borderColor=colors.black,
                              borderWidth=1, borderPadding=6, spaceBefore=10, spaceAfter=12,
                              backColor=colors.Color(0.93, 0.93, 0.93)),
    )


def safe(text: Any) -> str:
    """User text as Paragraph markup that prints as text (``<``, ``&``, ``<img>``…)."""
    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def para(text: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of user (or translated) text, escaped."""
    return Paragraph(safe(text), style)


def cell(text: Any, styles: Styles) -> Paragraph:
    """A wrapping table cell; Japanese text wraps between characters, English between words."""
    value = "" if text is None else str(text)
    return Paragraph(safe(value), styles.cell_cjk if _CJK.search(value) else styles.cell)


def number(n: int | float | None) -> str:
    if n is None:
        return ""
    return f"{n:,}" if isinstance(n, int) else f"{n:,.1f}"


def data_table(header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
               styles: Styles, numeric: Sequence[int] = (), total_row: bool = False,
               split_in_row: bool = True) -> Table:
    """A table that splits across pages with its header repeated (``repeatRows=1``).

    Text cells wrap (escaped Paragraphs; a list is one paragraph per item, so a line's hanging
    "？" does not leave an empty line before the next item, as a line break did); numeric columns
    are right-aligned plain strings.
    """
    numeric = set(numeric)
    body: list[list[Any]] = [[Paragraph(safe(h), styles.head) for h in header]]
    for row in rows:
        body.append([number(v) if i in numeric and not isinstance(v, str) else
                     v if i in numeric else
                     [cell(line, styles) for line in v] if isinstance(v, list) else  # a paragraph each
                     cell(v, styles) for i, v in enumerate(row)])
    # splitInRow: a row taller than a page (a long note) continues on the next page.
    table = Table(body, colWidths=list(widths), repeatRows=1, hAlign="LEFT", splitInRow=int(split_in_row))
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("LEADING", (0, 0), (-1, -1), 10.5),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for i in numeric:
        commands.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    for r in range(2, len(body), 2):
        commands.append(("BACKGROUND", (0, r), (-1, r), STRIPE_FILL))
    if total_row and len(body) > 1:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1, colors.black))
        commands.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL))
    table.setStyle(TableStyle(commands))
    return table


def key_value_table(pairs: Sequence[tuple[str, Any]], widths: Sequence[float], styles: Styles) -> Table:
    rows = [[para(k, styles.cell), v if isinstance(v, str) and v.isdigit() else
             (number(v) if isinstance(v, int) else cell(v, styles))] for k, v in pairs]
    table = Table(rows, colWidths=list(widths), hAlign="LEFT", splitInRow=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return table


# -- keeping a section's heading with its section ---------------------------------------------
HEADING_STYLES = frozenset({"h1", "h2"})
LONG_TABLE_ROWS = 12  # a table longer than this may start on the heading's page and go on over the next
ROOM_FOR_A_LONG_TABLE = 55 * mm  # what a heading, its note and a long table's first rows need


def _is(flowable: Any, styles: frozenset[str]) -> bool:
    return isinstance(flowable, Paragraph) and flowable.style.name in styles


def keep_headings_with_sections(story: list[Any]) -> list[Any]:
    """Every heading (with the headings and notes right after it) travels with the first
    thing of its section, so no heading stands alone at the bottom of a page: a short first
    thing (a chart, a small table) goes in one KeepTogether with them; before a long table,
    a conditional page break asks for room for the heading, its note and the first rows."""
    out: list[Any] = []
    i = 0
    while i < len(story):
        if not _is(story[i], HEADING_STYLES):
            out.append(story[i])
            i += 1
            continue
        group = [story[i]]
        i += 1
        while i < len(story) and _is(story[i], HEADING_STYLES | {"note"}):
            group.append(story[i])
            i += 1
        first = story[i] if i < len(story) else None
        if isinstance(first, Table) and len(first._cellvalues) > LONG_TABLE_ROWS:
            out += [CondPageBreak(ROOM_FOR_A_LONG_TABLE), *group]
        else:
            if first is not None:
                group.append(first)
                i += 1
            out.append(KeepTogether(group))
    return out


class LaidOutDoc(BaseDocTemplate):
    """A document that remembers where each paragraph landed: ``placed`` holds (page, style
    name, text) in drawing order (and ("", class name) for other flowables), to check the layout."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.placed: list[tuple[int, str, str]] = []

    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 (reportlab API)
        if isinstance(flowable, Paragraph):
            self.placed.append((self.page, flowable.style.name, flowable.getPlainText()))
        elif not isinstance(flowable, (KeepTogether, CondPageBreak)):
            self.placed.append((self.page, "", type(flowable).__name__))


def lone_headings(placed: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """(page, text) of headings with nothing of their section after them on their page (at
    most other headings and notes): what a reader sees as a heading alone at the page bottom."""
    lone = []
    for i, (page, style, text) in enumerate(placed):
        if style not in HEADING_STYLES:
            continue
        rest = [p for p in placed[i + 1:] if p[0] == page]
        if all(p[1] in HEADING_STYLES | {"note"} for p in rest):
            lone.append((page, text))
    return lone


def local_now() -> datetime:
    return datetime.now().astimezone()


def format_local(moment: datetime, lang: str, zone: Any = None) -> str:
    """A moment in the workspace's zone, said as such: ``2024-06-30 14:05 JST (UTC+09:00)``."""
    from recovery_desk.services.local_time import JAPAN

    return (zone or JAPAN).format(moment, lang, offset=True)


def utc_naive_to_local(moment: datetime | None, zone: Any = None) -> str:
    """Stored times are naive UTC; print them in the workspace's zone (minutes; the zone is
    said in the column's title, see ``when_title``)."""
    from recovery_desk.services.local_time import JAPAN

    return "" if moment is None else f"{(zone or JAPAN).local(moment):%Y-%m-%d %H:%M}"


def when_title(lang: str, zone: Any = None, title: str = "When") -> str:
    """A time column's title naming the zone: "When (JST)", "日時（日本時間）"."""
    from recovery_desk.services.local_time import JAPAN

    return tr("{title} ({zone})", lang, title=tr(title, lang), zone=(zone or JAPAN).label(lang))


def format_date(day: date | None) -> str:
    return day.isoformat() if day else ""


@dataclass
class PageFrame:
    """What every page carries: a running header and a footer with page X of Y."""

    header_left: str
    header_right: str
    footer_left: str
    footer_second: str
    lang: str


def numbered_canvas(frame: PageFrame) -> type[pdfcanvas.Canvas]:
    """A canvas class that draws the header and footer once the page count is known.

    Pages are kept until ``save()`` (reportlab's two-pass "page X of Y" recipe), so the
    document is laid out once.
    """

    font = register_font()

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any):
            kwargs.setdefault("initialFontName", font)
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = PAGE_SIZE
            self.saveState()
            self.setFont(FONT, 7.5)
            self.setFillColor(colors.black)
            top = height - MARGIN + 12
            self.drawString(MARGIN, top, _fit(self, frame.header_left, CONTENT_WIDTH * 0.6))
            self.drawRightString(width - MARGIN, top, _fit(self, frame.header_right, CONTENT_WIDTH * 0.38))
            self.setLineWidth(0.5)
            self.line(MARGIN, top - 3, width - MARGIN, top - 3)
            bottom = MARGIN - 12
            self.line(MARGIN, bottom + 9, width - MARGIN, bottom + 9)
            self.drawString(MARGIN, bottom, _fit(self, frame.footer_left, CONTENT_WIDTH * 0.8))
            self.drawString(MARGIN, bottom - 9, _fit(self, frame.footer_second, CONTENT_WIDTH * 0.8))
            self.setFont(FONT, 8.5)
            self.drawRightString(width - MARGIN, bottom - 4,
                                 tr("page {page} of {pages}", frame.lang, page=self._pageNumber, pages=total))
            self.restoreState()

    return NumberedCanvas


def _fit(canvas: pdfcanvas.Canvas, text: str, width: float) -> str:
    """Shorten ``text`` with an ellipsis so it fits ``width`` points in the footer font."""
    if canvas.stringWidth(text, FONT, 7.5) <= width:
        return text
    while text and canvas.stringWidth(text + "…", FONT, 7.5) > width:
        text = text[:-1]
    return text + "…"


def check_output_path(out: Path) -> Path:
    out = Path(out)
    if out.exists() and out.is_dir():
        raise ValidationError("cannot write {path}: it is a folder", path=out)
    if not out.parent.is_dir():
        raise ValidationError("cannot write {path}: the folder {folder} does not exist", path=out, folder=out.parent)
    return out


def write_atomically(out: Path, write: Callable[[str], None]) -> Path:
    """Call ``write(temp_path)`` on a temporary file beside ``out``, then rename it to ``out``
    (``storage/files.py``: ``.<name>.<pid>.part``, flushed to disk first; what a killed run
    left is removed by the next).

    On any failure (including a cancelled job) the temporary file is removed and ``out``
    is left as it was: never a half-written report.
    """
    from recovery_desk.storage import files
    from recovery_desk.storage.failures import known_error

    out = check_output_path(out)
    try:
        with files.creating(out, replace=True) as tmp:
            write(str(tmp))
    except OSError as exc:  # disk full, read-only, permission denied…: the one message for each
        raise known_error(exc, out) from None
    return out


def no_progress(done: int, total: int, text: str = "") -> None:
    return None
