"""Errors a user can act on: each carries a translatable message saying what and where."""

from __future__ import annotations

from recovery_desk.i18n import tr


class RecoveryDeskError(Exception):
    """A known, user-facing error. ``message`` is an English msgid for :func:`tr`."""

    def __init__(self, message: str, /, **params: object):
        self.msgid = message
        self.params = params
        super().__init__(tr(message, "en", **params))

    def message(self, lang: str | None = None) -> str:
        from recovery_desk.i18n import current_language
        from recovery_desk.i18n.ja import FIELD_NAMES

        params = dict(self.params)
        if (lang or current_language()) == "ja" and isinstance(params.get("field"), str):
            params["field"] = FIELD_NAMES.get(params["field"], params["field"])
        return tr(self.msgid, lang, **params)


class ValidationError(RecoveryDeskError):
    """Input that breaks a rule; ``field`` names the form field when there is one."""

    def __init__(self, message: str, /, field: str | None = None, **params: object):
        super().__init__(message, field=field, **params)
        self.field = field


class NotFoundError(RecoveryDeskError):
    pass


class WorkspaceError(RecoveryDeskError):
    """The workspace file cannot be used (missing, not SQLite, corrupt, too new…)."""


class ConflictError(RecoveryDeskError):
    """The row changed since it was read (row version mismatch)."""
