"""Japan's municipalities as shipped in resources/areas/municipalities.csv (CC0, code4fukui's
localgovjp): the welcome screen fills a municipality's code from its name, and its name from
its code, before any workspace (and so any imported area list) exists."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from recovery_desk.io.normalise import nfkc


@dataclass(frozen=True)
class Municipality:
    prefecture: str
    name: str  # 七尾市, 札幌市 中央区
    kana: str
    code: str  # 6 digits, the last the check digit


@lru_cache(maxsize=1)
def municipalities() -> tuple[Municipality, ...]:
    from recovery_desk.resources import resource_path

    with resource_path("areas", "municipalities.csv").open(encoding="utf-8", newline="") as table:
        return tuple(Municipality(r["prefecture"], r["municipality"], r["kana"], r["code"])
                     for r in csv.DictReader(table))


def _key(text: str) -> str:
    return "".join(nfkc(text).split())


def by_name(text: str) -> list[Municipality]:
    """The municipalities called ``text`` (spaces and width ignored; "石川県七尾市" names its
    prefecture too); several when the name is not unique (府中市: Tokyo's and Hiroshima's)."""
    key = _key(text)
    if not key:
        return []
    return [m for m in municipalities() if key in (_key(m.name), _key(m.prefecture + m.name))]


def by_code(code: str) -> Municipality | None:
    code = _key(code)
    return next((m for m in municipalities() if m.code == code), None)
