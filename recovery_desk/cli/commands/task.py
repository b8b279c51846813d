"""``task``: the tasks of the board from a shell.

``task list [--query Q] [--mine] [--json]`` lists live, unarchived tasks: matching the
board's query language (``assignee:me org:my-org status:… due:<…``), open ones unless the
query names a status; ``--mine`` keeps the open tasks assigned to me or led by my
organisations (the My work page's list, in its order). JSON:
``{"tasks": [{"id", "title", "case", "status", "lead", "assignee", "due_date"}, …]}``.
"""

from __future__ import annotations

import argparse
import json
import sys

from recovery_desk.cli.commands._common import open_workspace
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("task", help=tr("the board's tasks"))
    sub = p.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    register_list(sub)


def register_list(sub: argparse._SubParsersAction) -> None:
    lst = sub.add_parser("list", help=tr("list tasks (the board's query language)"))
    lst.add_argument("--query", default="", metavar="Q",
                     help=tr("a board query, e.g. \"assignee:me status:in_progress\""))
    lst.add_argument("--mine", action="store_true",
                     help=tr("only open tasks assigned to me or led by my organisations"))
    lst.add_argument("--json", action="store_true", help=tr("print JSON"))
    lst.set_defaults(run=run_list)


def run_list(args: argparse.Namespace) -> int:
    from datetime import date

    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.domain.vocabulary import CLOSED_TASK_STATUSES
    from recovery_desk.services.board_query import board_conditions, parse_board_query
    from recovery_desk.services.my_work import mine_condition, task_rows
    from recovery_desk.storage.models import Task, utcnow

    today, now = date.today(), utcnow()
    query = parse_board_query(args.query)
    with open_workspace(args) as ws, ws.session() as session:
        me = ws.identity
        conditions = board_conditions(query, today=today, now=now, me=me)
        if args.mine or not query.get("status"):
            conditions.append(Task.status.not_in(CLOSED_TASK_STATUSES))
        if args.mine:
            if me is None:
                raise ValidationError("--mine needs a person: sign in in the app, or give --as NAME")
            conditions.append(mine_condition(me))
        rows = task_rows(session, conditions, me=me, today=today, now=now)
    if args.json:
        json.dump({"tasks": [r.as_json() for r in rows]}, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for r in rows:
        print("\t".join([r.id, r.case_ref, r.status, r.due_date.isoformat() if r.due_date else "-",
                         r.lead or "-", r.assignee or "-", r.title]))
    print(tr("{count} tasks", count=len(rows)), file=sys.stderr)
    return 0
