"""The command line is parsed as if every command were registered, though only the one it names
is (cli/main.py build_parser): help, version, errors and the chosen command are unchanged."""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys

import pytest

from recovery_desk.cli import argparse_ja
from recovery_desk.cli.main import COMMAND_MODULES, MODULE_OF_COMMAND, _language_from, build_parser
from recovery_desk.i18n import current_language, set_language

COMMAND_LINES = [
    [],
    ["--help"],
    ["-h"],
    ["--lang", "ja", "--help"],
    ["--lang=ja", "-h"],
    ["--version"],
    ["--lang", "ja"],
    ["--workspace", "w.rdesk"],
    ["--workspace", "w.rdesk", "stats", "--json"],
    ["--workspace=w.rdesk", "--lang=ja", "--as", "Ann", "stats", "--from", "2024-01-01"],
    ["--work", "w.rdesk", "--la", "ja", "check"],  # abbreviated options take their values too
    ["--as", "stats", "check"],  # a value that looks like a command is a value
    ["--workspace", "postgresql://u@/db?host=/s&port=5", "server", "--help"],
    ["stats", "--help"],
    ["--lang", "ja", "stats", "--bogus"],
    ["stats", "--workspace", "w.rdesk"],  # global options belong before the command
    ["-h", "stats"],
    ["--version", "stats"],
    ["stats", "--version"],
    ["no-such-command"],
    ["--lang", "ja", "no-such-command", "--json"],
    ["--bogus", "stats"],
    ["--workspace"],
    ["--lang", "xx", "stats"],
    ["--", "stats"],
    ["report", "incident", "--help"],
    ["case", "list", "--help"],
    ["gui", "--help"],
    ["transfer"],  # a module, not a command
    ["export", "--help"],
    ["--workspace", "w.rdesk", "backup"],
    ["join", "--help"],
    ["sync"],
]


def _outcome(parser: argparse.ArgumentParser, argv: list[str]) -> tuple:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result = vars(parser.parse_args(argv))
        except SystemExit as exc:
            result = ("exit", exc.code)
    return result, out.getvalue(), err.getvalue()


@pytest.fixture
def argparse_in_the_command_line_language():
    before = current_language()
    yield lambda argv: (set_language(_language_from(argv)), argparse_ja.install())
    set_language(before)


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=" ".join)
def test_the_command_line_means_what_it_meant_with_every_command_registered(argv, monkeypatch,
                                                                            argparse_in_the_command_line_language):
    monkeypatch.setenv("COLUMNS", "100")
    argparse_in_the_command_line_language(argv)
    assert _outcome(build_parser(argv), argv) == _outcome(build_parser(), argv)


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(action.choices)


def test_only_the_named_command_is_registered():
    assert _commands(build_parser(["--workspace", "w.rdesk", "stats", "--json"])) == {"stats"}
    assert _commands(build_parser(["--lang", "ja"])) == {"gui"}  # no command: the app
    assert _commands(build_parser(["export", "cases"])) == {"import", "export", "backup", "restore"}
    for everything in (None, ["--help"], ["no-such-command"], ["-h", "stats"], ["transfer"]):
        assert _commands(build_parser(everything)) == set(MODULE_OF_COMMAND)


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_each_module_registers_the_commands_the_map_names(module):
    import importlib

    parser = argparse.ArgumentParser()
    importlib.import_module(f"recovery_desk.cli.commands.{module}").register(parser.add_subparsers())
    assert _commands(parser) == {command for command, owner in MODULE_OF_COMMAND.items() if owner == module}


def test_stats_imports_no_other_command_module(demo_path):
    code = ("import sys; from recovery_desk.cli.main import main; "
            f"main(['--workspace', {str(demo_path)!r}, 'stats', '--json']); "
            "print(sorted(m for m in sys.modules if m.startswith('recovery_desk.cli.commands.')), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stderr.strip() == "['recovery_desk.cli.commands._common', 'recovery_desk.cli.commands.stats']"
