"""A laptop and a server workspace meet: ``sync push|pull --server``, and moving a workspace
between a file and a server.

Nothing here merges anything: a server workspace is one more replica of the incident, and
every exchange is a change bundle made by services/sync's ``collect_changes`` and applied by
its ``apply_bundle`` — the same merge rules, conflicts, peer records and refusals as bundles
carried on USB sticks; over the live connection it is neither encrypted nor written, and holds
exactly what the other side lacks (its version vector, read there).

- **push**: what the server lacks of the laptop's log is applied to the server in one transaction;
- **pull**: the other way round, into the laptop's file;
- a deadlock or serialization failure aborts such a transaction whole (nothing half-applied); it
  is then done again from the start, after reading again what the other side lacks
  (storage/retry.py), a few times before the failure is reported;
- **copy a file onto a server** (``server copy-to-server``): an empty database becomes a
  workspace and reads everything the file holds; it is a replica of its own (its own id,
  references with its own code), so the laptop can go on working and synchronise with it;
- **write a server workspace out as a file** (``server copy-to-file``): a new laptop joins
  from everything the server holds (``join``, through a bundle file in a private temporary
  folder under a random passphrase), knowing the server as a peer.

Only a coordinator (or the database's owner) may exchange with a laptop: a laptop's file holds
every case and all personal data, which a member's or viewer's role may not read.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.storage.engines import ServerUrl, is_server_url, workspace_location
from recovery_desk.storage.retry import retrying


@dataclass
class SyncResult:
    """What one meeting of a laptop and the server did (either summary may be None)."""

    server: str
    pushed: Any = None  # services.sync.apply.Summary of what the server read
    pulled: Any = None  # … and of what the laptop read


def _server_of(value: str | ServerUrl) -> ServerUrl:
    location = workspace_location(value)
    if not isinstance(location, ServerUrl):
        raise WorkspaceError("{url} is not a PostgreSQL URL (postgresql://USER@HOST/DATABASE)", url=value)
    return location


def _check_may_exchange(server_ws: Any) -> None:
    from recovery_desk.services.server_admin import role_of

    with server_ws.session() as session:
        kind, _organisation = role_of(session)
    if kind in ("member", "viewer"):
        raise WorkspaceError("only a coordinator may synchronise a laptop with the server: a laptop's file holds "
                             "every case and all personal data ({actor} signed in as a {kind})",
                             actor=server_ws.actor, kind=kind)


def _identity(ws: Any) -> dict[str, str]:
    from recovery_desk.services.sync.identity import identity

    with ws.engine.connect() as conn:
        return identity(conn)


def _settled(ws: Any) -> dict[str, str]:
    """The workspace's sync identity, given to it first if it never wrote since it got a log."""
    from recovery_desk.services.sync.identity import settle

    info = _identity(ws)
    if not info["workspace_id"]:
        def settle_once() -> None:
            with ws.session() as session, session.begin():
                settle(session.connection())

        retrying(settle_once)
        info = _identity(ws)
    return info


def _check_same_workspace(laptop: Any, server: Any) -> None:
    mine, theirs = _settled(laptop), _settled(server)
    if mine["workspace_id"] != theirs["workspace_id"]:
        raise WorkspaceError("{server} holds another workspace than {path} (not the same incident's exchanges); "
                             "nothing was exchanged", server=server.path, path=laptop.path)


@contextmanager
def _private_bundle() -> Iterator[tuple[Path, str]]:
    with tempfile.TemporaryDirectory(prefix="rd-exchange-") as folder:  # mode 0700: ours only
        yield Path(folder) / "exchange.rdsync", secrets.token_urlsafe(24)


def transfer(source: Any, target: Any, *, everything: bool = False, progress: Any = None) -> Any:
    """What ``target`` lacks of ``source``'s changes — exactly, by its version vector read over
    the live connection — applied to ``target`` in one transaction (a refusal writes nothing):
    sync's ``collect_changes`` and ``apply_bundle``. Returns the import's Summary.

    A transaction the server aborted (a deadlock, a serialization failure) is done again from
    reading the version vector: what the target lacks is whatever it lacks then."""
    from recovery_desk.services.sync.changelog import version_vector
    from recovery_desk.services.sync.exchange import apply_bundle, collect_changes

    def once() -> Any:
        if everything:
            since: dict[str, int] = {}
        else:
            with target.engine.connect() as conn:
                since = version_vector(conn)
        return apply_bundle(target, collect_changes(source, since), source.path, progress=progress)

    return retrying(once)


def synchronise(laptop: Any, server_url: str | ServerUrl, *, push: bool = True, pull: bool = True,
                progress: Any = None) -> SyncResult:
    """The laptop's workspace (a file) and the server's exchange what the other lacks."""
    from recovery_desk.services.workspace import Workspace

    if is_server_url(laptop.path):
        raise WorkspaceError("{path} is a server workspace; sync push/pull --server is run on a laptop's file",
                             path=laptop.path)
    url = _server_of(server_url)
    result = SyncResult(server=url.url)
    with Workspace.open(url) as server:
        _check_may_exchange(server)
        _check_same_workspace(laptop, server)
        if push:
            result.pushed = transfer(laptop, server, progress=progress)
        if pull:
            result.pulled = transfer(server, laptop, progress=progress)
    return result


# -- moving a workspace between a file and a server -----------------------------------------------
def copy_to_server(source: Any, server_url: str | ServerUrl, *, actor: str = "", progress: Any = None) -> Any:
    """An empty server database becomes a workspace holding everything the open workspace file
    ``source`` holds; the server is a replica of its own. A failure leaves the database empty.
    Returns the Summary of what the server read."""
    from recovery_desk.services import server_workspace
    from recovery_desk.services.sync.changelog import set_info
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage import postgres

    if is_server_url(source.path):
        raise WorkspaceError("{path} is a server workspace; copy-to-server is run on a workspace file",
                             path=source.path)
    url = _server_of(server_url)
    info = _settled(source)
    engine = server_workspace.build_empty(url)
    try:
        with engine.begin() as conn:
            for key, value in (("workspace_id", info["workspace_id"]), ("home_replica", info["home_replica"]),
                               ("joined_from", info["replica_id"])):
                set_info(conn, key, value)
        target = Workspace(url, engine, actor)
        return transfer(source, target, everything=True, progress=progress)
    except BaseException:
        postgres.drop_workspace_tables(engine)
        raise
    finally:
        engine.dispose()


def copy_to_file(server_url: str | ServerUrl, file_path: Path, *, actor: str = "") -> Any:
    """A new workspace file (refuses an existing one) joined from everything the server holds,
    for a field team leaving the network: it is a laptop of its own that knows the server, so
    ``sync push|pull --server`` brings its work back later. Returns the open Workspace."""
    from recovery_desk.services.sync.exchange import export_bundle, join_workspace
    from recovery_desk.services.workspace import Workspace

    url = _server_of(server_url)
    file_path = Path(file_path)
    if file_path.exists():
        raise WorkspaceError("{path} already exists; write the server workspace into a new file", path=file_path)
    with _private_bundle() as (bundle, secret):
        with Workspace.open(url) as server:
            _check_may_exchange(server)
            _settled(server)
            export_bundle(server, bundle, secret, everything=True)
        return join_workspace(file_path, bundle, secret, actor=actor)
