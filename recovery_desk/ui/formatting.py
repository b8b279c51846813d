"""Dates, times and numbers in the user's language (QLocale), local time for audit times."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime


def locale_for(lang: str) -> QLocale:
    return QLocale("ja_JP") if lang == "ja" \
        else QLocale("en_GB")


# One date format everywhere, in both languages: the ISO form the date fields take, the
# reports print and the exports write (en_GB's short format showed 03/09/2026 beside them).
DATE_FORMAT = "yyyy-MM-dd"
DATETIME_FORMAT = "yyyy-MM-dd HH:mm"


def format_date(value: date | None, lang: str) -> str:
    if value is None:
        return ""
    return locale_for(lang).toString(QDate(value.year, value.month, value.day), DATE_FORMAT)


def format_datetime(value: datetime | None, lang: str, utc: bool = True) -> str:
    """``value`` is naive UTC (as stored) unless ``utc`` is False; shown in local time."""
    if value is None:
        return ""
    local = value.replace(tzinfo=UTC).astimezone() if utc else value
    qdt = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
    return locale_for(lang).toString(qdt, DATETIME_FORMAT)


def format_number(value: int | float, lang: str) -> str:
    return locale_for(lang).toString(value)
