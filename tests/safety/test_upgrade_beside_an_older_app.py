"""A newer app upgrading the schema of a workspace an older app still has open: the upgrade
refuses (after the busy timeout, saying why) and changes nothing; an app whose workspace was
upgraded under it anyway says so instead of failing with an SQL error."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.services import organisations
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage import database
from recovery_desk.storage.failures import known_error


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def older_workspace(path: Path) -> Path:
    """A workspace as the first schema made it (what an older version of the app has open)."""
    engine = database.make_engine(path)
    cfg = database.alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
        connection.execute(text("INSERT INTO workspace_info VALUES ('replica_id', 'r-1')"))
    engine.dispose()
    return path


def test_the_upgrade_waits_then_refuses_while_another_connection_has_the_workspace_open(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    path = older_workspace(tmp_path / "old.rdesk")
    before = digest(path)
    older_app = sqlite3.connect(path)  # open and idle, as an app between two edits (WAL: a shared lock)
    try:
        assert older_app.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        with pytest.raises(WorkspaceError) as refused:
            Workspace.open(path)
        assert "must be upgraded" in refused.value.message("en") and "open" in refused.value.message("en")
        assert "スキーマ" in refused.value.message("ja")
        assert older_app.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    finally:
        older_app.close()
    assert digest(path) == before
    assert not list(tmp_path.glob("*.bak")), "no copy is made for an upgrade that did not happen"
    with Workspace.open(path) as ws:  # the older app closed: now it upgrades, keeping a copy
        assert database.current_revision(ws.engine) == database.head_revision()
        assert ws.backup_made is not None and database.inspect_file(ws.backup_made).revision == "0001"


def test_nobody_can_open_the_workspace_half_upgraded(tmp_path, monkeypatch):
    """The upgrade holds the file for itself from its copy to its last migration."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    path = older_workspace(tmp_path / "old.rdesk")
    seen: list[str] = []
    real_upgrade = database.upgrade

    def upgrade_while_someone_knocks(engine) -> None:
        real_upgrade(engine)
        probe = sqlite3.connect(path, timeout=0.2)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
            seen.append("read while upgrading")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            probe.close()

    monkeypatch.setattr(database, "upgrade", upgrade_while_someone_knocks)
    Workspace.open(path).close()
    assert seen == ["database is locked"]


def test_an_app_whose_workspace_was_upgraded_under_it_says_so(tmp_path):
    with Workspace.create(tmp_path / "w.rdesk", incident_name="Noto", reference_prefix="NOTO") as ws:
        organisations.create_organisation(ws, name="七尾市社会福祉協議会")
        newer = sqlite3.connect(ws.path, isolation_level=None)  # a newer version's upgrade, beside it
        try:
            newer.execute("ALTER TABLE organisation RENAME TO organisation_next")
            newer.execute("UPDATE alembic_version SET version_num = 'zz_from_the_future'")
        finally:
            newer.close()
        with pytest.raises(Exception) as failed:
            organisations.create_organisation(ws, name="のと復興ボランティア")
        known = known_error(failed.value, ws.path)
        assert known is not None, failed.value
        assert re.search(r"upgraded by a newer version of Recovery Desk \(schema zz_from_the_future\)",
                         known.message("en")), known.message("en")
        assert "新しいバージョン" in known.message("ja")


def test_the_cli_says_before_an_upgrade_that_it_upgrades(tmp_path):
    from tests.safety.helpers import run_here

    path = older_workspace(tmp_path / "old.rdesk")
    done = run_here("--workspace", str(path), "stats")  # (check reports an older schema; stats opens it)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"recovery-desk: Upgrading {path} to this version's schema (a copy of it "
                                        "is kept beside it first); a large workspace takes minutes…"]
    assert run_here("--workspace", str(path), "stats").stderr == ""  # once upgraded, nothing more to say
