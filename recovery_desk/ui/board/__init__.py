"""The shared task board: one custom-painted view over an item model (style.md 5)."""

from recovery_desk.ui.board.page import BoardPage

__all__ = ["BoardPage"]
