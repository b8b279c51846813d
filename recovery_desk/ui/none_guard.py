"""Work around a reference-count bug of PySide6 6.12 on Python 3.11.

Every call of a Qt method that returns nothing (``QPainter.setPen``, ``fillRect``,
``drawLine``, ``QPen.setColor``…) gives back ``None`` without taking a reference to it,
so each call lowers ``None``'s reference count by one. A process starts with a few
thousand references; after a few thousand such calls (a handful of board repaints)
Python aborts with "Fatal Python error: none_dealloc: deallocating None".

Python 3.12 made ``None`` immortal (PEP 683: its count is set so high it never reaches
zero). This does the same on 3.11: ``None`` is a static object that is never freed, so
raising its count has no other effect. Applied once per process, on import.
"""

from __future__ import annotations

import ctypes
import sys

_EXTRA = 1 << 40
_applied = False


def make_none_immortal() -> None:
    global _applied
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    ctypes.c_ssize_t.from_address(id(None)).value += _EXTRA
    _applied = True


make_none_immortal()
