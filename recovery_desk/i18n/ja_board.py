"""Japanese for the board messages, keyed by the English text (see recovery_desk/i18n/ja.py)."""

MESSAGES: dict[str, str] = {
    "Board": "ボード",
}
