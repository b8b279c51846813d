"""The layers: nothing outside recovery_desk/ui imports Qt (except the gui command, lazily)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "recovery_desk"
QT_FREE = ["domain", "storage", "services", "io", "reports", "i18n", "cli"]


def top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_layers_do_not_import_qt():
    offenders = []
    for layer in QT_FREE:
        for path in (PACKAGE / layer).rglob("*.py"):
            if path.relative_to(PACKAGE).as_posix() == "cli/commands/gui.py":
                continue  # the lazy import of the desktop app
            bad = {n for n in top_level_imports(path) if n.startswith(("PySide6", "recovery_desk.ui"))}
            if bad:
                offenders.append(f"{path.relative_to(PACKAGE)}: {sorted(bad)}")
    assert not offenders, offenders


def test_cli_stats_loads_neither_qt_pandas_reportlab_nor_sqlalchemy(demo_path):
    code = (
        "import sys; from recovery_desk.cli.main import main; "
        f"rc = main(['--workspace', {str(demo_path)!r}, 'stats', '--json']); "
        "heavy = [m for m in ('PySide6', 'pandas', 'reportlab', 'hxl', 'alembic', 'sqlalchemy') if m in sys.modules]; "
        "print('HEAVY', heavy, file=sys.stderr); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stderr
