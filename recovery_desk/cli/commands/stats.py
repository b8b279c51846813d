from __future__ import annotations

import argparse
import json

from recovery_desk.cli.commands._common import open_workspace, parse_date, workspace_path
from recovery_desk.i18n import current_language, tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("stats", help=tr("the figures the reports print"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.add_argument("--from", dest="start", metavar="DATE", help=tr("start of the period (YYYY-MM-DD)"))
    p.add_argument("--to", dest="end", metavar="DATE", help=tr("end of the period (YYYY-MM-DD)"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.services.figures import Period, compute_figures
    from recovery_desk.storage.database import FileState, inspect_file, read_only_connection
    from recovery_desk.storage.engines import is_server_url

    period = Period(parse_date(args.start, "--from"), parse_date(args.end, "--to"))
    if period.start and period.end and period.end < period.start:
        raise ValidationError("--to is before --from")
    path = workspace_path(args)
    if is_server_url(path):
        figures = _server_figures(path, period)
    elif inspect_file(path).state is FileState.CURRENT:
        # Reading needs neither SQLAlchemy nor a write: a read-only connection answers fastest.
        with read_only_connection(path) as con:
            figures = compute_figures(con, period)
    else:  # missing (a clear error) or older (upgraded after a backup, as any open does)
        from recovery_desk.services.stats import compute_stats

        with open_workspace(args) as ws, ws.session() as session:
            figures = compute_stats(session, period)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(format_stats(figures, current_language()))
    return 0


def _server_figures(url_text: str, period):
    """On a server, psycopg alone (no SQLAlchemy) when the schema is current, in one
    read-only snapshot (the figures agree with each other) shared by two connections."""
    from recovery_desk.services.figures import compute_figures
    from recovery_desk.storage import postgres
    from recovery_desk.storage.engines import ServerUrl

    url = ServerUrl(url_text)
    with postgres.connect_dbapi(url) as con:
        if postgres.inspect_on(con, url).current:
            postgres.read_in_one_snapshot(con)
            # Half the scans on a second connection in the same snapshot: the server works on two
            # cores (on 60,000 cases the figures come in ~2/3 of the time of one connection).
            with postgres.sharing_snapshot(con, url) as beside:
                return compute_figures(con, period, beside=beside)
    from recovery_desk.services.settings import current_actor
    from recovery_desk.services.stats import compute_stats
    from recovery_desk.services.workspace import Workspace

    with Workspace.open(url, actor=current_actor()) as ws, ws.session() as session:  # upgraded after a backup
        return compute_stats(session, period)


def format_stats(figures: dict, lang: str) -> str:
    from recovery_desk.domain.vocabulary import NEED_CATEGORY, SECTOR, STAGE, TASK_STATUS

    c, t = figures["cases"], figures["tasks"]
    lines = [
        tr("Cases: {total} ({open} open, {closed} closed)", lang, **c),
        tr("Opened in period: {opened}, closed in period: {closed}", lang,
           opened=c["opened_in_period"], closed=c["closed_in_period"]),
        "  " + ", ".join(f"{STAGE.label(s, lang)} {n}" for s, n in c["by_stage"].items()),
        tr("Cases by number of sectors engaged: {counts}", lang,
           counts=", ".join(f"{k}: {v}" for k, v in c["by_sectors_engaged"].items())),
        tr("Tasks: {total} ({open} open, {overdue} overdue)", lang, **t),
        "  " + ", ".join(f"{TASK_STATUS.label(s, lang)} {n}" for s, n in t["by_status"].items()),
        tr("Unmet needs:", lang),
    ]
    for category, states in figures["needs"]["by_category"].items():
        if states["unmet"]:
            lines.append(f"  {NEED_CATEGORY.label(category, lang)}: {states['unmet']}")
    o = figures["organisations"]
    lines.append(tr("Organisations: {total} ({engaged} engaged)", lang, **o))
    lines.append("  " + ", ".join(f"{SECTOR.label(s, lang)} {n}" for s, n in o["by_sector"].items()))
    lines.append(tr("People: {total}", lang, **figures["people"]))
    return "\n".join(lines)
