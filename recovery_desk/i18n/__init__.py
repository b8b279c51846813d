"""Translation of the Qt-free layers (CLI messages, errors, reports, demo data labels).

Messages are written in English in the code, wrapped in ``tr("...")``; the Japanese text
lives in :mod:`recovery_desk.i18n.ja`. A test scans the source tree and fails when a
``tr()`` literal has no Japanese entry, so no string reaches a user in one language only.
The desktop UI uses the same catalog for its own strings and Qt's translations for Qt's.
"""

from __future__ import annotations

import locale
import os

from recovery_desk.i18n.ja import JA

LANGUAGES = ("en", "ja")
_current = "en"


def default_language() -> str:
    """The language of the user's environment, when it is one we ship."""
    for var in ("RECOVERY_DESK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    loc = locale.getlocale()[0] or ""
    return "ja" if loc.lower().startswith("ja") else "en"


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    _current = lang


def current_language() -> str:
    return _current


def tr(message: str, lang: str | None = None, /, **params: object) -> str:
    """Translate ``message`` into ``lang`` (default: the current language), then format it."""
    lang = lang or _current
    text = JA.get(message, message) if lang == "ja" else message
    return text.format(**params) if params else text


def trp(context: str, message: str, lang: str | None = None, /, **params: object) -> str:
    """``tr`` with a context, for English that Japanese says two ways (gettext's pgettext):
    a report's column "Cases" counts (ケース数) where the window's page "Cases" names (ケース).
    The Japanese catalog keys it as ``"context|message"``."""
    lang = lang or _current
    text = JA.get(f"{context}|{message}", message) if lang == "ja" else message
    return text.format(**params) if params else text
