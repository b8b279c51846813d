"""Open and save dialogs that speak the app's language and start somewhere useful.

Qt's own dialog (not the desktop's native one, which follows the system's language and
showed "Look in:" / "Files of type:" in the Japanese app) with Qt's translations loaded;
it starts in the folder last used, else the user's documents — never the current
directory (which is wherever the app was started from, often the source checkout).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from recovery_desk.ui import options


def start_folder() -> Path:
    last = options.LAST_FOLDER.get()
    if last and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def _start(suggested: str) -> str:
    """A suggested file name alone goes into the start folder; a path is kept as given."""
    if not suggested:
        return str(start_folder())
    path = Path(suggested)
    return str(path if path.is_absolute() else start_folder() / path)


def _remember(path: str) -> str:
    if path:
        options.LAST_FOLDER.set(str(Path(path).parent))
    return path


def ask_open_file(parent: QWidget | None, title: str, filters: str, suggested: str = "") -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, _start(suggested), filters,
                                          options=QFileDialog.Option.DontUseNativeDialog)
    return _remember(path)


def ask_save_file(parent: QWidget | None, title: str, suggested: str = "", filters: str = "") -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, _start(suggested), filters,
                                          options=QFileDialog.Option.DontUseNativeDialog)
    return _remember(path)
