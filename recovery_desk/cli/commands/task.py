"""``task set`` and ``task list``: the board's tasks from a shell.

``task set TASK_ID FIELD=VALUE …`` takes the field names of the tasks import
(``import --help``: title, description, need_category, status, lead_organisation, assignee,
due_date, priority), converted as the import converts them; the status goes through the
board's rules (a task blocked by an open task cannot be done). One operation: a bad value
exits 1 naming the field and changes nothing. TASK_ID may be the first 8+ characters of the id.

``task list [--query Q] [--mine] [--json]`` lists live, unarchived tasks: matching the
board's query language (``assignee:me org:my-org status:… due:<…``), open ones unless the
query names a status; ``--mine`` keeps the open tasks assigned to me or led by my
organisations (the My work page's list, in its order). JSON:
``{"tasks": [{"id", "title", "case", "status", "lead", "assignee", "due_date"}, …]}``;
``id`` is what ``task set`` takes.
"""

from __future__ import annotations

import argparse
import json
import sys

from recovery_desk.cli.commands._common import open_workspace
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("task", help=tr("change tasks"))
    sub = p.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    register_set(sub)
    register_list(sub)


def register_set(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("set", help=tr("set fields of a task (field names of 'import --help' for tasks)"))
    s.add_argument("task_id", metavar="TASK_ID", help=tr("the task's id (or its first 8 or more characters)"))
    s.add_argument("assignments", nargs="+", metavar="FIELD=VALUE",
                   help=tr("e.g. status=done priority=high (an empty VALUE clears the field)"))
    s.set_defaults(run=run_set)


def run_set(args: argparse.Namespace) -> int:
    from recovery_desk.cli.commands.case import parse_assignments
    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.services.task_edit import edit_task, find_task_id

    values = parse_assignments(args.assignments, "tasks")
    if "case_reference" in values:
        raise ValidationError("case_reference: a task cannot move to another case", field="case_reference")
    with open_workspace(args) as ws:
        task_id = find_task_id(ws, args.task_id)
        changes = edit_task(ws, task_id, values)
    print(tr("task {id}: set {fields}", id=task_id, fields=", ".join(sorted(values))) if changes
          else tr("task {id}: nothing to change", id=task_id))
    return 0


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
