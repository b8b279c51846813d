"""``make bench`` (tests/benchmarks/run_benchmarks.py) runs each group's ``main()`` and counts a
falsy answer as "over budget": every bench_*.py must answer True when within its budgets. My
work's used to answer the exit code (0 when fine), so a group within budget was reported over."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _main_of(script: Path) -> ast.FunctionDef:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    return next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main")


@pytest.mark.parametrize("script", sorted(BENCHMARKS.glob("bench_*.py")), ids=lambda p: p.stem)
def test_every_benchmark_main_answers_true_when_within_budget(script):
    main = _main_of(script)
    assert isinstance(main.returns, ast.Name) and main.returns.id == "bool", f"{script.name}: main() -> bool"
    for node in ast.walk(main):
        if isinstance(node, ast.Return) and node.value is not None:
            # An exit code (0 = fine) is falsy exactly when the group is within budget.
            assert not (isinstance(node.value, ast.Constant) and type(node.value.value) is int), \
                f"{script.name}:{node.lineno} returns an exit code"
            assert not isinstance(node.value, ast.IfExp), f"{script.name}:{node.lineno} returns a conditional"
