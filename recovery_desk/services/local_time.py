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
    """The zone this workspace's times are shown in (:func:`zone_and_reason`)."""
    return zone_and_reason(session)[0]


def zone_and_reason(session: Any, lang: str | None = None) -> tuple[Zone, str]:
    """(zone, why): the zone this file names; else the one its areas say (:func:`country_of_areas`);
    else Japan's. ``why`` is a sentence for ``incident zone``."""
    from sqlalchemy import select

    from recovery_desk.storage.models import WorkspaceInfo

    name = session.scalar(select(WorkspaceInfo.value).where(WorkspaceInfo.key == ZONE_KEY))
    if name:
        try:
            return zone_named(name), tr("named in this workspace file", lang)
        except ValidationError:  # a zone this computer does not know: Japan's, rather than no report
            return JAPAN, tr("{zone} is named in this file but this computer does not know it: Japan's time",
                             lang, zone=name)
    country = country_of_areas(session)
    if country in (None, "JP"):
        return JAPAN, tr("the areas are Japanese local governments", lang) if country else \
            tr("Japan's time (the areas say no country)", lang)
    if country == "":
        return JAPAN, tr("the areas are in several countries: Japan's time until one is named (incident zone NAME)",
                         lang)
    zones = country_zones().get(country, [])
    if len(zones) == 1:
        try:
            return zone_named(zones[0]), tr("from the areas' P-codes ({country})", lang, country=country)
        except ValidationError:
            pass
    return JAPAN, tr("the areas are in {country}, which has {count} time zones (or this computer knows none): "
                     "Japan's time until one is named (incident zone NAME)", lang, country=country, count=len(zones))


def country_of_areas(session: Any) -> str | None:
    """The one country of the incident's areas, when they say one: Japanese local-government
    codes (digits) are Japan's ("JP"), OCHA P-codes begin with the ISO 3166 country code
    ("PH0102801"); None when the areas carry no code, "" when they name several countries."""
    from sqlalchemy import func, select

    from recovery_desk.storage.models import Area

    countries = set()
    for code in session.scalars(select(func.substr(Area.municipality_code, 1, 2)).where(
            Area.deleted_at.is_(None), Area.municipality_code != "").distinct()):
        if code.isdigit():
            countries.add("JP")
        elif code.isalpha():
            countries.add(code.upper())
    if not countries:
        return None
    return countries.pop() if len(countries) == 1 else ""


def country_zones() -> dict[str, list[str]]:
    """{ISO 3166 country code: its IANA zones}, from the time-zone database's zone.tab (the
    tzdata package, else the system's); {} when this computer has neither."""
    text = None
    try:
        from importlib.resources import files

        text = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ImportError, OSError):
        for path in ("/usr/share/zoneinfo/zone.tab", "/usr/lib/zoneinfo/zone.tab"):
            try:
                with open(path, encoding="utf-8") as table:  # a system file, never a workspace
                    text = table.read()
                break
            except OSError:
                continue
    out: dict[str, list[str]] = {}
    for line in (text or "").splitlines():
        columns = line.split("\t")
        if len(columns) >= 3 and not line.startswith("#"):
            out.setdefault(columns[0], []).append(columns[2])
    return out


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
