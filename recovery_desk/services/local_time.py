"""The workspace's time zone: times are stored in UTC and shown, in reports and in the app,
in the zone of the incident's area, said as such ("2024-06-30 14:05 JST", "… 日本時間").

A workspace is in Japan's time unless it names another zone (``incident zone NAME``, kept
in this file's workspace_info). Japan's time needs no time-zone database (UTC+9, no summer
time since 1951), so it is right on a laptop without one (Windows has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from recovery_desk.domain.errors import ValidationError
from recovery_desk.i18n import tr

TOKYO = "Asia/Tokyo"
ZONE_KEY = "time_zone"
_JST = timezone(timedelta(hours=9), "JST")


@dataclass(frozen=True)
class Zone:
    name: str  # IANA name, e.g. Asia/Tokyo
    tz: tzinfo

    def local(self, moment: datetime) -> datetime:
        """``moment`` in this zone; a naive moment is UTC (as stored)."""
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(self.tz)

    def label(self, lang: str | None = None, moment: datetime | None = None) -> str:
        """How a reader names the zone: JST / 日本時間, else its abbreviation or name."""
        if self.name == TOKYO:
            return tr("JST", lang)
        abbreviation = self.local(moment or datetime.now(UTC)).tzname() or ""
        return abbreviation if abbreviation and abbreviation[0] not in "+-" else self.name

    def format(self, moment: datetime | None, lang: str | None = None, *, offset: bool = False) -> str:
        """``2024-06-30 14:05 JST`` (``offset``: ``… JST (UTC+09:00)``); "" for no moment."""
        if moment is None:
            return ""
        local = self.local(moment)
        text = f"{local:%Y-%m-%d %H:%M} {self.label(lang, local)}"
        if offset:
            raw = local.strftime("%z")
            text += tr(" (UTC{offset})", lang, offset=f"{raw[:3]}:{raw[3:]}")
        return text

    def date_of(self, moment: datetime | None) -> str:
        return "" if moment is None else f"{self.local(moment):%Y-%m-%d}"


def zone_named(name: str) -> Zone:
    """The zone of an IANA name; an unknown name is refused (ValidationError)."""
    name = name.strip()
    if name in (TOKYO, "Japan", "JST"):
        return Zone(TOKYO, _JST)
    try:
        from zoneinfo import ZoneInfo

        return Zone(name, ZoneInfo(name))
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        pass
    raise ValidationError("'{zone}' is not a time zone this computer knows (e.g. Asia/Tokyo, Europe/Berlin)",
                          zone=name)


JAPAN = Zone(TOKYO, _JST)


def workspace_zone(session: Any) -> Zone:
    """The zone this workspace's times are shown in (Japan's unless the file names another)."""
    from sqlalchemy import select

    from recovery_desk.storage.models import WorkspaceInfo

    name = session.scalar(select(WorkspaceInfo.value).where(WorkspaceInfo.key == ZONE_KEY))
    if not name:
        return JAPAN
    try:
        return zone_named(name)
    except ValidationError:  # a zone this computer does not know: Japan's, rather than no report
        return JAPAN


def set_workspace_zone(ws: Any, name: str) -> Zone:
    """Name the zone of this workspace file (checked first); returns it."""
    from recovery_desk.storage.models import WorkspaceInfo

    zone = zone_named(name)
    with ws.session() as session, session.begin():
        row = session.get(WorkspaceInfo, ZONE_KEY)
        if row is None:
            session.add(WorkspaceInfo(key=ZONE_KEY, value=zone.name))
        else:
            row.value = zone.name
    return zone
