"""Render resources/icons/recovery-desk.svg to the PNG sizes desktops look for, and the
Windows .ico, with Qt's own SVG renderer (no Inkscape needed). The renders are checked in;
run this again after changing the drawing:  .venv/bin/python packaging/render_icons.py"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QImage painting wants an application
    renderer = QSvgRenderer(str(ICONS / "recovery-desk.svg"))
    if not renderer.isValid():
        print("cannot read the SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = ICONS / f"recovery-desk-{size}.png"
        image.save(str(out))
        print(out.relative_to(ICONS.parent.parent))
    from PIL import Image

    big = Image.open(ICONS / "recovery-desk-256.png")
    big.save(ICONS / "recovery-desk.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    print((ICONS / "recovery-desk.ico").relative_to(ICONS.parent.parent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
