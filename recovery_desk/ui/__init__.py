"""The thin Qt layer. Everything below recovery_desk.ui is Qt-free.

Importing this package first guards against PySide6 6.12's reference-count bug on
Python 3.11 (Qt methods returning nothing drop a reference to None; see none_guard).
"""

from recovery_desk.ui import none_guard  # noqa: F401
