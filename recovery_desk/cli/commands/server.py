"""``server init URL``, ``--workspace URL server add-user NAME --role R``, moving a workspace
between a file and a server (``server copy-to-server URL`` / ``server copy-to-file FILE``), and
``sync push|pull --server URL`` (registered under ``sync`` by cli/commands/sync.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recovery_desk.cli.commands._common import ask, workspace_path
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("server", help=tr("a workspace on a PostgreSQL server: roles and access"))
    actions = p.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help=tr("create the schema, roles and access rules (or add the missing ones)"))
    _server_url(init, "url")
    init.add_argument("--incident", metavar="NAME", help=tr("name of the first incident (new workspace)"))
    init.set_defaults(run=run_init)
    add = actions.add_parser("add-user", help=tr("add a person as a database role"))
    add.add_argument("name", metavar="NAME", help=tr("the role name, exactly as the person signs in"))
    add.add_argument("--role", required=True, choices=["coordinator", "member", "viewer"], help=tr("what they may see"))
    add.add_argument("--organisation", metavar="ORG", help=tr("the organisation of a member (name, acronym or id)"))
    add.add_argument("--password-file", metavar="FILE",
                     help=tr("a file whose first line is the password (otherwise asked on a terminal only)"))
    add.set_defaults(run=run_add_user)
    up = actions.add_parser("copy-to-server", help=tr("put this file's workspace into an empty server database"))
    _server_url(up, "url")
    up.set_defaults(run=run_copy_to_server)
    down = actions.add_parser("copy-to-file", help=tr("write this server workspace out as a new workspace file"))
    down.add_argument("file", type=Path, metavar="FILE.rdesk", help=tr("the new workspace file"))
    down.set_defaults(run=run_copy_to_file)


def register_sync_actions(actions: argparse._SubParsersAction) -> None:
    """``sync push --server URL`` and ``sync pull --server URL`` (a laptop's file and a server)."""
    for name, run, text in (("push", run_push, "send this laptop's changes to a server workspace"),
                            ("pull", run_pull, "read a server workspace's changes into this laptop")):
        p = actions.add_parser(name, help=tr(text))
        _server_url(p, "--server", required=True)
        p.set_defaults(run=run)


def _server_url(parser: argparse.ArgumentParser, name: str, **options: object) -> None:
    """The argument naming a server workspace (a libpq URI: checked when it is opened)."""
    parser.add_argument(name, metavar="URL", help=tr("postgresql://USER@HOST/DATABASE"), **options)


def run_init(args: argparse.Namespace) -> int:
    from recovery_desk.services.server_admin import init_server

    result = init_server(args.url, incident_name=args.incident or tr("New incident"))
    print(tr("Created workspace {path}", path=args.url) if result.created_schema else
          tr("{server}: roles and access rules are in place", server=args.url))
    return 0


def run_add_user(args: argparse.Namespace) -> int:
    from recovery_desk.domain.errors import ValidationError, WorkspaceError
    from recovery_desk.services.server_admin import add_user
    from recovery_desk.storage.engines import ServerUrl, is_server_url

    target = workspace_path(args)
    if not is_server_url(target):
        raise WorkspaceError("{path} is a file; server add-user needs --workspace postgresql://…", path=target)
    password = None
    if args.password_file:
        try:
            with open(args.password_file, encoding="utf-8") as f:
                password = f.readline().rstrip("\r\n")
        except OSError as exc:
            raise ValidationError("--password-file {path}: {detail}", path=args.password_file,
                                  detail=exc.strerror) from None
        if not password:
            raise ValidationError("--password-file {path}: the first line is empty", path=args.password_file)
    elif sys.stdin is not None and sys.stdin.isatty():
        password = ask(tr("Password for {user} (empty: none): ", user=args.name), secret=True) or None
    add_user(ServerUrl(target), args.name, kind=args.role, organisation=args.organisation, password=password)
    print(tr("{user} may now sign in as {role}", user=args.name, role=args.role))
    return 0


def _print_summary(summary, where: str) -> None:
    print(summary.describe(where))
    for flag in summary.flags:
        print(flag)


def _laptop_sync(args: argparse.Namespace, *, push: bool) -> int:
    from recovery_desk.cli.commands._common import open_workspace
    from recovery_desk.services.server_sync import synchronise

    with open_workspace(args) as ws:
        result = synchronise(ws, args.server, push=push, pull=not push)
    if push:
        _print_summary(result.pushed, args.server)
    else:
        _print_summary(result.pulled, str(workspace_path(args)))
    return 0


def run_push(args: argparse.Namespace) -> int:
    return _laptop_sync(args, push=True)


def run_pull(args: argparse.Namespace) -> int:
    return _laptop_sync(args, push=False)


def run_copy_to_server(args: argparse.Namespace) -> int:
    from recovery_desk.cli.commands._common import open_workspace
    from recovery_desk.services.server_sync import copy_to_server
    from recovery_desk.services.settings import current_actor

    source = workspace_path(args)
    with open_workspace(args) as ws:
        summary = copy_to_server(ws, args.url, actor=current_actor())
    print(tr("Copied {path} to {server}: {new} rows; the server is a replica of its own, synchronise with "
             "'sync push|pull --server'", path=source, server=args.url, new=summary.new))
    return 0


def run_copy_to_file(args: argparse.Namespace) -> int:
    from recovery_desk.domain.errors import WorkspaceError
    from recovery_desk.services.server_sync import copy_to_file
    from recovery_desk.services.settings import current_actor
    from recovery_desk.storage.engines import is_server_url

    source = workspace_path(args)
    if not is_server_url(source):
        raise WorkspaceError("{path} is a file; copy-to-file needs --workspace postgresql://…", path=source)
    ws = copy_to_file(source, args.file, actor=current_actor())
    replica = ws.replica_id
    ws.close()
    print(tr("Wrote {server} to {path} (laptop {replica}); bring its work back with 'sync push --server'",
             server=source, path=args.file, replica=replica))
    return 0
