"""``server init`` and ``server add-user``: roles, views and grants of a server workspace
(what they enforce: storage/server_access.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from recovery_desk.domain.errors import ValidationError, WorkspaceError
from recovery_desk.storage import postgres, server_access
from recovery_desk.storage.engines import ServerUrl, workspace_location
from recovery_desk.storage.retry import retrying


@dataclass(frozen=True)
class InitResult:
    created_schema: bool


def init_server(url_text: str, *, incident_name: str, start_date: date | None = None) -> InitResult:
    """Schema (on an empty database), group roles, restricted views and grants; on an
    existing workspace only what it lacks (every statement is idempotent)."""
    from recovery_desk.services.workspace import Workspace

    url = workspace_location(url_text)
    if not isinstance(url, ServerUrl):
        raise WorkspaceError("{path} is a file; server init needs a postgresql:// URL", path=url_text)
    created = postgres.inspect(url).empty
    if created:
        Workspace.create(url, incident_name=incident_name, start_date=start_date).close()
    else:
        Workspace.open(url).close()  # refuses a newer schema, upgrades an older one after a backup
    install_access(url)
    return InitResult(created_schema=created)


def install_access(url: ServerUrl) -> None:
    from recovery_desk.storage.models import Base

    def install_once() -> None:  # every statement is idempotent: whole again after a deadlock
        with postgres.connect_dbapi(url) as con, con.transaction():
            owner = con.execute("SELECT current_user").fetchone()[0]
            for statement in server_access.access_sql(Base.metadata, url.name, owner):
                con.execute(statement)

    retrying(install_once)


def has_access_installed(con) -> bool:
    return con.execute("SELECT to_regclass('public.rd_user') IS NOT NULL").fetchone()[0]


def add_user(url: ServerUrl, name: str, *, kind: str, organisation: str | None = None,
             password: str | None = None) -> None:
    """A LOGIN role named exactly ``name``, in the group of ``kind``, registered in this workspace.
    A password is sent as its SCRAM verifier (libpq computes it), never as text."""
    if kind not in server_access.KINDS:
        raise ValidationError("--role must be one of {kinds}", kinds=", ".join(server_access.KINDS))
    if not name or len(name.encode()) > 63:
        raise ValidationError("a user name has 1 to 63 bytes: {name}", name=name)
    if (kind == "member") != bool(organisation):
        raise ValidationError("--organisation is needed for a member, and only for a member")
    # One transaction (the role, its grants, its registration), whole again after a deadlock.
    retrying(lambda: _add_user_once(url, name, kind, organisation, password))


def _add_user_once(url: ServerUrl, name: str, kind: str, organisation: str | None, password: str | None) -> None:
    from psycopg import sql

    with postgres.connect_dbapi(url) as con, con.transaction():
        if not has_access_installed(con):
            raise WorkspaceError("{server} has no roles yet: run 'recovery-desk server init {server}' first",
                                 server=url.url)
        organisation_id = None
        if organisation:
            row = con.execute("SELECT id FROM public.organisation WHERE deleted_at IS NULL AND "
                              "(id = %s OR name = %s OR acronym = %s) ORDER BY (id = %s) DESC LIMIT 2",
                              (organisation, organisation, organisation, organisation)).fetchall()
            if not row:
                raise ValidationError("no organisation {organisation} in this workspace", organisation=organisation)
            organisation_id = row[0][0]
        role = sql.Identifier(name)
        exists = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if not exists:
            con.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
        if password:
            verifier = con.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
            con.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(verifier.decode())))
        for other in server_access.GROUPS.values():
            con.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), role))
        con.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(server_access.GROUPS[kind]), role))
        # Settings are not inherited from group roles: each person's search path is set here.
        path = sql.SQL("public") if kind == "coordinator" else sql.SQL(f"{server_access.SCHEMA}, public")
        con.execute(sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}").format(
            role, sql.Identifier(url.name), path))
        con.execute("INSERT INTO public.rd_user (role_name, kind, organisation_id) VALUES (%s, %s, %s) "
                    "ON CONFLICT (role_name) DO UPDATE SET kind = EXCLUDED.kind, "
                    "organisation_id = EXCLUDED.organisation_id", (name, kind, organisation_id))


def role_of(session) -> tuple[str | None, str | None]:
    """(kind, organisation id) of the signed-in role on a server workspace; (None, None) when
    the workspace has no roles installed or the role is not registered (e.g. its owner)."""
    from sqlalchemy import text

    if not session.execute(text("SELECT to_regclass('public.rd_me') IS NOT NULL")).scalar():
        return None, None
    row = session.execute(text("SELECT kind, organisation_id FROM public.rd_me")).first()
    return (row[0], row[1]) if row else (None, None)


def describe_role(actor: str, kind: str | None, organisation_id: str | None, *, lang: str | None = None) -> str:
    """What the status bar says about the signed-in role (and why some data shows blank)."""
    from recovery_desk.i18n import tr

    if kind == "viewer":
        return tr("Signed in to the server as {actor} (viewer): figures and reports only; the server hides "
                  "all personal data", lang, actor=actor)
    if kind == "member":
        return tr("Signed in to the server as {actor} (member of an organisation): only the cases it takes part "
                  "in; personal data where the case's consent allows", lang, actor=actor)
    return tr("Signed in to the server as {actor} (coordinator)", lang, actor=actor)
