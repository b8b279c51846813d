"""The icons of the sidebar's pages and the toolbar's actions: one set, Adwaita's symbolic
icons (GNOME Project, CC-BY-SA-3.0 or LGPL-3; resources/icons/ui/COPYING.txt), shipped in
resources/icons/ui and found through recovery_desk.resources (source tree or bundle)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from recovery_desk.resources import resource_path

PAGE_ICONS = {
    "my_work": "object-select", "dashboard": "view-grid", "cases": "user-home", "board": "view-dual",
    "organisations": "system-users", "people": "avatar-default", "reports": "x-office-document",
    "resource_map": "mark-location", "conflicts": "dialog-warning",
}
ACTION_ICONS = {
    "new_case": "document-new", "undo": "edit-undo", "redo": "edit-redo", "find": "edit-find",
    "backup": "document-save", "import": "document-open", "export": "document-send",
}


def icon_path(name: str) -> str:
    return str(resource_path("icons", "ui", f"{name}.svg"))


def icon(name: str) -> QIcon:
    """The icon ``name`` (a file of resources/icons/ui); an empty icon when it is missing (the
    words stay; ``gui --self-test`` names what is missing)."""
    try:
        return QIcon(icon_path(name))
    except FileNotFoundError:
        return QIcon()


def missing_icons() -> list[str]:
    """The page and action icons that are not there or do not render (no SVG plugin)."""
    missing = []
    for name in sorted({*PAGE_ICONS.values(), *ACTION_ICONS.values()}):
        try:
            if QIcon(icon_path(name)).pixmap(16, 16).isNull():
                missing.append(name)
        except FileNotFoundError:
            missing.append(name)
    return missing
