"""``incident start DATE``: move the incident's start (the reports count "opened in the
period" from it; an import warns when its cases were opened before it)."""

from __future__ import annotations

import argparse

from recovery_desk.cli.commands._common import open_workspace, parse_date
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("incident", help=tr("the incident's dates"))
    sub = p.add_subparsers(dest="incident_command", metavar="ACTION", required=True)
    s = sub.add_parser("start", help=tr("move the incident's start date"))
    s.add_argument("date", metavar="DATE", help=tr("the new start date (YYYY-MM-DD or an era date)"))
    s.set_defaults(run=run_start)


def run_start(args: argparse.Namespace) -> int:
    from recovery_desk.services.incident import move_start

    start = parse_date(args.date, "DATE")
    with open_workspace(args) as ws:
        move_start(ws, start)
    print(tr("The incident now starts on {date}", date=start.isoformat()))
    return 0
