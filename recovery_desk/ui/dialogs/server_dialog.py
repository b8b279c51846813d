"""File ▸ Open server workspace… (and the server of Exchange ▸ Synchronise with a server…):
a saved connection, or a new ``postgresql://`` URL.

Connections are remembered in the settings as URLs only. A password never is: the dialog
refuses a URL holding one (storage/engines.py says why) and points at libpq's own means
(~/.pgpass, PGPASSFILE, or the prompt of a terminal).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.i18n import tr
from recovery_desk.ui import options

EXAMPLE = "postgresql://USER@HOST/DATABASE"


class ServerDialog(QDialog):
    """Choose a server workspace: the saved connections first, the last used on top."""

    def __init__(self, parent: QWidget | None, lang: str, *, title: str, action: str):
        super().__init__(parent)
        self.lang = lang
        self.setObjectName("server_dialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("A workspace on a PostgreSQL server: choose a saved connection or type its URL "
                          "({example}).", lang, example=EXAMPLE))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.urls = QComboBox()
        self.urls.setObjectName("server_urls")
        self.urls.setEditable(True)
        self.urls.addItems(options.SAVED_SERVERS.get())
        self.urls.lineEdit().setPlaceholderText(EXAMPLE)
        layout.addWidget(self.urls)
        note = QLabel(tr("The password is never saved here: it comes from ~/.pgpass or the file PGPASSFILE "
                         "names (libpq's own means).", lang))
        note.setWordWrap(True)
        note.setObjectName("password_note")
        layout.addWidget(note)
        self.problem = QLabel("")
        self.problem.setObjectName("server_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.forget_button = QPushButton(tr("Forget this connection", lang))
        self.forget_button.setObjectName("forget_server")
        buttons.addButton(self.forget_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.forget_button.clicked.connect(self.forget)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel", lang))
        layout.addWidget(buttons)
        self.url = ""

    def forget(self) -> None:
        text = self.urls.currentText().strip()
        options.forget_server(text)
        index = self.urls.findText(text)
        if index >= 0:
            self.urls.removeItem(index)

    def accept(self) -> None:
        from recovery_desk.storage.engines import ServerUrl

        text = self.urls.currentText().strip()
        try:
            self.url = ServerUrl(text).url
        except RecoveryDeskError as exc:  # not a URL, or one holding a password: say so here
            self.problem.setText(exc.message(self.lang))
            self.problem.show()
            return
        super().accept()


def ask_server_url(parent: QWidget | None, lang: str, *, title: str, action: str) -> str:
    """The URL chosen ("" when cancelled); it is remembered once the server answered."""
    dialog = ServerDialog(parent, lang, title=title, action=action)
    try:
        return dialog.url if dialog.exec() == QDialog.DialogCode.Accepted else ""
    finally:
        dialog.deleteLater()
