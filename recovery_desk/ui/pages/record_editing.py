"""A list of records beside the editor of one of them: what the Organisations and People pages
share (the list, the current record, the heading and notices of its editor, its unsaved changes,
loading it on the worker).

A subclass of :class:`RecordEditor` says how its record is read (``fetch_detail``), shown
(``_fill``, ``_loaded``, ``start_new``) and saved; a subclass of :class:`RecordListPage` says
what its list holds. The ids keep their own names (``org_id``, ``person_id``): ``record_id`` is
the one both base classes read.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QLabel, QMessageBox, QVBoxLayout, QWidget

from recovery_desk.domain.errors import NotFoundError
from recovery_desk.i18n import tr
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.pages.entity_editing import (
    ID_ROLE,
    FieldErrors,
    RefreshingPage,
    select_quietly,
)


class RecordEditor(QWidget):
    """The editor of one record (or of a new one). Subclasses give ``record_id``,
    ``new_record_name`` (e.g. "the new person", translated), ``fetch_detail(session, id)``,
    ``current_values()``, ``_fill(values)``, ``_loaded(detail)`` and ``start_new()``; Save,
    Revert and Delete come from :func:`~recovery_desk.ui.pages.entity_editing.add_editor_buttons`."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.lang = ctx.lang
        self.loaded: dict[str, Any] = {}
        self.detail: Any = None
        self._loading = False
        self._ticket = None

    # what a subclass gives
    @property
    def record_id(self) -> str | None:
        raise NotImplementedError

    @property
    def new_record_name(self) -> str:
        raise NotImplementedError

    def fetch_detail(self, session: Any, record_id: str) -> Any:
        raise NotImplementedError

    def current_values(self) -> dict[str, Any]:
        raise NotImplementedError

    def _fill(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def _loaded(self, detail: Any) -> None:
        raise NotImplementedError

    def start_new(self) -> None:
        raise NotImplementedError

    # what they share
    def build_heading(self) -> QVBoxLayout:
        """The editor's layout, begun with its heading, a notice (hidden) and the form's error."""
        outer = QVBoxLayout(self)
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        outer.addWidget(self.notice)
        self.form_error = QLabel()
        self.errors = FieldErrors(self.lang, self.form_error)
        outer.addWidget(self.form_error)
        return outer

    def changed_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.current_values().items() if v != self.loaded.get(k)}

    @property
    def dirty(self) -> bool:
        return bool(self.changed_values())

    def load(self, record_id: str) -> None:
        """Load a record from the database (on the worker); a newer load cancels an older one."""
        self.notice.hide()
        if self._ticket is not None and not self._ticket.done:
            self._ticket.cancel()
        self._ticket = self.ctx.read(lambda s: self.fetch_detail(s, record_id), self._loaded, self._load_failed)

    def _load_failed(self, exc: BaseException, trace: str) -> None:
        from recovery_desk.ui.worker import Cancelled

        if isinstance(exc, Cancelled):
            return
        if isinstance(exc, NotFoundError):  # deleted meanwhile (elsewhere, or undone)
            self.start_new()
            return
        self.ctx.error.emit(exc, trace)

    def confirm_discard(self) -> bool:
        """Ask before losing unsaved edits; True when it is fine to move on."""
        if not self.dirty:
            return True
        answer = QMessageBox.question(
            self, tr("Unsaved changes", self.lang),
            tr("Discard the changes to {name}?", self.lang, name=self.loaded.get("name") or self.new_record_name),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def _edited(self) -> None:
        if not self._loading:
            self.notice.hide()
            self._update_buttons()

    def _update_buttons(self) -> None:
        dirty = self.dirty
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        self.delete_button.setEnabled(self.record_id is not None)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def revert(self) -> None:
        self.errors.clear()
        if self.detail is not None:
            self._fill(self.detail.values)
        else:
            self.start_new()

    def _failed(self, exc: BaseException, trace: str) -> None:
        if not self.errors.show(exc):
            self.ctx.error.emit(exc, trace)


class RecordListPage(RefreshingPage):
    """A page with ``self.view`` (over ``self.proxy`` over ``self.model``) beside ``self.editor``
    (a :class:`RecordEditor`): which record is current, and moving between records without losing
    unsaved edits. ``_rows_arrived`` of a subclass calls :meth:`_select_wanted` once the list is in."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.lang = ctx.lang
        self._pending_select: str | None = None
        self._current_id: str | None = None

    def _update_count(self) -> None:
        raise NotImplementedError

    def _select_wanted(self) -> None:
        """After the list has (re)loaded: select the record just saved or the current one, and
        load it if it is new here; when the current record has gone, start a new one."""
        wanted = self._pending_select or self._current_id
        self._pending_select = None
        if wanted and self.model.row_of(wanted) >= 0:
            self._select_in_list(wanted)
            if wanted != self._current_id:
                self._set_current(wanted)
                self.editor.load(wanted)
        elif self._current_id and self.model.row_of(self._current_id) < 0 and self.editor.record_id is not None:
            self._set_current(None)
            self.editor.start_new()

    def _on_workspace_changed(self) -> None:
        self._set_current(None)
        self.editor.start_new()
        self.model.set_rows([])
        self._stale = True
        if self.isVisible():
            self.reload()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_count()

    def _set_current(self, record_id: str | None) -> None:
        self._current_id = record_id
        if record_id is None:
            self.view.selectionModel().clearSelection()

    def _select_in_list(self, record_id: str) -> None:
        select_quietly(self.view, self.proxy, self.model, record_id)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record_id = current.data(ID_ROLE) if current.isValid() else None
        if record_id and record_id != self._current_id:
            self.show_record(record_id)

    def show_record(self, record_id: str) -> None:
        """Open a record in the editor (from the list or elsewhere), after asking about unsaved edits."""
        if record_id == self._current_id and self.editor.record_id == record_id:
            self._select_in_list(record_id)
            return
        if not self.editor.confirm_discard():
            self._set_current(self._current_id)  # the list shows the record that stays open
            if self._current_id:
                self._select_in_list(self._current_id)
            return
        self._set_current(record_id)
        self._select_in_list(record_id)
        self.editor.load(record_id)

    def new_record(self) -> None:
        if not self.editor.confirm_discard():
            return
        self._set_current(None)
        self.editor.start_new()
        self.editor.name.setFocus()

    def _saved(self, record_id: str) -> None:
        self._pending_select = record_id
        self._set_current(record_id)
