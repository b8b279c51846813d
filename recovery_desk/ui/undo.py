"""Undo for any service call: the change runs, then its operation (from the audit trail)
is what undo reverts and redo re-applies (services/undo.py).

The command keeps the id of the operation to revert next. The revert runs on the database
worker and stores the id of the operation it wrote before the worker takes the next job,
so an undo followed at once by a redo never reverts the wrong thing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from recovery_desk.services.changes import Changes
from recovery_desk.services.undo import revert_operation
from recovery_desk.services.workspace import Workspace
from recovery_desk.ui.context import AppContext


class RevertCommand(QUndoCommand):
    """An undo-stack entry for an operation that already ran (its first redo does nothing)."""

    def __init__(self, ctx: AppContext, text: str, operation_id: str,
                 on_done: Callable[[Changes], None] | None = None,
                 on_error: Callable[[BaseException, str], None] | None = None):
        super().__init__(text)
        self.ctx = ctx
        self.to_revert = operation_id
        self.on_done = on_done
        self.on_error = on_error
        self._pushed = False

    def _revert(self) -> None:
        def job(ws: Workspace) -> Changes:
            changes = revert_operation(ws, self.to_revert)
            self.to_revert = changes.operation_id
            return changes

        self.ctx.change(job, self.on_done, self.on_error)

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # QUndoStack.push calls redo: the change has already run
            return
        self._revert()

    def undo(self) -> None:
        self._revert()


def perform_undoable(ctx: AppContext, text: str, call: Callable[[Workspace], Changes],
                     on_done: Callable[[Changes], None] | None = None,
                     on_error: Callable[[BaseException, str], None] | None = None,
                     after_undo: Callable[[Changes], None] | None = None) -> None:
    """Run ``call`` on the worker; when it changed something, push one undo step for it.
    ``after_undo`` runs after each undo or redo (to refresh what shows the change)."""
    def done(changes: Changes) -> None:
        if changes and changes.operation_id:
            ctx.undo_stack.push(RevertCommand(ctx, text, changes.operation_id, after_undo, on_error))
        if on_done is not None:
            on_done(changes)

    ctx.change(call, done, on_error)
