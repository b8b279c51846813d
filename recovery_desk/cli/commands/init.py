from __future__ import annotations

import argparse

from recovery_desk.cli.commands._common import parse_date, workspace_path
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("init", help=tr("create an empty workspace"))
    p.add_argument("--incident", default=None, metavar="NAME", help=tr("name of the incident"))
    p.add_argument("--hazard", default="EQ", metavar="CODE", help=tr("hazard code (EQ, TS, FL, TC, LS, VO, FR, ST, OT)"))
    p.add_argument("--start", default=None, metavar="DATE", help=tr("start date of the incident (YYYY-MM-DD)"))
    p.add_argument("--prefix", default=None, metavar="PREFIX", help=tr("case reference prefix, e.g. NANAO"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from recovery_desk.services.settings import current_actor
    from recovery_desk.services.workspace import Workspace

    path = workspace_path(args)
    start = parse_date(args.start, "--start")
    with Workspace.create(path, incident_name=args.incident or tr("New incident"), hazard=args.hazard,
                          start_date=start, reference_prefix=args.prefix, actor=current_actor()):
        pass
    print(tr("Created workspace {path}", path=path))
    return 0
