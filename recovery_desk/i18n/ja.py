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
    ja_sync,
    ja_ui,
)
from recovery_desk.i18n.ja_core import FIELD_NAMES

__all__ = ["FIELD_NAMES", "JA"]

JA: dict[str, str] = {
    **ja_core.MESSAGES,
    **ja_ui.MESSAGES,
    **ja_board.MESSAGES,
    **ja_reports.MESSAGES,
    **ja_io.MESSAGES,
    **ja_mapping.MESSAGES,
    **ja_field.MESSAGES,
    **ja_sync.MESSAGES,
    **ja_safety.MESSAGES,
}
