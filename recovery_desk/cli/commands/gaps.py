"""``gaps [--json] [--area AREA] [--need CATEGORY]``: where needs outrun who can take them."""

from __future__ import annotations

import argparse

from recovery_desk.i18n import current_language, tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("gaps", help=tr("coordination gaps: unmet needs per area against who can take them"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.add_argument("--area", metavar="AREA", help=tr("only areas whose district, municipality or code contains this"))
    p.add_argument("--need", metavar="CATEGORY", help=tr("only this need category (code or label)"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from recovery_desk.cli.commands import _json
    from recovery_desk.cli.commands._reading import reading_connection
    from recovery_desk.services.gaps import compute_gaps, format_gaps
    from recovery_desk.services.matching import check_category

    category = check_category(args.need) if args.need else None
    with reading_connection(args) as con:
        gaps = compute_gaps(con, area=args.area, need=category)
    if args.json:
        print(_json.dumps(gaps.as_json()))
    else:
        print(format_gaps(gaps, current_language()))
    return 0
