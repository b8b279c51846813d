"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from recovery_desk.domain.errors import ValidationError


def workspace_path(args: argparse.Namespace) -> Path:
    from recovery_desk.services.locations import default_workspace_path

    return args.workspace or default_workspace_path()


def open_workspace(args: argparse.Namespace):
    """Open the workspace named on the command line; a bad file raises WorkspaceError.
    It signs changes as ``--as NAME`` (a person of the workspace), else as the person saved
    for this file by the app (services/identity.py), else as the saved name."""
    from recovery_desk.services.settings import current_actor
    from recovery_desk.services.workspace import Workspace

    ws = Workspace.open(workspace_path(args), actor=current_actor())
    try:
        sign_in_from(args, ws)
    except BaseException:
        ws.close()
        raise
    return ws


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
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError("{option}: '{value}' is not a date (use YYYY-MM-DD)",
                              option=option, value=value) from None
