"""``case set``, ``case delete`` and ``case list``: routine updates from a shell.

``case set REF FIELD=VALUE …`` takes the field names of the cases import (``import --help``)
and converts each value as the import does (vocabulary as code or English/Japanese label,
era dates, full-width digits); the changes go through the same services as the app, in one
operation: a bad value exits 1 naming the field and changes nothing.

``case erase REF [--yes]`` removes the personal data of a case that asked to be forgotten
(services/erasure.py). Without ``--yes`` it names what will go and asks for the reference
on a terminal, and refuses when there is no terminal to ask on.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from recovery_desk.cli.commands._common import ask, open_workspace
from recovery_desk.i18n import current_language, tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("case", help=tr("change, delete or list cases"))
    sub = p.add_subparsers(dest="case_command", metavar="ACTION", required=True)

    s = sub.add_parser("set", help=tr("set fields of a case (field names of 'import --help' for cases)"))
    s.add_argument("reference", metavar="REF", help=tr("case reference, e.g. NANAO-0042"))
    s.add_argument("assignments", nargs="+", metavar="FIELD=VALUE",
                   help=tr("e.g. stage=planning priority=high (an empty VALUE clears the field)"))
    s.set_defaults(run=run_set)

    d = sub.add_parser("delete", help=tr("delete a case (a tombstone that other laptops receive)"))
    d.add_argument("reference", metavar="REF", help=tr("case reference, e.g. NANAO-0042"))
    d.set_defaults(run=run_delete)

    sub_list = sub.add_parser("list", help=tr("list cases (the cases query language)"))
    sub_list.add_argument("--query", default="", metavar="Q",
                          help=tr("e.g. 'stage:planning need:housing_repair' (Help ▸ Filter syntax in the app)"))
    sub_list.add_argument("--all", action="store_true", help=tr("include deleted cases"))
    sub_list.add_argument("--json", action="store_true", help=tr("print JSON (vocabulary values as codes)"))
    sub_list.add_argument("--include-pii", action="store_true",
                          help=tr("include contact name, phone and address, for cases whose consent allows it"))
    sub_list.set_defaults(run=run_list)
    register_erase(sub)


def parse_assignments(items: list[str], kind: str) -> dict[str, Any]:
    """``FIELD=VALUE`` pairs converted by the import's field specs (raises ValidationError)."""
    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.io.fields import field_names, spec
    from recovery_desk.io.importer import Bad, ImportProblem, convert

    values: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValidationError("'{item}': use FIELD=VALUE", item=item)
        if name not in field_names(kind):
            raise ValidationError("{field}: not a field of {kind} (see 'import --help')", field=name, kind=kind)
        try:
            values[name] = convert(spec(kind, name), raw)
        except Bad as exc:
            from recovery_desk.services.validation import shown_safely

            reason = ImportProblem(exc.msgid, row=0, column=name, value=raw, **exc.params).why()
            raise ValidationError("{field}: '{value}' {reason}", field=name, value=shown_safely(raw),
                                  reason=reason) from None
    return values


def run_set(args: argparse.Namespace) -> int:
    from recovery_desk.services.case_edit import edit_case
    from recovery_desk.services.cases import find_case

    values = parse_assignments(args.assignments, "cases")
    with open_workspace(args) as ws:
        case = find_case(ws, args.reference)
        changes = edit_case(ws, case.id, values)
    fields = sorted({f for f in values})
    print(tr("{reference}: set {fields}", reference=case.reference, fields=", ".join(fields)) if changes
          else tr("{reference}: nothing to change", reference=case.reference))
    return 0


def run_delete(args: argparse.Namespace) -> int:
    from recovery_desk.services.cases import delete_case, find_case

    with open_workspace(args) as ws:
        case = find_case(ws, args.reference)
        delete_case(ws, case.id)
    print(tr("{reference}: deleted", reference=case.reference))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from recovery_desk.services.case_export import list_cases

    with open_workspace(args) as ws:
        cases = list_cases(ws, args.query, include_deleted=args.all, include_pii=args.include_pii)
    if args.json:
        print(json.dumps({"cases": cases}, ensure_ascii=False, indent=1, sort_keys=True))
        return 0
    from recovery_desk.domain.vocabulary import PRIORITY, STAGE

    lang = current_language()
    for c in cases:
        cells = [c["reference"], STAGE.label(c["stage"], lang), PRIORITY.label(c["priority"], lang), c["area"]]
        if c["deleted"]:
            cells.append(tr("(deleted)"))
        if args.include_pii:
            cells += [c.get("contact_name") or "", c.get("contact_phone") or "", c.get("address") or ""]
        print("\t".join(cells))
    print(tr("{count} case(s)", count=len(cases)))
    return 0


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
            answer = ask(tr("Type the reference to confirm: "))
            if answer.strip() != plan.reference:
                raise ValidationError("not confirmed: nothing was erased")
        erase_case(ws, plan.reference)
    print(tr("Erased the personal data of {reference}", reference=plan.reference))
    return 0
