"""``recovery-desk [--workspace PATH] [--lang en|ja] [COMMAND]``.

Exit codes: 0 success; 1 bad input or a bad workspace (message on stderr saying what and
where); 2 usage error. :func:`main` is the one error boundary: every known failure — a
lock held too long by another process, a full disk, a read-only medium, permission
denied, damaged pages, a closed pipe — becomes one line in the user's language and exit
code 1 (``storage/failures.py`` says which and how), never a traceback. Each command lives
in its own module under ``cli/commands`` and imports heavy libraries (pandas, reportlab, Qt)
only when it runs, so that quick commands answer quickly.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from recovery_desk import __version__
from recovery_desk.cli import argparse_ja
from recovery_desk.i18n import LANGUAGES, default_language, set_language, tr
from recovery_desk.storage.engines import workspace_argument

if TYPE_CHECKING:
    from recovery_desk.domain.errors import RecoveryDeskError

# Modules under recovery_desk.cli.commands; each has register(subparsers).
COMMAND_MODULES = ["gui", "init", "demo", "check", "stats", "report", "transfer", "case", "task", "incident",
                   "match", "gaps", "sync", "server"]

# The commands a module registers, where they are not the one named as the module.
COMMANDS_OF_MODULE = {"transfer": ("import", "export", "backup", "restore"), "sync": ("sync", "join")}
MODULE_OF_COMMAND = {command: module for module in COMMAND_MODULES
                     for command in COMMANDS_OF_MODULE.get(module, (module,))}

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def _language_from(argv: Sequence[str]) -> str:
    """Read --lang before building the parser, so that its help is in that language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGUAGES:
            return arg.split("=", 1)[1]
    return default_language()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the sub-parser of every command; given the command line ``argv``, with
    only the one it names (each command module imported and its sub-parser built costs 1-2 ms,
    all of them 15-25 ms at every start). The overall help, no known command (an unknown one is
    refused with the list of all) or anything unclear gets them all, as without ``argv``."""
    parser = argparse.ArgumentParser(
        prog="recovery-desk",
        description=tr("Recovery Desk: offline case management for disaster recovery across sectors."),
    )
    parser.add_argument("--workspace", type=workspace_argument, metavar="PATH|URL",
                        help=tr("workspace file, or a PostgreSQL server's postgresql://USER@HOST/DATABASE "
                                "(default: the file in your user data folder)"))
    parser.add_argument("--lang", choices=LANGUAGES, help=tr("language of messages and reports"))
    parser.add_argument("--as", dest="as_person", metavar="NAME",
                        help=tr("act as this person of the workspace (name or id; default: as saved by the app)"))
    parser.add_argument("--version", action="version", version=f"recovery-desk {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if argv is None else _commands_named(argv):
        importlib.import_module(f"recovery_desk.cli.commands.{name}").register(subparsers)
    return parser


# The options before COMMAND that take a value (those of build_parser; --help and --version take none).
_GLOBAL_OPTIONS_WITH_A_VALUE = ("--workspace", "--lang", "--as")


class _Unclear(Exception):
    pass


class _CommandScout(argparse.ArgumentParser):
    """Finds the command in a command line the way the full parser will: it skips the same
    options with their values (abbreviations and ``--opt=value`` included) and stops at the
    first other word. It never exits or prints: what is wrong, the full parser says."""

    def __init__(self) -> None:
        super().__init__(add_help=False, allow_abbrev=True)
        for option in _GLOBAL_OPTIONS_WITH_A_VALUE:
            self.add_argument(option)

    def error(self, message: str) -> NoReturn:
        raise _Unclear(message)


def _commands_named(argv: Sequence[str]) -> list[str]:
    try:
        _, rest = _CommandScout().parse_known_args(list(argv))
    except _Unclear:
        return COMMAND_MODULES
    if not rest:
        return ["gui"]  # no command: main() runs the app
    return [MODULE_OF_COMMAND[rest[0]]] if rest[0] in MODULE_OF_COMMAND else COMMAND_MODULES


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_from(argv))
    argparse_ja.install()
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*argv, "gui"])
    try:
        from recovery_desk.storage.retry import retrying

        # A command whose transaction the server aborted (a deadlock, a serialization failure)
        # runs again while its failed attempt left no trace (storage/retry.py says when).
        code = int(retrying(lambda: args.run(args)) or EXIT_OK)
        sys.stdout.flush()  # a closed pipe shows here, inside the boundary, not at exit
        return code
    except KeyboardInterrupt:
        print(f"recovery-desk: {tr('interrupted')}", file=sys.stderr)
        return 130
    except Exception as exc:
        from recovery_desk.storage.failures import OutputClosedError, known_error

        known = _server_error(exc) or known_error(exc, _workspace_named(args))
        if known is None:
            raise
        if isinstance(known, OutputClosedError):
            _silence_stdout()
        one_line = " ".join(known.message().split("\n"))
        print(f"recovery-desk: {tr('error')}: {one_line}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _workspace_named(args: argparse.Namespace) -> Path | None:
    if getattr(args, "workspace", None):
        return args.workspace
    try:
        from recovery_desk.cli.commands._common import workspace_path

        return workspace_path(args)
    except Exception:  # no user data folder: name no file
        return None


def _silence_stdout() -> None:
    """After the reader of our output went away (``stats --json | head``), point stdout at
    the null device so that Python's final flush does not fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _server_error(exc: Exception) -> RecoveryDeskError | None:
    """What a PostgreSQL server refused, as a one-line message (storage/postgres.py)."""
    if "psycopg" not in sys.modules:
        return None
    from recovery_desk.storage.postgres import explain_server_error

    return explain_server_error(exc)


if __name__ == "__main__":
    raise SystemExit(main())
