from __future__ import annotations

import argparse

from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("gui", help=tr("open the desktop app (the default when no command is given)"))
    p.add_argument("--demo", action="store_true",
                   help=tr("open the demo workspace, creating it on first run"))
    p.add_argument("--self-test", action="store_true",
                   help=tr("open the main window, quit once it is shown and say whether the "
                           "installation is complete (exit 0)"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # The only place outside recovery_desk.ui that reaches Qt, and only when asked to.
    from recovery_desk.ui.app import run_app

    return run_app(workspace=args.workspace, lang=args.lang, demo=args.demo, self_test=args.self_test)
