"""Small checks shared by the services; each failure names the field and the value."""

from __future__ import annotations

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


def check_text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError("{field} is required", field=field)
    if len(text) > max_length:
        raise ValidationError(
            "{field} is too long ({length} characters, at most {max})",
            field=field, length=len(text), max=max_length,
        )
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
