"""Reading CSV and XLSX files as people keep them.

A file is read as a *grid* of strings (no header assumed): CSV in UTF-8, UTF-8 with BOM,
CP932/Shift_JIS (Japanese Excel's "CSV") or UTF-16 (Excel's "Unicode text", tab
separated), detected or given; XLSX through openpyxl. The header row is found later, by
the importer, because real sheets carry titles and notes above it. Row numbers are the
ones the user sees in Excel (1-based, blank lines kept).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from recovery_desk.domain.errors import RecoveryDeskError

MAX_FILE_BYTES = 512 * 1024 * 1024
ENCODING_CHOICES = ("auto", "utf-8", "utf-8-sig", "cp932", "shift_jis", "euc-jp", "utf-16", "latin-1")


class ImportFileError(RecoveryDeskError):
    """The file cannot be read as a table (what and why)."""


@dataclass
class Grid:
    """Rows of strings as in the file; ``encoding`` is None for XLSX."""

    frame: object  # pandas.DataFrame, columns 0..n-1, every cell a str
    encoding: str | None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return len(self.frame)  # type: ignore[arg-type]

    def row_values(self, index: int) -> list[str]:
        return [str(v) for v in self.frame.iloc[index].tolist()]  # type: ignore[attr-defined]

    def as_lists(self) -> list[list[str]]:
        return self.frame.values.tolist()  # type: ignore[attr-defined]


def read_grid(path: Path, encoding: str = "auto", sheet: str | None = None) -> Grid:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError("{path}: cannot read the file ({detail})", path=path, detail=exc.strerror or exc) from exc
    if path.is_dir():
        raise ImportFileError("{path} is a folder, not a file", path=path)
    if size > MAX_FILE_BYTES:
        raise ImportFileError("{path} is too large to import ({size} MB)", path=path, size=size // 2**20)
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileError("{path} is empty", path=path)
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, data, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "{path} is an old Excel .xls file; save it as .xlsx or CSV and import that", path=path)
    if sheet:
        raise ImportFileError("--sheet is only for XLSX files")
    text, used = decode(data, encoding, path)
    return Grid(_parse_csv(text, path), used)


def decode(data: bytes, encoding: str, path: Path | str = "") -> tuple[str, str]:
    """The text of a file and the encoding used; ``auto`` tries UTF-8 then CP932."""
    if encoding in (None, "", "auto"):
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8-sig", "cp932"]
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportFileError("unknown encoding '{encoding}'", encoding=encoding) from None
        candidates = ["utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError as exc:
            if len(candidates) == 1:
                raise ImportFileError(
                    "{path} is not valid {encoding} text (byte {position}); choose another encoding",
                    path=path, encoding=candidate, position=exc.start) from None
            continue
        if "\x00" in text:
            raise ImportFileError("{path} is not a text table (it contains binary data)", path=path)
        return text, ("utf-8" if candidate == "utf-8-sig" else candidate)
    raise ImportFileError(
        "{path}: cannot tell the text encoding (it is neither UTF-8 nor Shift_JIS); "
        "give it with --encoding, e.g. --encoding latin-1", path=path)


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.count("\t") > first.count(","):
        return "\t"
    if first.count(";") > first.count(",") and first.count(";") >= 2:
        return ";"
    return ","


def check_quotes(text: str, path: Path | str, delimiter: str) -> None:
    """Refuse a CSV whose quotes do not balance, naming the row (as Excel numbers it).

    A lenient reader turns an unclosed quote into one cell holding the rest of the file,
    and a stray quote in the middle of the file into a cell that swallows the rows up to
    the next one. Read strictly, the first is "end of data inside a quoted cell", the
    second usually a closing quote followed by more text. A balanced but misplaced pair is
    caught by what it leaves behind: a quoted cell spanning several lines, one of which
    holds as many delimiters as a row of the table (a swallowed row, not a note's line
    break). A file without a quote character cannot have any of this and is not re-read.
    """
    if '"' not in text:
        return
    from collections import Counter

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = 0
    last_line = 0
    spanning: list[tuple[int, int, list[str]]] = []  # (row, first line, the record)
    try:
        for record in reader:  # the hot loop of a quoted file: as little as possible per record
            records += 1
            if reader.line_num - last_line > 1:
                spanning.append((records, last_line + 1, record))
            last_line = reader.line_num
    except csv.Error as exc:
        row, line = records + 1, last_line + 1
        if "end of data" in str(exc):
            raise ImportFileError(
                "{path}: row {row} (line {line}) opens a quote that is never closed, so the rest of the file "
                "would be one cell; close the quote or remove it", path=path, row=row, line=line) from None
        if "field larger" in str(exc):
            raise ImportFileError(
                "{path}: row {row} (line {line}) has a quoted cell of more than {limit} characters: a quote is "
                "probably never closed; check the quotes of this row", path=path, row=row, line=line,
                limit=csv.field_size_limit()) from None
        raise ImportFileError(
            "{path}: row {row} (line {line}) has a quote in the wrong place (a quoted cell must end at a "
            "delimiter); check the quotes of this row", path=path, row=row, line=reader.line_num) from None
    if not spanning:
        return
    # The table's width: the most common number of cells on a line (rarely needed, so not
    # counted in the loop above).
    widths = Counter(line.count(delimiter) + 1 for line in text.splitlines() if line.strip())
    table_width = widths.most_common(1)[0][0] if widths else 0
    for row, line, record in spanning:
        inner = max((part.count(delimiter) for cell in record if "\n" in cell or "\r" in cell
                     for part in cell.splitlines()), default=0)
        if table_width >= 3 and inner >= table_width - 1:
            raise ImportFileError(
                "{path}: row {row} (line {line}) has a quoted cell running over several lines that look like "
                "rows of the table: a quote is probably missing or extra; check the quotes of this row",
                path=path, row=row, line=line)


def _parse_csv(text: str, path: Path):
    import pandas as pd

    delimiter = _sniff_delimiter(text)
    check_quotes(text, path, delimiter)
    try:
        frame = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, sep=delimiter, engine="c")
    except (pd.errors.ParserError, ValueError, IndexError, UnicodeError):
        frame = None  # ragged rows (title rows shorter than the table): the csv module copes
    except pd.errors.EmptyDataError:
        raise ImportFileError("{path} is empty", path=path) from None
    if frame is None:
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise ImportFileError("{path} is not a readable CSV file ({detail})", path=path, detail=str(exc)) from None
        width = max((len(r) for r in rows), default=0)
        if width == 0:
            raise ImportFileError("{path} is empty", path=path)
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
    frame.columns = range(frame.shape[1])
    if _MARKED_ANYWHERE.search(text):
        for column in frame.columns:
            frame[column] = frame[column].str.replace(_MARKED.pattern, "", n=1, regex=True)
    return frame


# A text our export marked so that a spreadsheet does not evaluate it: an apostrophe before
# = + - @ tab or carriage return (io.export.looks_like_formula). The mark is taken off, so an
# export imports back as it was; any other apostrophe (a name like 'Til) is the value's own.
_MARKED = re.compile(r"^'(?=[=+\-@\t\r])")
_MARKED_ANYWHERE = re.compile(r"(?:^|[,;\t\n\r\"])'[=+\-@\t\r]")


def unprotect(text: str) -> str:
    """A cell's text without the export's formula mark."""
    return text[1:] if text[:1] == "'" and _MARKED.match(text) else text


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> Grid:
    import pandas as pd

    try:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError("{path} is not a readable XLSX file ({detail})", path=path,
                              detail=type(exc).__name__) from None
    try:
        names = tuple(book.sheetnames)
        if not names:
            raise ImportFileError("{path} has no sheets", path=path)
        if sheet is None:
            name = names[0]
        elif sheet in names:
            name = sheet
        else:
            raise ImportFileError("{path} has no sheet '{sheet}' (sheets: {sheets})", path=path, sheet=sheet,
                                  sheets=", ".join(names))
        try:
            rows = [[_cell_text(v) for v in row] for row in book[name].iter_rows(values_only=True)]
        except Exception as exc:
            raise ImportFileError("{path} is not a readable XLSX file ({detail})", path=path,
                                  detail=type(exc).__name__) from None
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    if width == 0 or not any(any(c for c in r) for r in rows):
        raise ImportFileError("sheet '{sheet}' of {path} is empty", path=path, sheet=name)
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
    frame.columns = range(width)
    return Grid(frame, None, name, names)


def _cell_text(value: object) -> str:
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unprotect(str(value)) if isinstance(value, str) else str(value)
