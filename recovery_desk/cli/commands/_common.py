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
    """Open the workspace named on the command line; a bad file raises WorkspaceError."""
    from recovery_desk.services.settings import current_actor
    from recovery_desk.services.workspace import Workspace

    return Workspace.open(workspace_path(args), actor=current_actor())


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError("{option}: '{value}' is not a date (use YYYY-MM-DD)",
                              option=option, value=value) from None
