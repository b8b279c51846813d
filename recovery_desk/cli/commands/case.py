"""``case``: cases from a shell (the change-bundles issue adds set / delete / list).

``case erase REF [--yes]`` removes the personal data of a case that asked to be forgotten
(services/erasure.py). Without ``--yes`` it names what will go and asks for the reference
on a terminal, and refuses when there is no terminal to ask on.
"""

from __future__ import annotations

import argparse
import sys

from recovery_desk.cli.commands._common import open_workspace
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("case", help=tr("cases"))
    sub = p.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    register_erase(sub)


def register_erase(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("erase", help=tr("erase the personal data of a case (the household asked to be forgotten)"))
    e.add_argument("reference", metavar="REF", help=tr("the case reference, e.g. NANAO-0001"))
    e.add_argument("--yes", action="store_true", help=tr("do not ask for confirmation (for scripts)"))
    e.set_defaults(run=run_erase)


def run_erase(args: argparse.Namespace) -> int:
    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.services.erasure import erase_case, plan_erasure

    with open_workspace(args) as ws:
        plan = plan_erasure(ws, args.reference)
        if not args.yes:
            if not sys.stdin.isatty():
                raise ValidationError("erasing {reference} needs --yes when there is no terminal to confirm on",
                                      reference=plan.reference)
            fields = plan.describe()
            print(tr("This removes for good the personal data of {reference}: {fields}; and the same values in "
                     "comments, notes and the audit trail. Backups made before keep them.",
                     reference=plan.reference, fields=fields), file=sys.stderr)
            answer = input(tr("Type the reference to confirm: "))
            if answer.strip() != plan.reference:
                raise ValidationError("not confirmed: nothing was erased")
        erase_case(ws, plan.reference)
    print(tr("Erased the personal data of {reference}", reference=plan.reference))
    return 0
