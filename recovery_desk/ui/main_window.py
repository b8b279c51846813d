"""The main window: sidebar of pages, toolbar, menus, status bar, welcome screen.

Pages are built lazily from a list of (key, label, factory) the first time they are shown,
so the window appears before the heavier pages import; a page whose module is missing
shows a note instead of breaking the window.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QThread, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QTreeView,
    QWidget,
)

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.i18n import tr
from recovery_desk.services import identity
from recovery_desk.services.settings import current_actor
from recovery_desk.services.workspace import (
    WORKSPACE_SUFFIX,
    Workspace,
    default_workspace_dir,
    demo_workspace_path,
)
from recovery_desk.ui import options
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.headers import keep_titles_whole
from recovery_desk.ui.icons import ACTION_ICONS, PAGE_ICONS, icon
from recovery_desk.ui.progress import run_plain
from recovery_desk.ui.welcome import IdentityDialog, WelcomePage

DEMO_CASES = 500


def _factory(module: str, name: str) -> Callable[[AppContext, QWidget | None], QWidget]:
    def build(ctx: AppContext, parent: QWidget | None = None) -> QWidget:
        cls = getattr(importlib.import_module(module), name)
        return cls(ctx, parent)
    return build


# key, English label (translated with tr), factory
SIDEBAR_ICON, TOOLBAR_ICON = 18, 18
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1  # the number shown beside a page's name (overdue, conflicts)

PAGES: list[tuple[str, str, Callable[[AppContext, QWidget | None], QWidget]]] = [
    ("my_work", "My work", _factory("recovery_desk.ui.pages.my_work_page", "MyWorkPage")),
    ("dashboard", "Dashboard", _factory("recovery_desk.ui.pages.dashboard_page", "DashboardPage")),
    ("cases", "Cases", _factory("recovery_desk.ui.pages.cases_page", "CasesPage")),
    ("board", "Board", _factory("recovery_desk.ui.board.page", "BoardPage")),
    ("organisations", "Organisations", _factory("recovery_desk.ui.pages.organisations_page", "OrganisationsPage")),
    ("people", "People", _factory("recovery_desk.ui.pages.people_page", "PeoplePage")),
    ("reports", "Reports", _factory("recovery_desk.ui.pages.reports_page", "ReportsPage")),
    ("resource_map", "Resource map", _factory("recovery_desk.ui.pages.resource_map_page", "ResourceMapPage")),
    ("conflicts", "Conflicts", _factory("recovery_desk.ui.pages.conflicts_page", "ConflictsPage")),
]


def page_label(key: str, lang: str) -> str:
    return {"my_work": tr("My work", lang), "dashboard": tr("Dashboard", lang), "cases": tr("Cases", lang), "board": tr("Board", lang),
            "organisations": tr("Organisations", lang), "people": tr("People", lang),
            "reports": tr("Reports", lang), "resource_map": tr("Resource map", lang),
            "conflicts": tr("Conflicts", lang)}.get(key, key)


class _BackupThread(QThread):
    done = Signal(object, object)  # destination or None, exception or None

    def __init__(self, path: Path):
        super().__init__()
        self.setObjectName("recovery-desk-backup")
        self.path = path

    def run(self) -> None:
        from recovery_desk.services import backups

        try:
            dest = backups.backup_on_open(self.path)
        except Exception as exc:  # reported in the status bar
            self.done.emit(None, exc)
        else:
            self.done.emit(dest, None)


class SettingsDialog(QDialog):
    """Language (applies at the next start) and the identity that signs changes."""

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle(tr("Settings", lang))
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem(tr("As the system", lang), "")
        self.language.addItem("English", "en")
        self.language.addItem("日本語", "ja")
        index = self.language.findData(options.LANGUAGE.get())
        self.language.setCurrentIndex(max(index, 0))
        form = QFormLayout(self)
        form.addRow(tr("Language", lang), self.language)
        form.addRow(QLabel(tr("A new language applies the next time Recovery Desk starts.", lang)))
        self.identity_button = QDialogButtonBox()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("OK", lang))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel", lang))
        who = buttons.addButton(tr("Change my name or organisation…", lang), QDialogButtonBox.ButtonRole.ActionRole)
        who.clicked.connect(lambda: IdentityDialog(lang, self).exec())
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        options.LANGUAGE.set(self.language.currentData())
        super().accept()


class MainWindow(QMainWindow):
    workspace_opened = Signal(object)  # Workspace
    first_painted = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lang = self.lang = ctx.lang
        self.setObjectName("main_window")
        self.setWindowTitle(tr("Recovery Desk", lang))
        self.pages: dict[str, QWidget] = {}
        self.backup_on_open = True  # a copy in backups/ beside the workspace each time it is opened
        self._backup_threads: list[_BackupThread] = []  # running automatic backups (kept until finished)
        self._painted = False
        # Injected by tests: ask for paths without a native dialog.
        self.ask_open_path: Callable[[], str] = self._ask_open_path
        self.ask_save_path: Callable[[str], str] = self._ask_save_path
        self.ask_server_url: Callable[[], str] = self._ask_server_url

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setIconSize(QSize(SIDEBAR_ICON, SIDEBAR_ICON))
        self.sidebar.setSpacing(1)
        for key, _label, _f in PAGES:
            item = QListWidgetItem(icon(PAGE_ICONS[key]), page_label(key, lang))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sidebar.addItem(item)
        self._fit_sidebar()
        self.sidebar.currentRowChanged.connect(self._sidebar_changed)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        self.welcome = WelcomePage(lang)
        self.welcome.create_requested.connect(self.create_workspace)
        self.welcome.open_requested.connect(self.open_dialog)
        self.welcome.demo_requested.connect(self.open_demo)
        self.stack.addWidget(self.welcome)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([self.sidebar.width(), 1200])
        self.setCentralWidget(self.splitter)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status()

        ctx.error.connect(self.show_error)
        ctx.workspace_changed.connect(self._workspace_changed)
        ctx.changed.connect(lambda _changes: self.refresh_sync_state())
        ctx.changed.connect(lambda _changes: self.refresh_my_count())
        ctx.worker.idle_changed.connect(self._idle_changed)
        ctx.undo_stack.indexChanged.connect(self._update_title)

        geometry = options.GEOMETRY.get()
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 860)
        state = options.STATE.get()
        if not state.isEmpty():
            self.restoreState(state)
        split = options.MAIN_SPLITTER.get()
        if not split.isEmpty():
            self.splitter.restoreState(split)
        self._workspace_changed()

    # -- building ------------------------------------------------------------------------------
    def _fit_sidebar(self) -> None:
        """As wide as its longest label with its icon and count, no wider (a wide plain list of
        words wastes the screen); called again when a count changes a label."""
        width = self.sidebar.sizeHintForColumn(0) + 2 * self.sidebar.frameWidth() + 12
        self.sidebar.setFixedWidth(width)

    def _action(self, text: str, slot: Callable[[], Any], shortcut: Any = None, name: str = "") -> QAction:
        action = QAction(text, self)
        if name:
            action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        lang = self.lang
        self.new_action = self._action(tr("New workspace…", lang), self.new_workspace, QKeySequence.StandardKey.New,
                                       "new_workspace")
        self.open_action = self._action(tr("Open workspace…", lang), self.open_dialog, QKeySequence.StandardKey.Open,
                                        "open_workspace")
        self.demo_action = self._action(tr("Open the demo", lang), self.open_demo, name="open_demo")
        self.open_server_action = self._action(tr("Open server workspace…", lang), self.open_server_dialog,
                                               name="open_server")
        self.backup_action = self._action(tr("Back up now…", lang), self.back_up, "Ctrl+B", "back_up")
        self.import_action = self._action(tr("Import…", lang), self.import_file, "Ctrl+I", "import")
        self.export_action = self._action(tr("Export…", lang), self.export_file, "Ctrl+E", "export")
        from recovery_desk.ui.dialogs.exchange_dialog import ExchangeActions

        self.exchange = ExchangeActions(self, self.ctx)
        self.write_changes_action = self._action(tr("Write changes for another laptop…", lang), self.exchange.write,
                                                 name="write_changes")
        self.read_changes_action = self._action(tr("Read changes…", lang), self.exchange.read, name="read_changes")
        self.sync_server_action = self._action(tr("Synchronise with a server…", lang), self.exchange.synchronise,
                                               name="sync_server")
        self.settings_action = self._action(tr("Settings…", lang), self.open_settings, QKeySequence.StandardKey.Preferences,
                                            "settings")
        self.quit_action = self._action(tr("Quit", lang), self.close, QKeySequence.StandardKey.Quit, "quit")
        self.switch_user_action = self._action(tr("Switch user…", lang), self.ask_sign_in, name="switch_user")
        self.close_incident_action = self._action(tr("Close the incident…", lang), self.close_incident,
                                                  name="close_incident")
        self.undo_action = self.ctx.undo_stack.createUndoAction(self, tr("Undo", lang))
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.undo_action.setObjectName("undo")
        self.redo_action = self.ctx.undo_stack.createRedoAction(self, tr("Redo", lang))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setObjectName("redo")
        self.find_action = self._action(tr("Find / filter", lang), self.focus_filter, QKeySequence("Ctrl+F"), "find")
        self.new_case_action = self._action(tr("New case", lang), self.new_case, "Ctrl+N", "new_case")
        self.new_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.page_actions = []
        for i, (key, _label, _f) in enumerate(PAGES):
            action = self._action(page_label(key, lang), lambda k=key: self.show_page(k), f"Ctrl+{i + 1}",
                                  f"page_{key}")
            self.page_actions.append(action)
        self.slash = QShortcut(QKeySequence("/"), self, activated=self.focus_filter)
        self.workspace_actions = [self.switch_user_action, self.close_incident_action, self.backup_action, self.import_action, self.export_action, self.new_case_action,
                                  self.write_changes_action, self.read_changes_action, self.sync_server_action,
                                  self.find_action, *self.page_actions]

    def _build_menus(self) -> None:
        lang = self.lang
        bar = self.menuBar()
        file_menu = bar.addMenu(tr("&File", lang))
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.open_server_action)
        self.recent_menu = file_menu.addMenu(tr("Open recent", lang))
        self.recent_menu.setObjectName("recent_menu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        self.exchange_menu = file_menu.addMenu(tr("Exchange", lang))
        self.exchange_menu.setObjectName("exchange_menu")
        self.exchange_menu.addAction(self.write_changes_action)
        self.exchange_menu.addAction(self.read_changes_action)
        self.exchange_menu.addAction(self.sync_server_action)
        file_menu.addSeparator()
        file_menu.addAction(self.switch_user_action)
        file_menu.addAction(self.close_incident_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(tr("&Edit", lang))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        edit_menu.addAction(self.new_case_action)
        view_menu = bar.addMenu(tr("&View", lang))
        for action in self.page_actions:
            view_menu.addAction(action)
        help_menu = bar.addMenu(tr("&Help", lang))
        help_menu.addAction(self._action(tr("Filter syntax", lang), self.show_query_help))
        help_menu.addAction(self._action(tr("Open the log folder", lang), self.open_log_folder))
        help_menu.addAction(self._action(tr("About Recovery Desk", lang), self.show_about))

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(tr("Main toolbar", self.lang))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QSize(TOOLBAR_ICON, TOOLBAR_ICON))
        # The menu's Undo/Redo name the command ("Undo Move case NANAO-0004 to …"); the toolbar
        # keeps short buttons that do the same and say it in their tooltip.
        stack = self.ctx.undo_stack
        self.undo_button = self._action(tr("Undo", self.lang), stack.undo, name="undo_button")
        self.redo_button = self._action(tr("Redo", self.lang), stack.redo, name="redo_button")
        stack.canUndoChanged.connect(self.undo_button.setEnabled)
        stack.canRedoChanged.connect(self.redo_button.setEnabled)
        stack.undoTextChanged.connect(self.undo_button.setToolTip)
        stack.redoTextChanged.connect(self.redo_button.setToolTip)
        self.undo_button.setEnabled(stack.canUndo())
        self.redo_button.setEnabled(stack.canRedo())
        for action, name in ((self.new_case_action, "new_case"), (self.undo_button, "undo"),
                             (self.redo_button, "redo"), (self.find_action, "find"), (self.backup_action, "backup"),
                             (self.import_action, "import"), (self.export_action, "export")):
            action.setIcon(icon(ACTION_ICONS[name]))  # the menus show the same icon beside the same words
            toolbar.addAction(action)
        self.addToolBar(toolbar)

    def _build_status(self) -> None:
        self.workspace_label = QLabel()
        self.workspace_label.setObjectName("status_workspace")
        self.user_label = QLabel()
        self.user_label.setObjectName("status_user")
        self.save_label = QLabel()
        self.save_label.setObjectName("status_save")
        status = self.statusBar()
        status.addWidget(self.workspace_label, 1)
        self.unsent_label = QLabel()
        self.unsent_label.setObjectName("status_unsent")
        status.addPermanentWidget(self.unsent_label)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.save_label)
        self._idle_changed(not self.ctx.worker.busy)

    # -- pages ---------------------------------------------------------------------------------
    def page(self, key: str) -> QWidget:
        """The page for ``key``, built on first use."""
        if key not in self.pages:
            factory = next(f for k, _l, f in PAGES if k == key)
            try:
                widget = factory(self.ctx, self)
            except ImportError as exc:
                widget = QLabel(tr("This page is not available: {error}", self.lang, error=str(exc)))
                widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            widget.setProperty("page_key", key)
            for view in widget.findChildren(QTableView) + widget.findChildren(QTreeView):
                keep_titles_whole(view)  # every page's tables: no title cut, in either language
            if key == "conflicts" and hasattr(widget, "count_changed"):
                widget.count_changed.connect(self.show_conflict_count)
            self.pages[key] = widget
            self.stack.addWidget(widget)
        return self.pages[key]

    def show_page(self, key: str) -> QWidget:
        if self.ctx.workspace is None:
            return self.welcome
        row = next(i for i, (k, _l, _f) in enumerate(PAGES) if k == key)
        if self.sidebar.currentRow() != row:
            self.sidebar.setCurrentRow(row)  # calls back into _sidebar_changed
        else:
            self.stack.setCurrentWidget(self.page(key))
        return self.pages[key]

    def current_key(self) -> str | None:
        widget = self.stack.currentWidget()
        return widget.property("page_key") if widget is not None and widget is not self.welcome else None

    def _sidebar_changed(self, row: int) -> None:
        if row < 0 or self.ctx.workspace is None:
            return
        key = PAGES[row][0]
        self.stack.setCurrentWidget(self.page(key))
        options.LAST_PAGE.set(key)

    def focus_filter(self) -> None:
        widget = self.stack.currentWidget()
        if hasattr(widget, "focus_filter"):
            widget.focus_filter()

    def new_case(self) -> None:
        if self.ctx.workspace is None:
            return
        page = self.show_page("cases")
        page.new_case()

    # -- workspace -----------------------------------------------------------------------------
    def _workspace_changed(self) -> None:
        ws = self.ctx.workspace
        for action in self.workspace_actions:
            action.setEnabled(ws is not None)
        self.sidebar.setEnabled(ws is not None)
        if ws is None:
            self.stack.setCurrentWidget(self.welcome)
            self.sidebar.clearSelection()
            self.workspace_label.setText(tr("No workspace open", self.lang))
        else:
            self.workspace_label.setText(tr("Workspace: {path}", self.lang, path=ws.path))
            self.workspace_label.setToolTip(str(ws.path))
            key = options.LAST_PAGE.get()
            if key not in [k for k, _l, _f in PAGES]:
                key = "dashboard"
            self.sidebar.setCurrentRow(-1)
            self.show_page(key)
        self.user_label.setText(tr("Signed in as {actor}", self.lang, actor=ws.actor if ws else current_actor()))
        if ws is not None and getattr(ws, "dialect", "sqlite") == "postgresql":
            self._show_server_role(ws)
        self._update_title()
        self.refresh_sync_state()
        self.refresh_my_count()

    # -- exchanges with other laptops ------------------------------------------------------------
    def sidebar_item(self, key: str) -> QListWidgetItem:
        return next(self.sidebar.item(i) for i in range(self.sidebar.count())
                    if self.sidebar.item(i).data(Qt.ItemDataRole.UserRole) == key)

    def refresh_sync_state(self) -> None:
        """The unsent count in the status bar and the open conflicts' count on the sidebar."""
        if self.ctx.workspace is None:
            self.unsent_label.setText("")
            self.show_conflict_count(0)
            return

        def job(ws: Workspace, _progress: Any) -> tuple[dict[str, Any], int]:
            from recovery_desk.services.sync.conflicts import count_conflicts
            from recovery_desk.services.sync.exchange import status

            return status(ws), count_conflicts(ws)

        def show(result: tuple[dict[str, Any], int]) -> None:
            state, conflicts = result
            # Before any exchange the count would be the log's own entries (a demo's or an import's
            # bulk creations count one each): say what it means instead.
            self.unsent_label.setText(
                tr("Not sent to other laptops: {count}", self.lang, count=state["unsent"]) if state["peers"]
                else tr("Not yet exchanged with another laptop", self.lang))
            self.show_conflict_count(conflicts)

        self.ctx.run(job, show)

    def show_conflict_count(self, count: int) -> None:
        self.show_count("conflicts", count)

    def show_count(self, key: str, count: int) -> None:
        """A page's count beside its name in the sidebar ("Conflicts (3)"), none when 0."""
        label = page_label(key, self.lang)
        item = self.sidebar_item(key)
        item.setText(f"{label} ({count:,})" if count else label)
        item.setData(COUNT_ROLE, count)
        self._fit_sidebar()

    def _show_server_role(self, ws) -> None:
        """On a server, say what the signed-in role may see (the server enforces it)."""
        from recovery_desk.services.server_admin import describe_role, role_of

        def shown(role) -> None:
            if self.ctx.workspace is ws:
                text = describe_role(ws.actor, *role, lang=self.lang)
                self.user_label.setText(text)
                self.user_label.setToolTip(text)

        self.ctx.read(role_of, shown)

    def _update_title(self, _index: int = 0) -> None:
        # Qt adds the application's display name after the title ("… — Recovery Desk"): the
        # title names the workspace only, or nothing, so the app's name appears once.
        ws = self.ctx.workspace
        self.setWindowTitle(ws.path.name if ws is not None else "")

    def _idle_changed(self, idle: bool) -> None:
        self.save_label.setText(tr("All changes saved", self.lang) if idle else tr("Working…", self.lang))

    def open_workspace(self, path: Path | str, on_done: Callable[[], None] | None = None) -> None:
        """Open ``path`` on the worker; back it up beside itself (backups/) after opening.
        A server URL opens the server workspace (its backups are the server's: pg_dump)."""
        from recovery_desk.storage.engines import workspace_location

        path = workspace_location(path)
        on_server = not isinstance(path, Path)
        actor = current_actor()

        def job(_progress: Any) -> Workspace:
            ws = Workspace.open(path, actor=actor)
            with ws.session() as session:
                identity.sign_in(ws, identity.saved_identity(session, ws.path))
            return ws

        def opened(ws: Workspace) -> None:
            self.ctx.set_workspace(ws)
            if not on_server:
                options.add_recent(path)
            else:  # a saved connection of the Open server dialog (the URL only: never a password)
                options.save_server(path.url)
            self.workspace_opened.emit(ws)
            self._ask_who_if_unknown()
            if self.backup_on_open and not on_server:
                self._backup_on_open(path)
            if ws.backup_made is not None:
                self.statusBar().showMessage(tr("Upgraded; the previous version is kept as {path}", self.lang,
                                                path=ws.backup_made), 10_000)
            if on_done is not None:
                on_done()

        run_plain(self, self.ctx.worker, job, opened, self.show_error, title=tr("Opening {name}…", self.lang,
                                                                                   name=path.name),
                  cancellable=False)

    def _backup_on_open(self, path: Path) -> None:
        """Copy the workspace into backups/ beside it, on a thread of its own: SQLite's online
        backup reads through its own connection, so the database worker (and every edit)
        is not held up while a large workspace is copied (the copy and its check take half a
        minute at 60,000 cases). Nothing waits for it on the UI thread: a backup still running
        when another workspace is opened goes on beside the new one's."""
        thread = _BackupThread(path)
        thread.done.connect(self._backup_done)
        thread.finished.connect(lambda: self._backup_threads.remove(thread))
        self._backup_threads.append(thread)
        thread.start()

    def _backup_done(self, dest: Path | None, exc: BaseException | None) -> None:
        if exc is None:
            self.statusBar().showMessage(tr("Backup made: {path}", self.lang, path=dest), 5000)
        else:
            self.statusBar().showMessage(tr("The automatic backup failed: {error}", self.lang,
                                            error=exc.message(self.lang) if isinstance(exc, RecoveryDeskError)
                                            else str(exc)), 10_000)

    def wait_for_backup(self) -> None:
        for thread in list(self._backup_threads):
            thread.wait()

    def create_workspace(self, values: dict[str, Any]) -> None:
        from recovery_desk.services.areas import create_area

        slug = "".join(ch for ch in values["incident_name"] if ch.isalnum() or ch in "-_ ").strip().replace(" ", "-")
        path_text = self.ask_save_path(str(default_workspace_dir() / f"{slug or 'workspace'}{WORKSPACE_SUFFIX}"))
        if not path_text:
            return
        path = Path(path_text)
        if not path.suffix:
            path = path.with_suffix(WORKSPACE_SUFFIX)
        actor = current_actor()

        def job(_progress: Any) -> Workspace:
            ws = Workspace.create(path, incident_name=values["incident_name"], hazard=values["hazard"],
                                  start_date=values["start_date"], area_description=values["municipality"],
                                  actor=actor)
            try:
                if values["municipality"] or values["municipality_code"]:
                    create_area(ws, municipality=values["municipality"],
                                municipality_code=values["municipality_code"])
            except BaseException:
                ws.close()
                raise
            return ws

        def created(ws: Workspace) -> None:
            self.ctx.set_workspace(ws)
            options.add_recent(path)
            self.workspace_opened.emit(ws)
            self._ask_who_if_unknown()

        def failed(exc: BaseException, trace: str) -> None:
            if isinstance(exc, RecoveryDeskError):
                self.welcome.show_error(exc)
            else:
                self.show_error(exc, trace)

        run_plain(self, self.ctx.worker, job, created, failed, title=tr("Creating the workspace…", self.lang),
                  cancellable=False)

    def new_workspace(self) -> None:
        self.ctx.set_workspace(None)

    def open_dialog(self) -> None:
        path = self.ask_open_path()
        if path:
            self.open_workspace(path)

    def open_server_dialog(self) -> None:
        url = self.ask_server_url()
        if url:
            self.open_workspace(url)

    def _ask_server_url(self) -> str:
        from recovery_desk.ui.dialogs.server_dialog import ask_server_url

        return ask_server_url(self, self.lang, title=tr("Open server workspace", self.lang), action=tr("Open", self.lang))

    def _ask_open_path(self) -> str:
        from recovery_desk.ui.file_dialogs import ask_open_file

        return ask_open_file(self, tr("Open workspace", self.lang),
                             tr("Recovery Desk workspaces (*.rdesk);;All files (*)", self.lang),
                             "" if options.LAST_FOLDER.get() else str(default_workspace_dir()))

    def _ask_save_path(self, suggested: str) -> str:
        from recovery_desk.ui.file_dialogs import ask_save_file

        return ask_save_file(self, tr("Create workspace", self.lang), suggested,
                             tr("Recovery Desk workspaces (*.rdesk);;All files (*)", self.lang))

    def open_demo(self, on_done: Callable[[], None] | None = None) -> None:
        path = demo_workspace_path()
        if path.exists():
            self.open_workspace(path, on_done)
            return
        from recovery_desk.services.demo import create_demo

        actor = current_actor()

        def job(_progress: Any) -> Path:
            create_demo(path, cases=DEMO_CASES, actor=actor)
            return path

        run_plain(self, self.ctx.worker, job, lambda p: self.open_workspace(p, on_done), self.show_error,
                  title=tr("Building the demo workspace…", self.lang), cancellable=False)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in options.RECENT.get() if Path(p).exists()]
        if not recent:
            action = self.recent_menu.addAction(tr("No recent workspaces", self.lang))
            action.setEnabled(False)
        for path in recent:
            self.recent_menu.addAction(path, lambda p=path: self.open_workspace(p))

    def back_up(self) -> None:
        try:
            from recovery_desk.ui.dialogs.import_dialog import back_up_workspace
        except ImportError as exc:
            self.show_error(exc, traceback.format_exc())
            return
        back_up_workspace(self.ctx, self)

    def import_file(self) -> None:
        from recovery_desk.ui.dialogs.import_dialog import ImportDialog

        ImportDialog(self.ctx, self).exec()

    def export_file(self) -> None:
        from recovery_desk.ui.dialogs.import_dialog import ExportDialog

        ExportDialog(self.ctx, self).exec()

    def open_settings(self) -> None:
        if SettingsDialog(self.lang, self).exec() == QDialog.DialogCode.Accepted and self.ctx.workspace:
            self.ctx.workspace.actor = current_actor()
            self._workspace_changed()

    def ask_identity(self) -> None:
        """Without a workspace: the name that signs changes (free text). With one: sign in."""
        if self.ctx.workspace is not None:
            self.ask_sign_in()
            return
        IdentityDialog(self.lang, self).exec()
        self.user_label.setText(tr("Signed in as {actor}", self.lang, actor=current_actor()))

    # -- who is working ------------------------------------------------------------------------
    def _ask_who_if_unknown(self) -> None:
        """Ask who is working once a workspace is open, unless a saved person signed in (or the
        environment names the actor, as scripts and tests do)."""
        if self.ctx.me is None and not os.environ.get("RECOVERY_DESK_ACTOR"):
            self.ask_sign_in()
        else:
            self._signed_in()

    def ask_sign_in(self) -> None:
        """File ▸ Switch user: choose a person of the workspace (or add yourself)."""
        from recovery_desk.ui.sign_in import SignInDialog, load_choices

        if self.ctx.workspace is None:
            return
        current = self.ctx.me.person_id if self.ctx.me else None

        def show(choices: Any) -> None:
            dialog = SignInDialog(choices, self.lang, self)
            dialog.chosen.connect(self.sign_in_as)
            self.sign_in_dialog = dialog
            dialog.open()

        self.ctx.read(lambda s: load_choices(s, current), show)

    def sign_in_as(self, choice: dict[str, Any]) -> None:
        """Sign in as an existing person (``person_id``) or a new one (``new_name``)."""
        def job(ws: Workspace) -> Any:
            if choice.get("new_name"):
                return identity.create_me(ws, choice["new_name"], choice.get("organisation_ids", []))
            with ws.session() as session:
                return identity.identity_of(session, choice["person_id"], choice.get("organisation_ids") or None)

        def done(me: Any) -> None:
            ws = self.ctx.workspace
            if ws is None:
                return
            identity.sign_in(ws, me)
            identity.save_choice(ws.path, me)
            self.ctx.undo_stack.clear()  # an undo must not be signed by someone else
            self._signed_in()
            self.ctx.identity_changed.emit()
            if choice.get("new_name"):
                from recovery_desk.services.changes import Changes

                added = Changes(operation="create_person")
                added.created["person"].add(me.person_id)
                self.ctx.changed.emit(added)

        self.ctx.run(lambda ws, _p: job(ws), done)

    def refresh_my_count(self) -> None:
        """My work's count in the sidebar: my and my organisations' overdue tasks."""
        me = self.ctx.me
        if self.ctx.workspace is None or me is None:
            self.show_count("my_work", 0)
            return
        from recovery_desk.services.my_work import overdue_count

        today = getattr(self.pages.get("my_work"), "today", None)  # the page's day (tests and screenshots fix it)
        self.ctx.read(lambda s: overdue_count(s, me, today), lambda n: self.show_count("my_work", n))

    def _signed_in(self) -> None:
        ws = self.ctx.workspace
        self.user_label.setText(tr("Signed in as {actor}", self.lang, actor=ws.actor if ws else current_actor()))
        self.refresh_my_count()
        me = self.ctx.me
        if me is not None and not me.coordinator:
            self.show_page("my_work")
        if me is not None and options.SHOW_TODAY.get() and not os.environ.get("RECOVERY_DESK_EXIT_AFTER_SHOWN"):
            self.show_today()

    def close_incident(self) -> None:
        """File ▸ Close the incident… (coordinators): the end date, and the offer to anonymise."""
        from recovery_desk.services.erasure import plan_anonymise
        from recovery_desk.ui.dialogs.close_incident import CloseIncidentDialog

        me = self.ctx.me
        if self.ctx.workspace is None:
            return
        if me is None or not me.coordinator:
            self.statusBar().showMessage(tr("only a coordinator (municipality or social welfare council) may do "
                                            "this", self.lang), 10_000)
            return

        def ask(plan: Any) -> None:
            self.close_incident_dialog = CloseIncidentDialog(self.ctx, plan, self)
            self.close_incident_dialog.open()

        self.ctx.run(lambda ws, _p: plan_anonymise(ws), ask)

    def show_today(self) -> None:
        """The short "today" summary: overdue, due soon, hand-overs to answer."""
        from recovery_desk.ui.pages.my_work_page import show_today_summary

        show_today_summary(self.ctx, self)

    # -- messages ------------------------------------------------------------------------------
    def show_error(self, exc: BaseException, trace: str = "") -> None:
        if "psycopg" in sys.modules:  # what a server refused, or a lost connection, in words
            from recovery_desk.storage.postgres import explain_server_error

            exc = explain_server_error(exc) or exc
        if isinstance(exc, RecoveryDeskError):
            QMessageBox.warning(self, tr("Recovery Desk", self.lang), exc.message(self.lang))
            return
        from recovery_desk.ui.crash import show_crash

        show_crash(type(exc), exc, trace, self)

    def show_query_help(self) -> None:
        from recovery_desk.services.search import describe_fields

        QMessageBox.information(self, tr("Filter syntax", self.lang), describe_fields(self.lang))

    def show_about(self) -> None:
        from recovery_desk import __version__

        QMessageBox.about(self, tr("About Recovery Desk", self.lang),
                          tr("Recovery Desk {version}: disaster-recovery case management across sectors.",
                             self.lang, version=__version__))

    def open_log_folder(self) -> None:
        from recovery_desk.ui.crash import log_dir

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))

    # -- events --------------------------------------------------------------------------------
    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self.first_painted.emit)  # not after the window is deleted

    def save_state(self) -> None:
        options.GEOMETRY.set(self.saveGeometry())
        options.STATE.set(self.saveState())
        options.MAIN_SPLITTER.set(self.splitter.saveState())
        for page in self.pages.values():
            if hasattr(page, "save_state"):
                page.save_state()

    def closeEvent(self, event: Any) -> None:
        self.save_state()
        if self._backup_threads:
            self.hide()  # an automatic backup still running finishes out of sight, not in a frozen window
        self.wait_for_backup()
        super().closeEvent(event)
