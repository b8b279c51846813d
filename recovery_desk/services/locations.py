"""Where workspaces live by default (the user data folder). Light: no database imports,
so that quick commands can name a workspace without loading SQLAlchemy."""

from __future__ import annotations

from pathlib import Path

WORKSPACE_SUFFIX = ".rdesk"


def default_workspace_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("RecoveryDesk", appauthor=False)


def default_workspace_path() -> Path:
    return default_workspace_dir() / f"workspace{WORKSPACE_SUFFIX}"


def demo_workspace_path() -> Path:
    return default_workspace_dir() / f"demo{WORKSPACE_SUFFIX}"
