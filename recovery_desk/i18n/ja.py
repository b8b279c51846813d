"""The Japanese catalog: one dict per part of the product, merged here.

Each part keeps its own file so that work on one part never edits another's catalog.
``tests/test_i18n.py`` fails when a message used in the code has no entry here.
"""

from recovery_desk.i18n import (
    ja_board,
    ja_core,
    ja_field,
    ja_io,
    ja_mapping,
    ja_reports,
    ja_safety,
    ja_server,
    ja_sync,
    ja_ui,
)
from recovery_desk.i18n.ja_core import FIELD_NAMES

__all__ = ["FIELD_NAMES", "JA", "PARTS"]

# Every part's catalog, by name (tests/test_i18n.py checks that no two translate one message two ways).
PARTS = {
    "core": ja_core, "ui": ja_ui, "board": ja_board, "reports": ja_reports, "io": ja_io,
    "server": ja_server, "mapping": ja_mapping, "field": ja_field, "sync": ja_sync, "safety": ja_safety,
}

JA: dict[str, str] = {english: japanese for part in PARTS.values() for english, japanese in part.MESSAGES.items()}
