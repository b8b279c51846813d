"""The pinned PySide6 keeps Python's reference counts: 6.12.0 on Python 3.11 dropped a
reference to True on every signal emitted from Python and to None on every Qt call
returning nothing, and CPython aborted after a few thousand (bool_dealloc / none_dealloc).
Each check runs in a fresh interpreter that imports nothing of ours: the runtime alone."""

from __future__ import annotations

import subprocess
import sys

import pytest

SIGNALS = 100_000

SCRIPT = f"""
import gc
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPen

class Emitter(QObject):
    flag = Signal(bool)
    nothing = Signal()
    value = Signal(object)

app = QGuiApplication([])
emitter, pen, colour = Emitter(), QPen(), QColor("red")
emitter.flag.connect(lambda flag: None)
emitter.nothing.connect(lambda: None)
emitter.value.connect(lambda value: None)
emitter.objectNameChanged.connect(lambda name: None)  # a C++ signal into a Python slot
gc.collect()
before = sys.getrefcount(True), sys.getrefcount(None)
for i in range({SIGNALS}):
    emitter.flag.emit(True)
    emitter.nothing.emit()
    emitter.value.emit(None)
    emitter.setObjectName("ab"[i % 2])
    pen.setColor(colour)  # returns None
gc.collect()
after = sys.getrefcount(True), sys.getrefcount(None)
print("lost", before[0] - after[0], before[1] - after[1])
"""


@pytest.mark.slow
def test_100000_signals_keep_the_reference_counts_of_true_and_none():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-800:]
    word, lost_true, lost_none = result.stdout.split()
    # The defect loses one reference per call (100,000 here; CPython aborts long before). The
    # interpreter itself may hold one reference more or less at the two moments (a freed frame or
    # cache entry): the suite once saw "lost 0 1". So: no loss that grows with the calls.
    assert word == "lost" and abs(int(lost_true)) <= 10 and abs(int(lost_none)) <= 10, result.stdout


def test_no_reference_count_patching_in_the_app():
    from pathlib import Path

    import recovery_desk

    root = Path(recovery_desk.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py") if "ctypes" in p.read_text(encoding="utf-8")]
    assert offenders == []
