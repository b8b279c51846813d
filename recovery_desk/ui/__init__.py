"""The thin Qt layer. Everything below recovery_desk.ui is Qt-free.

Importing this package first guards against PySide6 6.12's reference-count bug on
Python 3.11 (signals and Qt methods returning nothing drop references to True/None;
see refcount_guard). Every Qt module of the app lives below this package, so every path
into Qt passes here.
"""

from recovery_desk.ui.refcount_guard import keep_singletons_alive

keep_singletons_alive()
