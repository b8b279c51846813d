"""``sync export|import|status|conflicts|resolve|duplicates`` and ``join``: laptops that work
apart and converge through change bundles (``.rdsync``) carried on USB sticks.

The passphrase comes from ``--passphrase-file F`` (its first line), else the environment
variable ``RECOVERY_DESK_PASSPHRASE``, else it is asked for when a terminal is attached.
``sync import`` exits 0 when it applied the bundle (conflicts or not, and when the bundle
brought nothing new) and 1 only when it refused the bundle, which then wrote nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from recovery_desk.cli.commands._common import open_workspace, workspace_path
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sync", help=tr("exchange changes with other laptops (change bundles)"))
    sub = p.add_subparsers(dest="sync_command", metavar="ACTION", required=True)

    e = sub.add_parser("export", help=tr("write the changes another laptop may not have to a bundle"))
    e.add_argument("--out", required=True, type=Path, metavar="FILE.rdsync", help=tr("bundle file to write"))
    group = e.add_mutually_exclusive_group()
    group.add_argument("--for", dest="for_replica", metavar="REPLICA",
                       help=tr("only what that laptop lacks (its id, or the first characters of it)"))
    group.add_argument("--all", action="store_true", help=tr("every change (to join a new laptop)"))
    _passphrase_option(e)
    e.set_defaults(run=run_export)

    i = sub.add_parser("import", help=tr("read another laptop's bundle and merge its changes"))
    i.add_argument("file", type=Path, metavar="FILE.rdsync", help=tr("bundle file to read"))
    _passphrase_option(i)
    i.add_argument("--dry-run", action="store_true", help=tr("show what reading it would do; write nothing"))
    i.set_defaults(run=run_import)

    s = sub.add_parser("status", help=tr("this laptop, the laptops it knows, changes not yet sent"))
    s.add_argument("--json", action="store_true", help=tr("print JSON"))
    s.set_defaults(run=run_status)

    c = sub.add_parser("conflicts", help=tr("open conflicts between laptops, each with an id"))
    c.add_argument("--json", action="store_true", help=tr("print JSON (vocabulary values as codes)"))
    c.set_defaults(run=run_conflicts)

    r = sub.add_parser("resolve", help=tr("settle a conflict (the choice reaches every laptop)"))
    r.add_argument("conflict_id", metavar="CONFLICT_ID", help=tr("the id 'sync conflicts' shows"))
    how = r.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep", choices=("ours", "theirs"),
                     help=tr("ours: the value shown now; theirs: the other laptop's value"))
    how.add_argument("--value", metavar="TEXT", help=tr("a value typed in instead of either"))
    r.set_defaults(run=run_resolve)

    d = sub.add_parser("duplicates", help=tr("cases that look like the same household registered twice"))
    d.add_argument("--json", action="store_true", help=tr("print JSON"))
    d.set_defaults(run=run_duplicates)

    from recovery_desk.cli.commands.server import register_sync_actions

    register_sync_actions(sub)  # sync push|pull --server URL (issue 12: a laptop meets the server)

    j = subparsers.add_parser("join", help=tr("create this laptop's workspace (--workspace NEW) from a bundle"))
    j.add_argument("file", type=Path, metavar="FILE.rdsync", help=tr("a bundle written with 'sync export --all'"))
    _passphrase_option(j)
    j.set_defaults(run=run_join)


def _passphrase_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--passphrase-file", type=Path, metavar="F",
                   help=tr("file whose first line is the passphrase of the bundles"))


def passphrase(args: argparse.Namespace) -> str:
    from recovery_desk.domain.errors import ValidationError

    if args.passphrase_file is not None:
        try:
            text = args.passphrase_file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ValidationError("--passphrase-file {path}: cannot be read ({detail})", path=args.passphrase_file,
                                  detail=exc.strerror) from None
        return text.splitlines()[0] if text.splitlines() else ""
    if os.environ.get("RECOVERY_DESK_PASSPHRASE"):
        return os.environ["RECOVERY_DESK_PASSPHRASE"]
    if sys.stdin.isatty():
        from recovery_desk.cli.commands._common import ask

        return ask(tr("Passphrase of the bundle: "), secret=True)
    raise ValidationError("a passphrase is needed: give --passphrase-file F", field="passphrase")


def run_export(args: argparse.Namespace) -> int:
    from recovery_desk.services.sync.exchange import export_bundle

    secret = passphrase(args)
    with open_workspace(args) as ws:
        result = export_bundle(ws, args.out, secret, for_replica=args.for_replica, everything=args.all)
    print(tr("Wrote {count} change(s) to {path} ({size} bytes)", count=result.changes, path=result.path,
             size=result.size))
    return 0


def run_import(args: argparse.Namespace) -> int:
    from recovery_desk.services.sync.exchange import import_bundle

    secret = passphrase(args)
    with open_workspace(args) as ws:
        summary = import_bundle(ws, args.file, secret, dry_run=args.dry_run)
    print(summary.describe(str(args.file)))
    for flag in summary.flags:
        print(flag)
    if args.dry_run:
        print(tr("(dry run: nothing was written)"))
    return 0


def run_status(args: argparse.Namespace) -> int:
    from recovery_desk.services.sync.exchange import status

    with open_workspace(args) as ws:
        info = status(ws)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1, sort_keys=True))
        return 0
    print(tr("This laptop: {replica}", replica=info["replica"]))
    for peer in info["peers"]:
        print(tr("  knows {replica} ({actor}), last bundle read {when}", replica=peer["replica"],
                 actor=peer["actor"] or "-", when=peer["last_seen"]))
    print(tr("Changes made here that no other laptop has yet: {count}", count=info["unsent"]))
    return 0


def run_conflicts(args: argparse.Namespace) -> int:
    from recovery_desk.services.sync.conflicts import board_flags, list_conflicts, row_noun

    with open_workspace(args) as ws:
        conflicts = list_conflicts(ws)
        with ws.engine.connect() as conn:
            flags = board_flags(conn)
    if args.json:
        print(json.dumps({"conflicts": conflicts, "flags": flags}, ensure_ascii=False, indent=1, sort_keys=True))
        return 0
    for c in conflicts:
        where = c["reference"] or f"{c['entity']} {c['row_id'][:8]}"
        if c["kind"] == "added_to_deleted":
            print(tr("{id}  {where}: {owner} deleted by {ours_by}, but {what} '{theirs}' was added to it by "
                     "{theirs_by}", id=c["id"], where=where, owner=row_noun(c["owner_entity"]),
                     ours_by=c["ours_by"] or "-", what=row_noun(c["entity"]), theirs=c["theirs"],
                     theirs_by=c["theirs_by"] or "-"))
        elif c["kind"] == "edit_delete":
            print(tr("{id}  {where} {field}: deleted by {ours_by}, but changed to '{theirs}' by {theirs_by}",
                     id=c["id"], where=where, field=c["field"], ours_by=c["ours_by"] or "-", theirs=c["theirs"],
                     theirs_by=c["theirs_by"] or "-"))
        else:
            print(tr("{id}  {where} {field}: '{ours}' ({ours_by}) here, '{theirs}' ({theirs_by}) from another laptop",
                     id=c["id"], where=where, field=c["field"], ours=c["ours"], ours_by=c["ours_by"] or "-",
                     theirs=c["theirs"], theirs_by=c["theirs_by"] or "-"))
    for flag in flags:
        print(tr("board: {kind} ({tasks})", kind=flag["kind"], tasks=", ".join(t[:8] for t in flag["tasks"])))
    print(tr("{count} open conflict(s)", count=len(conflicts)))
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    from recovery_desk.services.sync.conflicts import resolve

    with open_workspace(args) as ws:
        resolve(ws, args.conflict_id, keep=args.keep, value=args.value)
    print(tr("Conflict {id} resolved", id=args.conflict_id))
    return 0


def run_duplicates(args: argparse.Namespace) -> int:
    from recovery_desk.services.sync.duplicates import describe_pair, likely_duplicates

    with open_workspace(args) as ws:
        pairs = likely_duplicates(ws)
    if args.json:
        print(json.dumps({"duplicates": pairs}, ensure_ascii=False, indent=1, sort_keys=True))
        return 0
    for pair in pairs:
        print(describe_pair(pair))
    print(tr("{count} likely duplicate(s)", count=len(pairs)))
    return 0


def run_join(args: argparse.Namespace) -> int:
    from recovery_desk.services.settings import current_actor
    from recovery_desk.services.sync.exchange import join_workspace

    target = workspace_path(args)
    secret = passphrase(args)
    ws = join_workspace(target, args.file, secret, actor=current_actor())
    replica = ws.replica_id
    ws.close()
    print(tr("Joined: {path} is this laptop's workspace (laptop {replica})", path=target, replica=replica))
    return 0
