"""Python's cyclic garbage collector, run on the UI thread only.

CPython collects cycles on whichever thread happens to allocate past the threshold. With a
database thread that allocates thousands of rows a second, that is usually the worker: a
cycle holding a widget, a model or any Qt wrapper is then finalised there, and Qt objects
destroyed off the thread that owns them crash the process at random (the segmentation
fault of issue 10). While a :class:`~recovery_desk.ui.worker.DatabaseWorker` runs,
automatic collection is off and a timer on the UI thread collects instead, generation by
generation with Python's own thresholds (after calibre's and Anki's GarbageCollector).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500
_holders = 0  # collectors alive; automatic collection is back on when the last one stops
_was_enabled = True


class UiThreadCollector(QObject):
    """Create on the UI thread; ``stop()`` gives collection back to Python."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        global _holders, _was_enabled
        if _holders == 0:
            _was_enabled = gc.isenabled()
        _holders += 1
        gc.disable()
        self._active = True
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
        threshold = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        if count0 > threshold[0]:
            gc.collect(0)
            if count1 > threshold[1]:
                gc.collect(1)
                if count2 > threshold[2]:
                    gc.collect(2)

    def stop(self) -> None:
        global _holders
        if not self._active:
            return
        self._active = False
        self._timer.stop()
        _holders -= 1
        if _holders == 0 and _was_enabled:
            gc.enable()
