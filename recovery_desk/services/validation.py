"""Small checks shared by the services; each failure names the field and the value."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from recovery_desk.domain.errors import ValidationError
from recovery_desk.domain.vocabulary import Vocabulary


def check_vocab(vocab: Vocabulary, value: Any, field: str, *, required: bool = True) -> Any:
    if value in (None, ""):
        if required:
            raise ValidationError("{field} is required", field=field)
        return None
    if value not in vocab:
        raise ValidationError(
            "{field}: '{value}' is not one of {allowed}",
            field=field, value=value, allowed=", ".join(vocab.codes),
        )
    return value


# Names are one line: a line break or a tab in a name is a pasting accident, and it breaks
# every list, CSV and report the name appears in. Free text (notes, descriptions, reasons) may
# have line breaks and tabs. No field may hold another control character (NUL, ESC, the rest
# of C0, DEL, C1): they are invisible on screen, and ESC drives terminals. The importer uses
# the same rule (io/importer.py), so a form, the CLI and a file are refused alike.
SINGLE_LINE_FIELDS = frozenset({
    "name", "acronym", "kana", "legal_form", "title", "phone", "email", "website", "skills",  # organisations, people
    "contact_name", "contact_phone",  # households (a case's contact)
    "incident_name", "prefecture", "municipality", "district",  # places
    "reference", "case_reference", "assignee", "lead_organisation",  # what an import row refers to
})
# Unicode's control characters (category Cc) are exactly C0, DEL and C1.
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES_AND_TABS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str, field: str) -> tuple[str, int] | None:
    """The first character ``field`` may not hold, as ``("U+001B", position from 1)``, or None."""
    pattern = _ANY_CONTROL if field in SINGLE_LINE_FIELDS else _CONTROL_BUT_LINES_AND_TABS
    found = pattern.search(text)
    return None if found is None else (f"U+{ord(found.group()):04X}", found.start() + 1)


def shown_safely(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\x1b``) for a message, so
    that printing it cannot drive the terminal."""
    return _ANY_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def check_text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError("{field} is required", field=field)
    if len(text) > max_length:
        raise ValidationError(
            "{field} is too long ({length} characters, at most {max})",
            field=field, length=len(text), max=max_length,
        )
    found = control_character(text, field)
    if found is not None:
        raise ValidationError("{field} contains the control character {code} at position {position}; remove it",
                              field=field, code=found[0], position=found[1])
    return text


def check_date(value: Any, field: str, *, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise ValidationError("{field} is required", field=field)
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            "{field}: '{value}' is not a date (use YYYY-MM-DD)", field=field, value=value
        ) from None


def check_int(value: Any, field: str, *, minimum: int | None = 0, required: bool = False) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError("{field} is required", field=field)
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError("{field}: '{value}' is not a whole number", field=field, value=value) from None
    if minimum is not None and number < minimum:
        raise ValidationError("{field} must be at least {minimum}", field=field, minimum=minimum)
    return number


def check_float(value: Any, field: str, *, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError("{field}: '{value}' is not a number", field=field, value=value) from None
    if not low <= number <= high:
        raise ValidationError("{field} must be between {low} and {high}", field=field, low=low, high=high)
    return number


def reject_unknown(fields: dict[str, Any], allowed: set[str] | frozenset[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError("unknown field(s): {names}", names=", ".join(unknown))
