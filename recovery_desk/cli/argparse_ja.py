"""Japanese for argparse's own messages, so usage errors speak the user's language too.

argparse looks up its ``_``/``ngettext`` module globals at call time; pointing them at
this table is the documented-by-source way to translate it without shipping .mo files.
"""

from __future__ import annotations

import argparse

from recovery_desk.i18n import current_language

ARGPARSE_JA = {
    "usage: ": "使い方: ",
    "%(prog)s: error: %(message)s\n": "%(prog)s: エラー: %(message)s\n",
    "the following arguments are required: %s": "次の引数が必要です: %s",
    "unrecognized arguments: %s": "認識できない引数: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "無効な選択: %(value)r（%(choices)s から選択）",
    "argument %(argument_name)s: %(message)s": "引数 %(argument_name)s: %(message)s",
    "expected one argument": "値が1つ必要です",
    "invalid %(type)s value: %(value)r": "無効な %(type)s の値: %(value)r",
    "show this help message and exit": "このヘルプを表示して終了する",
    "positional arguments": "位置引数",
    "options": "オプション",
    "ambiguous option: %(option)s could match %(matches)s": "曖昧なオプション: %(option)s は %(matches)s に該当します",
    "not allowed with argument %s": "引数 %s と同時には使えません",
    "ignored explicit argument %r": "明示的な引数 %r は無視されました",
}


def _gettext(message: str) -> str:
    return ARGPARSE_JA.get(message, message) if current_language() == "ja" else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install() -> None:
    argparse._ = _gettext  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]
