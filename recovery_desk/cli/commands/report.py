"""``report incident`` and ``report case REF``: the PDF status reports.

The PDF is written to a temporary file beside ``--out`` and renamed when complete, so a
failure (unknown case, bad date, unwritable folder, Ctrl-C) leaves no half-written file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from recovery_desk.cli.commands._common import open_workspace, parse_date
from recovery_desk.i18n import LANGUAGES, current_language, tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("report", help=tr("write a PDF status report"))
    kinds = p.add_subparsers(dest="report_kind", metavar="KIND", required=True)

    inc = kinds.add_parser("incident", help=tr("the incident progress report"))
    _common_options(inc)
    inc.add_argument("--from", dest="start", metavar="DATE",
                     help=tr("start of the period (YYYY-MM-DD; default: the incident's start)"))
    inc.add_argument("--to", dest="end", metavar="DATE", help=tr("end of the period (YYYY-MM-DD; default: today)"))
    inc.add_argument("--stalled-days", dest="stalled_days", type=int, default=14, metavar="N",
                     help=tr("a case is stalled after N days without activity (default: 14)"))
    inc.set_defaults(run=run)

    visits = kinds.add_parser("visits", help=tr("visit sheets: cases of a district or a query, to print"))
    visits.add_argument("--query", default="", metavar="Q",
                        help=tr("a cases query, e.g. \"area:御祓 stage:identified\" (default: every case)"))
    visits.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help=tr("the PDF file to write"))
    visits.add_argument("--lang", dest="report_lang", choices=LANGUAGES,
                        help=tr("language of the report (default: the language of messages)"))
    visits.add_argument("--as-of", dest="as_of", metavar="DATE",
                        help=tr("judge overdue tasks and consent on this date (default: today)"))
    visits.set_defaults(run=run)

    disclosures = kinds.add_parser("disclosures", help=tr("who printed or exported personal data, when, how many"))
    disclosures.add_argument("--json", action="store_true", help=tr("print JSON"))
    disclosures.set_defaults(run=run_disclosures)

    case = kinds.add_parser("case", help=tr("the status report of one case"))
    case.add_argument("reference", metavar="REF", help=tr("the case reference, e.g. NANAO-0001"))
    _common_options(case)
    case.set_defaults(run=run)


def _common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help=tr("the PDF file to write"))
    p.add_argument("--lang", dest="report_lang", choices=LANGUAGES,
                   help=tr("language of the report (default: the language of messages)"))
    p.add_argument("--include-pii", dest="include_pii", action="store_true",
                   help=tr("print names, phone numbers, addresses and notes of cases whose consent allows it"))
    p.add_argument("--as-of", dest="as_of", metavar="DATE",
                   help=tr("judge overdue tasks and consent on this date (default: today)"))


def run(args: argparse.Namespace) -> int:
    from recovery_desk.domain.errors import ValidationError

    lang = args.report_lang or getattr(args, "lang", None) or current_language()
    today = parse_date(args.as_of, "--as-of")
    out: Path = args.out
    if out.suffix.lower() != ".pdf":
        raise ValidationError("{path}: the report file name must end in .pdf", path=out)
    if args.report_kind == "visits":
        from recovery_desk.reports.visit_sheet import build_visit_sheet

        with open_workspace(args) as ws:
            build_visit_sheet(ws, out, query=args.query, lang=lang, today=today)
    elif args.report_kind == "incident":
        from recovery_desk.reports.incident import build_incident_report

        start, end = parse_date(args.start, "--from"), parse_date(args.end, "--to")
        if args.stalled_days < 1:
            raise ValidationError("--stalled-days must be 1 or more")
        with open_workspace(args) as ws:
            build_incident_report(ws, out, start=start, end=end, lang=lang, include_pii=args.include_pii,
                                  stalled_days=args.stalled_days, today=today)
    else:
        from recovery_desk.reports.case import build_case_report

        with open_workspace(args) as ws:
            build_case_report(ws, args.reference, out, lang=lang, include_pii=args.include_pii, today=today)
    print(tr("Wrote {path}", current_language(), path=out))
    return 0


def run_disclosures(args: argparse.Namespace) -> int:
    import json
    import sys

    from recovery_desk.services.disclosure import kind_label, list_disclosures

    with open_workspace(args) as ws, ws.session() as session:
        total, rows = list_disclosures(session)
    if args.json:
        json.dump({"total": total, "disclosures": [r.as_json() for r in rows]}, sys.stdout, ensure_ascii=False,
                  indent=2)
        print()
        return 0
    for r in rows:
        print("\t".join([r.at.isoformat(timespec="seconds"), r.actor, kind_label(r.kind), str(r.households),
                         r.detail]))
    return 0
