"""A workspace: one SQLite file holding one or more incidents and their cases."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.domain.vocabulary import HAZARD
from recovery_desk.services.locations import (  # noqa: F401  (re-exported)
    WORKSPACE_SUFFIX,
    default_workspace_dir,
    default_workspace_path,
    demo_workspace_path,
)
from recovery_desk.services.operation import Operation
from recovery_desk.services.validation import check_date, check_text, check_vocab
from recovery_desk.storage import database, files
from recovery_desk.storage.engines import ServerUrl, is_server_url, workspace_location
from recovery_desk.storage.models import Incident, WorkspaceInfo, new_id, utcnow


class Workspace:
    """An open workspace. Use :meth:`create` or :meth:`open`; close when done."""

    def __init__(self, path: Path | ServerUrl, engine: Engine, actor: str = ""):
        self.path = path  # a file, or a server URL (storage/engines.py)
        self.engine = engine
        self.dialect = engine.dialect.name
        self.instance_id = new_id()  # tells this client's own change notices from others'
        if self.dialect == "postgresql":  # on a server, the actor is the role that signed in
            from recovery_desk.storage.postgres import session_role

            actor = session_role(engine)
        self.actor = actor
        # Who signs the changes, when a Person of the workspace (services/identity.py).
        self.person_id: str | None = None
        self.identity = None
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.backup_made: Path | None = None
        self.read_only = False

    # -- lifecycle -------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: Path,
        *,
        incident_name: str,
        hazard: str = "EQ",
        start_date: date | str | None = None,
        area_description: str = "",
        reference_prefix: str | None = None,
        actor: str = "",
    ) -> Workspace:
        """Create a new workspace file with its first incident. Refuses to overwrite.

        The file is built under a temporary name beside ``path`` and linked into place
        only when complete (storage/files.py): a kill leaves no half-made workspace, and
        of two processes creating one path, one wins and the other is told it exists.
        A server URL creates the workspace in that (empty) database instead."""
        incident_name = check_text(incident_name, "incident_name", 200, required=True)
        hazard = check_vocab(HAZARD, hazard, "hazard")
        start = check_date(start_date, "start_date") or date.today()
        if is_server_url(path):
            from recovery_desk.services import server_workspace

            return server_workspace.create(
                cls, workspace_location(path), incident_name=incident_name, hazard=hazard, start_date=start,
                area_description=area_description, actor=actor,
                reference_prefix=reference_prefix or derive_prefix(incident_name))
        path = Path(path)
        claim_new_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with files.creating(path, replace=False, database=True) as tmp:
            build_empty(tmp)
            with cls(tmp, database.make_engine(tmp), actor) as ws, ws.operation("create_incident") as op:
                op.add(
                    Incident,
                    name=incident_name,
                    hazard=hazard,
                    start_date=start,
                    area_description=area_description,
                    reference_prefix=reference_prefix or derive_prefix(incident_name),
                )
            database.set_wal(tmp)
        return cls.open(path, actor=actor)

    @classmethod
    def open(cls, path: Path, *, actor: str = "", upgrade: bool = True,
             progress: Callable[[str], None] | None = None) -> Workspace:
        """Open an existing workspace; refuse bad or too-new files without touching them.
        ``progress`` is told (one line, the user's language) before a schema upgrade, which
        takes minutes for a large workspace (the CLI prints it)."""
        if is_server_url(path):
            from recovery_desk.services import server_workspace

            return server_workspace.open(cls, workspace_location(path), actor=actor, upgrade=upgrade)
        path = Path(path)
        inspection = database.inspect_file(path)
        if inspection.state in (database.FileState.MISSING, database.FileState.EMPTY):
            raise WorkspaceError("{path}: no workspace here (create one with 'init' or 'demo')", path=path)
        backup = None
        if inspection.state is database.FileState.OLDER:
            if not upgrade:
                raise WorkspaceError("{path} needs a schema upgrade", path=path)
            if inspection.read_only:
                raise WorkspaceError("{path} needs a schema upgrade but is read-only; copy it to a writable folder "
                                     "and open it there", path=path)
            if progress is not None:
                from recovery_desk.i18n import tr

                progress(tr("Upgrading {path} to this version's schema (a copy of it is kept beside it first); "
                            "a large workspace takes minutes…", path=path))
            # Refused while another program (an older app) has the file open; see docs/concurrency.md.
            backup = database.upgrade_alone(path, str(inspection.revision))
        engine = database.make_engine(path, read_only=inspection.read_only, create=False)
        try:
            if not inspection.read_only and inspection.application_id != database.APPLICATION_ID:
                database.set_application_id(engine)  # a workspace made before the mark existed
            ws = cls(path, engine, actor)
            ws.read_only = inspection.read_only
            if not inspection.read_only:
                from recovery_desk.services.erasure import forget_if_pending

                forget_if_pending(ws)  # an erasure killed before the file forgot its values
        except Exception:
            engine.dispose()
            raise
        ws.backup_made = backup
        return ws

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- access ----------------------------------------------------------------------------
    @property
    def replica_id(self) -> str:
        """This laptop's replica id, as the file holds it now. Read, never remembered: a copied
        file takes a new one in its first write (services/sync/identity.py), whoever writes."""
        with self.session() as s:
            return s.scalars(select(WorkspaceInfo.value).where(WorkspaceInfo.key == "replica_id")).one()

    def session(self) -> Session:
        """A session for reading (objects stay usable after commit)."""
        return self._sessions()

    @contextmanager
    def operation(self, name: str) -> Iterator[Operation]:
        """One user action = one transaction = one group of audit records."""
        with self._sessions() as session, session.begin():
            # The replica id is settled inside the operation's own transaction, before anything
            # is written under it (Operation.finish): a copy takes its own id there.
            op = Operation(session, actor=self.actor, replica_id="", name=name, actor_id=self.person_id)
            yield op
            if self.dialect == "postgresql":  # other clients hear of it when it commits
                from recovery_desk.services.server_changes import notify

                op.before_log = lambda changes: notify(session, changes, self.instance_id)
            op.finish()

    def default_incident(self, session: Session) -> Incident:
        incident = session.scalars(
            select(Incident).where(Incident.deleted_at.is_(None)).order_by(Incident.created_at)
        ).first()
        if incident is None:
            raise WorkspaceError("{path} has no incident", path=self.path)
        return incident


def claim_new_path(path: Path) -> None:
    """Refuse a path holding a workspace (or anything else); a zero-byte file a killed run of
    an older version left — with its journal — is cleared for the new file."""
    inspection = database.inspect_file(path)
    if inspection.state is database.FileState.MISSING:
        files.set_aside_orphans(path)
    elif inspection.state is not database.FileState.EMPTY:
        raise WorkspaceError("{path} already exists; choose another file name", path=path)


def build_empty(path: Path) -> None:
    """The schema, the replica id and the application id in a new (temporary) file."""
    engine = database.make_engine(path, create=True)
    try:
        database.upgrade(engine)
        database.set_application_id(engine)
        with Session(engine) as s, s.begin():
            s.add_all([
                WorkspaceInfo(key="replica_id", value=new_id()),
                WorkspaceInfo(key="created_at", value=utcnow().isoformat()),
            ])
    finally:
        engine.dispose()


def derive_prefix(name: str) -> str:
    """A case-reference prefix from an incident name: ASCII letters, or 'CASE'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    letters = re.sub(r"[^A-Za-z]", "", ascii_name.split()[0] if ascii_name.split() else "")
    return letters[:10].upper() or "CASE"
