"""Values as people type them into spreadsheets, normalised.

* ``fold_width``: the safe part of NFKC for names, addresses and free text — full-width
  digits and Latin letters (ＡＢＣ１２３) become ASCII, a full-width minus between digits a
  hyphen (１－２ → 1-2), half-width katakana (ｶﾀｶﾅ) becomes full-width, the
  ideographic space becomes a space, zero-width characters and controls go. Full NFKC is
  not applied to such text because it also rewrites characters people mean (①→1, ㈱→(株),
  CJK compatibility ideographs in family names).
* ``nfkc``: full NFKC, for codes, numbers, dates, phone numbers, e-mail addresses and
  vocabulary values, where only the meaning matters.
* ``parse_date``: ISO dates, 2024/1/14, 2024年1月14日, Japanese era dates
  (令和6年1月14日, 令和元年5月1日, R6.1.14, H23/3/11, 平成23年3月11日) with an optional time
  after them (午後6時, 18:00) which is ignored, and Excel serial day numbers (45305) from
  date cells that lost their format.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

# Each era: (first day, kanji, romaji initial). Year n of an era is first.year + n - 1.
ERAS = [
    (date(2019, 5, 1), "令和", "R"),
    (date(1989, 1, 8), "平成", "H"),
    (date(1926, 12, 25), "昭和", "S"),
    (date(1912, 7, 30), "大正", "T"),
    (date(1868, 1, 25), "明治", "M"),
]
_ERA_BY_NAME = {k: start for start, kanji, initial in ERAS for k in (kanji, initial)}
# The last day of each era: the day before the next one began (平成31年4月30日, 昭和64年1月7日).
_ERA_END = {start: later - timedelta(days=1)
            for (later, _k, _i), (start, _k2, _i2) in zip(ERAS, ERAS[1:], strict=False)}

# Full-width digits and Latin letters only: full-width punctuation （）・！ belongs to
# Japanese text and stays as written.
_WIDTH_TABLE = {cp: cp - 0xFEE0 for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for cp in range(*r)}
_WIDTH_TABLE[0x3000] = 0x20
for _cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):
    _WIDTH_TABLE[_cp] = None
for _cp in range(0x00, 0x20):
    if _cp not in (0x09, 0x0A, 0x0D):
        _WIDTH_TABLE[_cp] = None
_WIDTH_TABLE[0x7F] = None
_FULL_TABLE = {**{cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}, **_WIDTH_TABLE}
_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]+")
_DIGIT_MINUS = re.compile("(?<=[0-9])－(?=[0-9])")


def _kana_run(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group(0))


# Anything fold_width would change; most cells have none (the fast path).
_NEEDS_FOLDING = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\u3000\ufeff\uff0d\uff10-\uff5a\uff61-\uff9f]")
# Joins cells so that a column is folded in one pass: a Unicode noncharacter, which no
# text exchanged between programs contains and which no step of the folding touches.
CELL_SEPARATOR = "\uffff"


def _translate(text: str, table: dict[int, int | None], present: re.Pattern[str]) -> str:
    """``text.translate(table)``; a long text (a joined column) has only the characters it
    holds replaced, because translate looks every character up in the table."""
    if len(text) < 2048:
        return text.translate(table)
    # One search per distinct character present (no replacement is itself in a table).
    while (found := present.search(text)) is not None:
        replacement = table[ord(found.group())]
        text = text.replace(found.group(), "" if replacement is None else chr(replacement))
    return text


def _char_class(table: dict[int, int | None]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(table)) + "]")


_IN_WIDTH_TABLE = _char_class(_WIDTH_TABLE)
_IN_FULL_TABLE = _char_class(_FULL_TABLE)


def _fold(text: str) -> str:
    text = _translate(text, _WIDTH_TABLE, _IN_WIDTH_TABLE)
    if _HALFWIDTH_KANA.search(text):
        text = _HALFWIDTH_KANA.sub(_kana_run, text)
    if "－" in text:  # a full-width minus between digits is a hyphen: 1－2 → 1-2
        text = _DIGIT_MINUS.sub("-", text)
    return text


def fold_width(text: str) -> str:
    """Full-width ASCII to ASCII, half-width kana to full-width; strips the ends."""
    if not _NEEDS_FOLDING.search(text):
        return text.strip()
    return _fold(text).strip()


def _joined(texts: list[str]) -> str | None:
    """The texts joined by CELL_SEPARATOR, or None when one of them holds it."""
    joined = CELL_SEPARATOR.join(texts)
    return joined if texts and joined.count(CELL_SEPARATOR) == len(texts) - 1 else None


def fold_width_many(texts: list[str]) -> list[str]:
    """``fold_width`` of each text, a column at a time (one pass over the joined cells)."""
    joined = _joined(texts)
    if joined is None:
        return [fold_width(t) for t in texts]
    if _NEEDS_FOLDING.search(joined):
        joined = _fold(joined)
    return [t.strip() for t in joined.split(CELL_SEPARATOR)]


def nfkc_many(texts: list[str]) -> list[str]:
    """``nfkc`` of each text, a column at a time. The separator is a starter that composes
    with nothing, so normalising the joined text normalises each text on its own."""
    joined = _joined(texts)
    if joined is None:
        return [nfkc(t) for t in texts]
    joined = unicodedata.normalize("NFKC", _translate(joined, _FULL_TABLE, _IN_FULL_TABLE))
    return [t.strip() for t in joined.split(CELL_SEPARATOR)]


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text.translate(_FULL_TABLE)).strip()


def full_width_to_ascii(text: str) -> str:
    """Full-width ASCII to ASCII, the ideographic space to a space, invisible characters
    removed (the first step of ``nfkc``)."""
    return _translate(text, _FULL_TABLE, _IN_FULL_TABLE)


_ERA_RE = re.compile(
    r"^(令和|平成|昭和|大正|明治|[RHSTM])\s*(元|\d{1,2})\s*(?:年|[./\-])\s*(\d{1,2})\s*(?:月|[./\-])\s*(\d{1,2})\s*日?",
    re.IGNORECASE,
)
_WESTERN_RE = re.compile(r"^(\d{4})\s*(?:年|[./\-])\s*(\d{1,2})\s*(?:月|[./\-])\s*(\d{1,2})\s*日?")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_TAIL = re.compile(r"^(?:[T\s]*(?:午前|午後)?\s*\d{1,2}\s*(?:時|:)\s*(?:\d{1,2}\s*分?)?(?::\d{1,2}(?:\.\d+)?)?\s*(?:頃)?)?\s*$")
# A weekday in brackets after the date, as Japanese forms write it: 2024年1月14日（日）
_WEEKDAY_TAIL = re.compile(r"^\s*[(（][月火水木金土日][)）]")


class DateFormatError(ValueError):
    """Not a date; ``reason`` is an English msgid, ``params`` its placeholders."""

    def __init__(self, reason: str, **params: object):
        super().__init__(reason.format(**params))
        self.reason = reason
        self.params = params


def parse_date(value: object) -> date | None:
    """A date from a cell value; None for an empty cell; DateFormatError otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = nfkc(str(value))
    if not text:
        return None
    if text.isdigit() and len(text) == 5 and 20000 <= int(text) <= 80000:
        # An Excel serial day number (a date cell saved as a number): 45305 = 2024-01-14.
        return date(1899, 12, 30) + timedelta(days=int(text))
    era = _ERA_RE.match(text)
    if era:
        start = _ERA_BY_NAME[era.group(1).upper() if len(era.group(1)) == 1 else era.group(1)]
        year_in_era = 1 if era.group(2) == "元" else int(era.group(2))
        if year_in_era < 1:
            raise DateFormatError("there is no year 0 in a Japanese era")
        year, month, day = start.year + year_in_era - 1, int(era.group(3)), int(era.group(4))
        rest = text[era.end():]
    else:
        m = _WESTERN_RE.match(text) or _COMPACT_RE.match(text)
        if not m:
            raise DateFormatError("not a date (use YYYY-MM-DD or a Japanese era date such as 令和6年1月14日)")
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        rest = text[m.end():]
        start = None
    rest = _WEEKDAY_TAIL.sub("", rest)
    if not _TIME_TAIL.match(rest):
        raise DateFormatError("not a date (use YYYY-MM-DD or a Japanese era date such as 令和6年1月14日)")
    try:
        result = date(year, month, day)
    except ValueError:
        raise DateFormatError("no such day in the calendar") from None
    if start is not None and result < start:
        raise DateFormatError("the date is before the start of that era")
    if start is not None and start in _ERA_END and result > _ERA_END[start]:
        last = _ERA_END[start]
        name = next(kanji for began, kanji, _initial in ERAS if began == start)
        raise DateFormatError("the date is after the end of that era ({era} ended on {last})", era=name,
                              last=f"{name}{last.year - start.year + 1}年{last.month}月{last.day}日")
    if not date(1868, 1, 1) <= result <= date(2200, 12, 31):
        raise DateFormatError("the year is out of range")
    return result


def parse_int(value: object) -> int:
    """A whole number from '３', '3', '3.0', '1,200', '3人'. ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    text = nfkc(str(value)).replace(",", "")
    for unit in ("人", "世帯", "名", "件"):
        text = text.removesuffix(unit).strip()
    number = float(text)
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def parse_float(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float(nfkc(str(value)).replace(",", ""))


def normalise_phone(text: str) -> str:
    """Full-width digits and dashes to ASCII (０７６７−５３ー１１１１ → 0767-53-1111)."""
    return _DASHES.sub("-", nfkc(text))


def normalise_phone_many(texts: list[str]) -> list[str]:
    """``normalise_phone`` of each text, a column at a time."""
    normalised = nfkc_many(texts)
    joined = _joined(normalised)
    if joined is None:
        return [_DASHES.sub("-", t) for t in normalised]
    return _DASHES.sub("-", joined).split(CELL_SEPARATOR)


_DASHES = re.compile("[‐‑‒–—―−ー－]")


def lgcode_check_digit(code5: str) -> str:
    """The check digit of a 5-digit Japanese local-government code (総務省 全国地方公共団体コード)."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def lgcode6(text: str) -> str:
    """A 6-digit local-government code from 6 digits, or 5 digits whose leading zero a
    spreadsheet dropped. ValueError when the check digit does not match."""
    digits = nfkc(text)
    if digits.endswith(".0"):
        digits = digits[:-2]
    if not digits.isdigit() or not 5 <= len(digits) <= 6:
        raise ValueError(text)
    digits = digits.zfill(6)
    if lgcode_check_digit(digits[:5]) != digits[5]:
        raise ValueError(text)
    return digits


def lgcode_from5(text: str) -> str:
    """A 6-digit code from the 5-digit group code (団体コード without check digit)."""
    digits = nfkc(text)
    if digits.endswith(".0"):
        digits = digits[:-2]
    if not digits.isdigit() or len(digits) > 5:
        raise ValueError(text)
    digits = digits.zfill(5)
    return digits + lgcode_check_digit(digits)


def prefecture_code(text: str) -> str:
    """'JP-17', '17', '１７' → 'JP-17' (ISO 3166-2). ValueError when out of 1..47."""
    t = nfkc(text).upper().removeprefix("JP-").removeprefix("JP")
    if t.endswith(".0"):
        t = t[:-2]
    if not t.isdigit() or not 1 <= int(t) <= 47:
        raise ValueError(text)
    return f"JP-{int(t):02d}"


def split_list(text: str) -> list[str]:
    """'食料、住宅修理; 心のケア' → ['食料', '住宅修理', '心のケア']."""
    return [p.strip() for p in re.split(r"[,、，;；/／|｜\n]", text) if p.strip()]


def header_key(text: object) -> str:
    """A column header reduced for matching: NFKC, case-folded, no spaces or punctuation."""
    t = nfkc(str(text)).casefold()
    t = re.sub(r"[\s_\-・.:：()（）\[\]【】「」*※]", "", t)
    return t
