"""Colours of the app: each sector has one, the same on the dashboard, the board and the welfare triangle."""

from __future__ import annotations

from PySide6.QtGui import QColor

SECTOR_COLOURS = {
    "state": QColor("#1f77b4"),
    "market": QColor("#d62728"),
    "community": QColor("#2ca02c"),
    "third_sector": QColor("#9467bd"),
    "hybrid": QColor("#ff7f0e"),
}
PRIORITY_COLOURS = {
    "urgent": QColor("#c62828"),
    "high": QColor("#ef6c00"),
    "low": QColor("#90a4ae"),
}


def sector_colour(sector: str | None) -> QColor:
    return SECTOR_COLOURS.get(sector or "", QColor("#9e9e9e"))
