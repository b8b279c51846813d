"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from recovery_desk.domain.errors import ValidationError
from recovery_desk.i18n import tr


def workspace_path(args: argparse.Namespace) -> Path:
    from recovery_desk.services.locations import default_workspace_path

    return args.workspace or default_workspace_path()


def open_workspace(args: argparse.Namespace):
    """Open the workspace named on the command line; a bad file raises WorkspaceError.
    It signs changes as ``--as NAME`` (a person of the workspace), else as the person saved
    for this file by the app (services/identity.py), else as the saved name."""
    from recovery_desk.services.settings import current_actor
    from recovery_desk.services.workspace import Workspace

    ws = Workspace.open(workspace_path(args), actor=current_actor(), progress=say_on_stderr)
    try:
        sign_in_from(args, ws)
    except BaseException:
        ws.close()
        raise
    return ws


def say_on_stderr(line: str) -> None:
    """What a long step is doing, before it starts (stderr: stdout stays what scripts read)."""
    import sys

    print(f"recovery-desk: {line}", file=sys.stderr, flush=True)


def ask(prompt: str, *, secret: bool = False) -> str:
    """A line the user types at the terminal (not echoed when ``secret``). Noted: a command the
    server aborted (a deadlock) is then not run again, which would ask a second time
    (storage/retry.py)."""
    from recovery_desk.storage.retry import note_question

    note_question()
    if secret:
        import getpass

        return getpass.getpass(prompt)
    return input(prompt)


def sign_in_from(args: argparse.Namespace, ws) -> None:
    from recovery_desk.services import identity

    with ws.session() as session:
        as_person = getattr(args, "as_person", None)
        if as_person:
            person = identity.find_person(session, as_person)
            me = identity.identity_of(session, person.id)
        else:
            me = identity.saved_identity(session, ws.path)
    identity.sign_in(ws, me)


def parse_date(value: str | None, option: str) -> date | None:
    """An option's date: ISO, or any form the import accepts (令和6年1月1日, R6.1.1, 2024/1/1);
    an era date that never existed (平成31年5月1日) is refused."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    from recovery_desk.io.normalise import DateFormatError, fold_width
    from recovery_desk.io.normalise import parse_date as parse_any_date

    try:
        parsed = parse_any_date(fold_width(value.strip()))
    except DateFormatError as exc:
        raise ValidationError("{option}: '{value}' is not a date: {reason}",
                              option=option, value=value, reason=tr(exc.reason, **exc.params)) from None
    if parsed is None:
        raise ValidationError("{option}: '{value}' is not a date (use YYYY-MM-DD)", option=option, value=value)
    return parsed
