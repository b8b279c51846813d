"""Dates, times and numbers in the user's language (QLocale); times in the open workspace's
zone (services/local_time.py), said as such: "2024-06-30 14:05 JST"."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from recovery_desk.services.local_time import JAPAN, Zone

# The open workspace's zone: AppContext sets it (read on the database worker) when a
# workspace opens; Japan's until then, and for a workspace that names no other.
_display_zone: Zone = JAPAN


def set_display_zone(zone: Zone | None) -> None:
    global _display_zone
    _display_zone = zone or JAPAN


def display_zone() -> Zone:
    return _display_zone


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
    """``value`` is naive UTC (as stored) unless ``utc`` is False (then already local); shown
    in the workspace's zone with the zone's name."""
    if value is None:
        return ""
    zone = _display_zone
    local = zone.local(value.replace(tzinfo=UTC) if utc else value.replace(tzinfo=value.tzinfo or zone.tz))
    qdt = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
    return f"{locale_for(lang).toString(qdt, DATETIME_FORMAT)} {zone.label(lang, local)}"


def format_number(value: int | float, lang: str) -> str:
    return locale_for(lang).toString(value)
