"""Japanese for the reports messages, keyed by the English text (see recovery_desk/i18n/ja.py)."""

MESSAGES: dict[str, str] = {
    "Reports": "報告書",
}
