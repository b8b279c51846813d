"""Reading report PDFs back as text, the way a reader (or a screen reader) would."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

FRAME = re.compile(r"^(page \d+ of \d+|\d+ / \d+ ページ|Confidential:|取扱注意:|Generated |作成日時 |Period \d|期間 \d)")


def pdf_lines(path: Path) -> list[str]:
    """Every text line of the PDF, without the running page header and footer."""
    lines: list[str] = []
    for page in PdfReader(path).pages:
        for line in page.extract_text().splitlines():
            line = line.strip()
            if line and not FRAME.match(line) and " — " not in line:
                lines.append(line)
    return lines


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def contains_run(lines: list[str], run: list[str]) -> bool:
    """Whether ``run`` occurs as consecutive lines (a table's header and rows, cell by cell)."""
    n = len(run)
    return any(lines[i:i + n] == run for i in range(len(lines) - n + 1))


def table_run(header: list[str], rows: list[list[object]]) -> list[str]:
    out = list(header)
    for row in rows:
        out.extend(f"{v:,}" if isinstance(v, int) else str(v) for v in row)
    return out


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Every font the PDF's pages use (their resources and the forms drawn on them), by name,
    and whether the font program is embedded (a /FontFile, /FontFile2 or /FontFile3 in its
    descriptor; a composite font's descendant carries the descriptor)."""
    fonts: dict[str, bool] = {}
    seen: set[int] = set()

    def embedded(font) -> bool:
        font = font.get_object()
        if "/DescendantFonts" in font:
            return all(embedded(f) for f in font["/DescendantFonts"])
        descriptor = font.get("/FontDescriptor")
        return descriptor is not None and any(k in descriptor.get_object()
                                              for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def visit(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        if id(resources) in seen:
            return
        seen.add(id(resources))
        for font in (resources.get("/Font") or {}).values():
            name = str(font.get_object().get("/BaseFont", "?"))
            fonts[name] = fonts.get(name, True) and embedded(font)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"))

    for page in PdfReader(path).pages:
        visit(page.get("/Resources"))
    return fonts
