"""The app's own settings in QSettings: typed, defaulted, in one place (after Picard's
config.py). Window layout, last workspace, recent files, language, saved filters.

The user's identity (name, organisation) lives in services/settings.py, shared with the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter

SCHEMA_VERSION = 1
MAX_RECENT = 8


def qsettings() -> QSettings:
    return QSettings("RecoveryDesk", "RecoveryDesk")


class Option:
    """A typed option with a default; reads never fail (a bad value gives the default)."""

    def __init__(self, key: str, kind: type, default: Any):
        self.key, self.kind, self.default = key, kind, default

    def get(self, s: QSettings | None = None) -> Any:
        s = s or qsettings()
        value = s.value(self.key, None)
        if value is None:
            return self.default
        try:
            if self.kind is bool:
                return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
            if self.kind is list:
                return json.loads(value) if isinstance(value, str) else list(value)
            if self.kind is QByteArray:
                return value if isinstance(value, QByteArray) else self.default
            return self.kind(value)
        except (TypeError, ValueError):
            return self.default

    def set(self, value: Any, s: QSettings | None = None) -> None:
        s = s or qsettings()
        s.setValue(self.key, json.dumps(value, ensure_ascii=False) if self.kind is list else value)


VERSION = Option("settings/version", int, SCHEMA_VERSION)
LANGUAGE = Option("ui/language", str, "")  # "" = from the environment
LAST_WORKSPACE = Option("workspace/last", str, "")
RECENT = Option("workspace/recent", list, [])
GEOMETRY = Option("window/geometry", QByteArray, QByteArray())
STATE = Option("window/state", QByteArray, QByteArray())
LAST_PAGE = Option("window/page", str, "dashboard")
LAST_FOLDER = Option("files/last_folder", str, "")  # where the last open/save dialog ended
SHOW_TODAY = Option("start/show_today", bool, True)  # the "today" summary after signing in
MAIN_SPLITTER = Option("window/splitter", QByteArray, QByteArray())
CASES_SPLITTER = Option("cases/splitter", QByteArray, QByteArray())
CASES_HEADER = Option("cases/header", QByteArray, QByteArray())
SAVED_FILTERS = Option("cases/saved_filters", list, [])  # [[name, query], ...]
# Server workspaces opened before: libpq URLs only, never a password (ui/dialogs/server_dialog.py).
SAVED_SERVERS = Option("servers/saved", list, [])


def upgrade(s: QSettings | None = None) -> None:
    """Settings schema upgrades go here (none yet); stamps the version."""
    s = s or qsettings()
    if VERSION.get(s) != SCHEMA_VERSION or s.value(VERSION.key) is None:
        VERSION.set(SCHEMA_VERSION, s)


def save_server(url: str) -> list[str]:
    """Remember a server workspace's URL (the last used first)."""
    saved = [url, *(u for u in SAVED_SERVERS.get() if u != url)][:MAX_RECENT]
    SAVED_SERVERS.set(saved)
    return saved


def forget_server(url: str) -> None:
    SAVED_SERVERS.set([u for u in SAVED_SERVERS.get() if u != url])


def add_recent(path: Path | str) -> list[str]:
    path = str(Path(path))
    recent = [p for p in RECENT.get() if p != path]
    recent.insert(0, path)
    recent = recent[:MAX_RECENT]
    RECENT.set(recent)
    LAST_WORKSPACE.set(path)
    return recent


def remember_layout(key: str, splitter: QSplitter | None = None, header: QHeaderView | None = None) -> None:
    """Restore a page's splitter position and column widths now, and store them whenever the
    user changes them (under ``key/splitter`` and ``key/header``)."""
    s = qsettings()
    for name, widget, changed in (("splitter", splitter, "splitterMoved"), ("header", header, "sectionResized")):
        if widget is None:
            continue
        state = s.value(f"{key}/{name}")
        if isinstance(state, QByteArray) and not state.isEmpty():
            widget.restoreState(state)
        getattr(widget, changed).connect(
            lambda *_a, w=widget, k=f"{key}/{name}": qsettings().setValue(k, w.saveState()))
