from __future__ import annotations

import argparse

from recovery_desk.cli.commands._common import workspace_path
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("check", help=tr("integrity and schema check; exit 0 when healthy"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from recovery_desk.services.integrity import check_workspace

    path = workspace_path(args)
    problems = check_workspace(path)
    if problems:
        for problem in problems:
            print(f"{path}: {problem}")
        return 1
    print(tr("{path}: healthy", path=path))
    return 0
