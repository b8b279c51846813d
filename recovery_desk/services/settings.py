"""Qt-free user settings shared by the CLI and the app: who is signing changes.

The desktop app keeps window layout in QSettings; the identity lives here so that the
CLI signs the audit trail with the same name. ``RECOVERY_DESK_ACTOR`` overrides it.
"""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Any


def settings_path() -> Path:
    override = os.environ.get("RECOVERY_DESK_CONFIG_DIR")
    if override:
        return Path(override) / "settings.json"
    from platformdirs import user_config_path

    return user_config_path("RecoveryDesk", appauthor=False) / "settings.json"


def load_settings() -> dict[str, Any]:
    try:
        return json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_settings(values: dict[str, Any]) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**load_settings(), **values}, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


def format_actor(name: str, organisation: str) -> str:
    return f"{name} ({organisation})" if organisation else name


def current_actor() -> str:
    env = os.environ.get("RECOVERY_DESK_ACTOR")
    if env:
        return env
    settings = load_settings()
    name = settings.get("user_name") or ""
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no user database entry (containers)
            name = "unknown"
    return format_actor(name, settings.get("user_organisation") or "")
