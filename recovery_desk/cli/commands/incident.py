"""``incident start DATE``: move the incident's start (the reports count "opened in the
period" from it; an import warns when its cases were opened before it).
``incident zone [NAME]``: the time zone the reports and the app show times in (Japan's
unless this workspace file names another)."""

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
    z = sub.add_parser("zone", help=tr("show or set the time zone times are shown in"))
    z.add_argument("name", nargs="?", metavar="NAME", help=tr("an IANA time zone, e.g. Asia/Tokyo"))
    z.set_defaults(run=run_zone)


def run_start(args: argparse.Namespace) -> int:
    from recovery_desk.services.incident import move_start

    start = parse_date(args.date, "DATE")
    with open_workspace(args) as ws:
        move_start(ws, start)
    print(tr("The incident now starts on {date}", date=start.isoformat()))
    return 0


def run_zone(args: argparse.Namespace) -> int:
    from recovery_desk.services.local_time import set_workspace_zone, workspace_zone

    with open_workspace(args) as ws:
        if args.name:
            zone = set_workspace_zone(ws, args.name)
        else:
            with ws.session() as session:
                zone = workspace_zone(session)
    print(tr("Times are shown in {zone} ({label})", zone=zone.name, label=zone.label()))
    return 0
