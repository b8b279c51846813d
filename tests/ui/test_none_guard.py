"""PySide6 6.12 on Python 3.11 drops a reference to None on every Qt call returning nothing;
without the guard a few thousand paint calls abort the process (none_dealloc)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
import recovery_desk.ui  # the guard comes with the UI package
from PySide6.QtGui import QColor, QGuiApplication, QPen
app = QGuiApplication([])
pen, colour = QPen(), QColor("red")
for _ in range(20_000):
    pen.setColor(colour)
print("alive")
"""


def test_many_qt_calls_returning_none_do_not_abort_python():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-500:]
    assert "alive" in result.stdout


SIGNALS = """
import recovery_desk.ui
from PySide6.QtCore import QCoreApplication, QObject, Signal
class Emitter(QObject):
    fired = Signal(bool)
app = QCoreApplication([])
e = Emitter()
e.fired.connect(lambda flag: None)
for _ in range(20_000):
    e.fired.emit(True)
print("alive")
"""


def test_many_signals_do_not_abort_python():
    result = subprocess.run([sys.executable, "-c", SIGNALS], capture_output=True, text=True,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-500:]
    assert "alive" in result.stdout
