"""``match REF [--need CATEGORY] [--json] [--limit N]``: who could take a case's unmet needs."""

from __future__ import annotations

import argparse

from recovery_desk.i18n import current_language, tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("match", help=tr("organisations that could take a case's unmet needs, ranked"))
    p.add_argument("reference", metavar="REF", help=tr("case reference, e.g. NANAO-0042"))
    p.add_argument("--need", metavar="CATEGORY", help=tr("only this need category (code or label)"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.add_argument("--limit", type=int, default=10, metavar="N",
                   help=tr("candidates per need (default 10; 0 for all)"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from recovery_desk.cli.commands import _json
    from recovery_desk.cli.commands._reading import reading_connection
    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.services.matching import (
        check_category,
        find_case_id,
        format_match,
        match_case,
    )

    if args.limit < 0:
        raise ValidationError("{option} must be 0 or more", option="--limit")
    category = check_category(args.need) if args.need else None
    with reading_connection(args) as con:
        match = match_case(con, find_case_id(con, args.reference), category)
    lang = current_language()
    if args.json:
        print(_json.dumps(match.as_json(lang, args.limit)))
    else:
        print(format_match(match, lang, args.limit))
    return 0
