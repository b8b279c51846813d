"""``incident start DATE``: move the incident's start (the reports count "opened in the
period" from it; an import warns when its cases were opened before it).
``incident zone [NAME]``: the time zone the reports and the app show times in (the one this
file names; else the one its areas' country has, when it has one; else Japan's), and why.
``incident close [--on DATE] [--anonymise] [--yes]``: record the end; with --anonymise, erase
the personal data of every case (coordinators only; asks on a terminal unless --yes)."""

from __future__ import annotations

import argparse

from recovery_desk.cli.commands._common import ask, open_workspace, parse_date
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
    c = sub.add_parser("close", help=tr("record the incident's end (and, with --anonymise, erase every case's "
                                        "personal data)"))
    c.add_argument("--on", metavar="DATE", default=None, help=tr("the end date (default: today)"))
    c.add_argument("--anonymise", action="store_true",
                   help=tr("erase the personal data of every case (contact, phone, address, notes…)"))
    c.add_argument("--yes", action="store_true", help=tr("do not ask for confirmation (for scripts)"))
    c.set_defaults(run=run_close)


def run_start(args: argparse.Namespace) -> int:
    from recovery_desk.services.incident import move_start

    start = parse_date(args.date, "DATE")
    with open_workspace(args) as ws:
        move_start(ws, start)
    print(tr("The incident now starts on {date}", date=start.isoformat()))
    return 0


def run_zone(args: argparse.Namespace) -> int:
    from recovery_desk.services.local_time import set_workspace_zone, zone_and_reason

    with open_workspace(args) as ws:
        if args.name:
            set_workspace_zone(ws, args.name)
        with ws.session() as session:
            zone, why = zone_and_reason(session)
    print(tr("Times are shown in {zone} ({label}): {why}", zone=zone.name, label=zone.label(), why=why))
    return 0


def run_close(args: argparse.Namespace) -> int:
    import sys
    from datetime import date

    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.services.anonymise import anonymise_incident
    from recovery_desk.services.erasure import plan_anonymise
    from recovery_desk.services.identity import require_coordinator
    from recovery_desk.services.incident import close_incident

    end = parse_date(args.on, "--on") or date.today()
    with open_workspace(args) as ws:
        require_coordinator(ws)
        if args.anonymise:
            plan = plan_anonymise(ws)
            if not args.yes:
                if not sys.stdin.isatty():
                    raise ValidationError("anonymising needs --yes when there is no terminal to confirm on")
                print(tr("This erases for good the personal data of {count} households: {fields}; and the same "
                         "values in comments, notes and the audit trail. Backups made before keep them.",
                         count=plan.households, fields=plan.describe()), file=sys.stderr)
                if ask(tr("Type {word} to confirm: ", word="ERASE")).strip() != "ERASE":
                    raise ValidationError("not confirmed: nothing was erased")
        from recovery_desk.storage.retry import retrying

        # Its own retry: after the question above the command is not run again (storage/retry.py).
        retrying(lambda: close_incident(ws, end))
        print(tr("The incident ended on {date}", date=end.isoformat()))
        if args.anonymise:
            anonymise_incident(ws)
            print(tr("Erased the personal data of {count} households", count=plan.households))
    return 0
