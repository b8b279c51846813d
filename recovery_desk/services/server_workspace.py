"""Creating and opening a workspace on a PostgreSQL server (``Workspace.create`` / ``open``
hand a server URL here; a file never comes here).

An empty database becomes a workspace in one transaction (PostgreSQL's DDL is
transactional): schema, replica id, first incident. A newer schema is refused untouched;
an older one is upgraded after a ``pg_dump`` archive of it is taken. The actor of every
change is the database role the connection signed in as, not a name the user typed.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.storage import database, postgres
from recovery_desk.storage.engines import ServerUrl
from recovery_desk.storage.models import Incident, WorkspaceInfo, new_id, utcnow

if TYPE_CHECKING:
    from recovery_desk.services.workspace import Workspace


def create(cls: type[Workspace], url: ServerUrl, *, incident_name: str, hazard: str, start_date: date,
           area_description: str, reference_prefix: str, actor: str = "") -> Workspace:
    """A new workspace in the empty database ``url`` names, with its first incident."""
    engine = build_empty(url)
    try:
        ws = cls(url, engine, actor)
        with ws.operation("create_incident") as op:
            op.add(Incident, name=incident_name, hazard=hazard, start_date=start_date,
                   area_description=area_description, reference_prefix=reference_prefix)
    except BaseException:
        postgres.drop_workspace_tables(engine)
        engine.dispose()
        raise
    return ws


def build_empty(url: ServerUrl) -> object:
    """The schema and the replica id in an empty database; returns the engine."""
    if not postgres.inspect(url).empty:
        raise WorkspaceError("{server} already holds a workspace; choose an empty database", server=url.url)
    engine = postgres.make_engine(url)
    try:
        database.upgrade(engine)
        with Session(engine) as s, s.begin():
            s.add_all([WorkspaceInfo(key="replica_id", value=new_id()),
                       WorkspaceInfo(key="created_at", value=utcnow().isoformat())])
    except BaseException:
        postgres.drop_workspace_tables(engine)
        engine.dispose()
        raise
    return engine


def open(cls: type[Workspace], url: ServerUrl, *, actor: str = "", upgrade: bool = True) -> Workspace:  # noqa: A001
    inspection = postgres.inspect(url)
    if inspection.empty:
        raise WorkspaceError("{server}: no workspace here (create one with 'init' or 'demo')", server=url.url)
    backup = None
    if not inspection.current:
        if not upgrade:
            raise WorkspaceError("{server} needs a schema upgrade", server=url.url)
        backup = postgres.backup_before_upgrade(url, inspection.revision or "none", postgres.server_backup_folder())
    engine = postgres.make_engine(url)
    try:
        if backup is not None:
            _upgrade_with_access(url, engine)
        ws = cls(url, engine, actor)
    except BaseException:
        engine.dispose()
        raise
    ws.backup_made = backup
    return ws


def _upgrade_with_access(url: ServerUrl, engine: object) -> None:
    """Upgrade the schema; the restricted views (which name every column) are dropped first,
    so that no migration trips over them, and rebuilt from the new models afterwards."""
    from sqlalchemy import text

    from recovery_desk.services.server_admin import install_access
    from recovery_desk.storage.server_access import SCHEMA

    with engine.begin() as connection:
        restricted = connection.execute(text("SELECT to_regnamespace(:s) IS NOT NULL"), {"s": SCHEMA}).scalar()
        if restricted:
            connection.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    database.upgrade(engine)
    if restricted:
        install_access(url)
