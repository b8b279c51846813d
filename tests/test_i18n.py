"""Every message a user can see exists in Japanese: tr() literals and error messages.

Run ``python tests/test_i18n.py`` to list the missing ones as Python dict entries.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "recovery_desk"
# Callables whose first argument is a translatable English message.
MESSAGE_CALLS = {"tr", "RecoveryDeskError", "ValidationError", "NotFoundError", "WorkspaceError",
                 "ConflictError", "ImportProblem", "_t", "qtr", "BundleError",
                 # storage/failures.py
                 "cls", "LockedError", "DiskFullError", "ReadOnlyError", "PermissionDeniedError", "DamagedError",
                 "OutputClosedError"}


def messages_in_source() -> dict[str, str]:
    """msgid -> 'file:line' of its first use."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            first = node.args[0]
            where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
            if name in MESSAGE_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, where)
            elif name == "trp" and len(node.args) >= 2 and all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2]):
                found.setdefault(f"{node.args[0].value}|{node.args[1].value}", where)
    return found


def test_the_parts_catalogs_never_translate_one_message_two_ways() -> None:
    """They are merged into one dict: a disagreement would silently pick one (use trp)."""
    from recovery_desk.i18n.ja import PARTS

    files = {path.stem for path in (SOURCE / "i18n").glob("ja_*.py")}
    assert files == {module.__name__.rsplit(".", 1)[1] for module in PARTS.values()}, "a catalog is not merged"
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for part, catalog in PARTS.items():
        for english, japanese in catalog.MESSAGES.items():
            if english in seen and seen[english][1] != japanese:
                clashes.append(f"{english!r}: {seen[english]} vs {(part, japanese)}")
            seen.setdefault(english, (part, japanese))
    assert not clashes, "\n".join(clashes)


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)", text))


def test_every_message_has_a_japanese_translation() -> None:
    from recovery_desk.i18n.ja import JA

    missing = {m: where for m, where in messages_in_source().items() if m not in JA}
    assert not missing, "no Japanese for:\n" + "\n".join(f"{w}: {m!r}" for m, w in missing.items())


def test_translations_keep_their_placeholders() -> None:
    from recovery_desk.i18n.ja import JA

    wrong = {en: ja for en, ja in JA.items() if placeholders(en) != placeholders(ja)}
    assert not wrong, wrong


def test_tr_formats_in_the_requested_language() -> None:
    from recovery_desk.i18n import tr

    assert tr("{field} is required", "en", field="name") == "name is required"
    assert tr("{field} is required", "ja", field="name").startswith("name")
    assert tr("{field} is required", "ja", field="name") != "name is required"


if __name__ == "__main__":
    from recovery_desk.i18n.ja import JA

    for message, where in messages_in_source().items():
        if message not in JA:
            print(f"    {message!r}: '',  # {where}")
