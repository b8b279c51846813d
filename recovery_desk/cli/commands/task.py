"""``task set``: change a task's fields from a shell (the field engineer adds ``task list``).

``task set TASK_ID FIELD=VALUE …`` takes the field names of the tasks import
(``import --help``: title, description, need_category, status, lead_organisation, assignee,
due_date, priority), converted as the import converts them; the status goes through the
board's rules (a task blocked by an open task cannot be done). One operation: a bad value
exits 1 naming the field and changes nothing. TASK_ID may be the first 8+ characters of the id.
"""

from __future__ import annotations

import argparse

from recovery_desk.cli.commands._common import open_workspace
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("task", help=tr("change tasks"))
    sub = p.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    register_set(sub)


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
