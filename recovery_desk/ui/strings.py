"""``tr`` for the desktop shell: the UI catalog (ja_ui) wins over the other parts' catalogs.

The catalogs are merged into one dict keyed by English text, so a short word such as
"Cases" may be translated by another part for another use (a report column "ケース数");
in the window it must read as a page name. Same signature as :func:`recovery_desk.i18n.tr`.
"""

from __future__ import annotations

from recovery_desk.i18n import current_language
from recovery_desk.i18n import tr as _core_tr
from recovery_desk.i18n.ja_ui import MESSAGES as UI_MESSAGES


def tr(message: str, lang: str | None = None, /, **params: object) -> str:
    lang = lang or current_language()
    if lang == "ja" and message in UI_MESSAGES:
        text = UI_MESSAGES[message]
        return text.format(**params) if params else text
    return _core_tr(message, lang, **params)
