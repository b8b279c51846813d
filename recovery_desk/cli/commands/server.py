"""``server init URL`` and ``--workspace URL server add-user NAME --role R``."""

from __future__ import annotations

import argparse
import sys

from recovery_desk.cli.commands._common import workspace_path
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("server", help=tr("a workspace on a PostgreSQL server: roles and access"))
    actions = p.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help=tr("create the schema, roles and access rules (or add the missing ones)"))
    init.add_argument("url", metavar="URL", help=tr("postgresql://USER@HOST/DATABASE"))
    init.add_argument("--incident", metavar="NAME", help=tr("name of the first incident (new workspace)"))
    init.set_defaults(run=run_init)
    add = actions.add_parser("add-user", help=tr("add a person as a database role"))
    add.add_argument("name", metavar="NAME", help=tr("the role name, exactly as the person signs in"))
    add.add_argument("--role", required=True, choices=["coordinator", "member", "viewer"], help=tr("what they may see"))
    add.add_argument("--organisation", metavar="ORG", help=tr("the organisation of a member (name, acronym or id)"))
    add.add_argument("--password-file", metavar="FILE",
                     help=tr("a file whose first line is the password (otherwise asked on a terminal only)"))
    add.set_defaults(run=run_add_user)


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
        import getpass

        password = getpass.getpass(tr("Password for {user} (empty: none): ", user=args.name)) or None
    add_user(ServerUrl(target), args.name, kind=args.role, organisation=args.organisation, password=password)
    print(tr("{user} may now sign in as {role}", user=args.name, role=args.role))
    return 0
