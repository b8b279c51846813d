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
