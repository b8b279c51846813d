"""Every message of the import/export code exists in Japanese (beyond what tests/test_i18n.py scans:
ImportFileError, Bad, Note, problem(...), DateFormatError, ExportError and the 3W column titles)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "recovery_desk"
FILES = [*sorted((ROOT / "io").glob("*.py")), ROOT / "services" / "backups.py",
         ROOT / "cli" / "commands" / "transfer.py"]
CALLS = {"ImportFileError", "ExportError", "Bad", "Note", "problem", "DateFormatError", "ImportProblem", "tr"}


def io_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name not in CALLS:
                continue
            args = node.args[1:] if name in ("Note",) else node.args[2:] if name == "problem" else node.args
            for arg in args[:1]:
                # Conditional messages: both branches are messages.
                candidates = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                for c in candidates:
                    if isinstance(c, ast.Constant) and isinstance(c.value, str):
                        found.setdefault(c.value, f"{path.name}:{node.lineno}")
    from recovery_desk.io.hxl3w import HXL_COLUMNS
    from recovery_desk.io.importer import ENTITY_LABELS

    for title, _tag in HXL_COLUMNS:
        found.setdefault(title, "hxl3w.HXL_COLUMNS")
    for label in ENTITY_LABELS.values():
        found.setdefault(label, "importer.ENTITY_LABELS")
    for msg in ("Imported from {path}: {what}", "Would import from {path}: {what}", "ignored (--map)",
                "no matching field", "another column gives the same field"):
        found.setdefault(msg, "importer")
    return found


def test_every_io_message_has_japanese() -> None:
    from recovery_desk.i18n.ja import JA

    missing = {m: w for m, w in io_messages().items() if m not in JA}
    assert not missing, "\n".join(f"    {m!r}: '',  # {w}" for m, w in missing.items())


if __name__ == "__main__":
    from recovery_desk.i18n.ja import JA

    for m, w in io_messages().items():
        if m not in JA:
            print(f"    {m!r}: '',  # {w}")
