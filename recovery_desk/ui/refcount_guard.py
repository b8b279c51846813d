"""Work around a reference-counting bug of PySide6 6.12.0 on Python 3.11.

Measured on this stack: every ``SignalInstance.emit()`` from Python drops one reference
to ``True``, and every C++ signal delivered to a Python slot drops one to ``None``. On
Python 3.11 those singletons are ordinary objects, so after a few thousand signals the
interpreter aborts ("bool_dealloc: deallocating True or False" / "none_dealloc"), at
random moments or at exit. Python 3.12+ makes them immortal, which hides the bug.

Until PySide6 is fixed (or the app runs on Python >= 3.12) we do what 3.12 does: give the
three singletons a reference count so large that no session can exhaust it.
"""

from __future__ import annotations

import ctypes
import sys

_PAD = 1 << 40  # ~10^12 signals


def keep_singletons_alive() -> None:
    if sys.version_info >= (3, 12) or getattr(keep_singletons_alive, "done", False):
        return
    for obj in (True, False, None):
        ctypes.c_ssize_t.from_address(id(obj)).value += _PAD
    keep_singletons_alive.done = True  # type: ignore[attr-defined]
