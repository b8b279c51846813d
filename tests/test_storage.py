"""Workspace files: SQLite settings, bad files refused untouched, upgrades with a backup."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from recovery_desk.domain.errors import WorkspaceError
from recovery_desk.services import cases
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage import database


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sqlite_is_configured_on_every_connection(workspace):
    with workspace.session() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == database.BUSY_TIMEOUT_MS
        assert s.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_create_refuses_to_overwrite(workspace):
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(workspace.path, incident_name="again")


def make_too_new(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()


def make_truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def make_not_sqlite(path: Path) -> None:
    path.write_text("氏名,住所\n山田,七尾市\n", encoding="utf-8")


def make_foreign_sqlite(path: Path) -> None:
    path.unlink()
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [(make_too_new, "newer version"), (make_truncated, "damaged"), (make_not_sqlite, "not an SQLite file"),
     (make_foreign_sqlite, "not a Recovery Desk workspace")],
)
def test_bad_files_are_refused_and_left_byte_for_byte(tmp_path, spoil, reason):
    path = tmp_path / "w.rdesk"
    with Workspace.create(path, incident_name="x") as ws:
        for _ in range(30):
            cases.create_case(ws, notes="x" * 2000)  # enough pages that halving truncates data
    spoil(path)
    before = digest(path)
    with pytest.raises(WorkspaceError, match=reason):
        Workspace.open(path)
    assert digest(path) == before
    assert not list(tmp_path.glob("*.bak"))


def test_an_older_workspace_is_upgraded_after_a_backup_beside_it(tmp_path):
    path = tmp_path / "old.rdesk"
    engine = database.make_engine(path)
    cfg = database.alembic_config()
    with engine.begin() as connection:  # a workspace as the first schema made it
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
        connection.execute(text("INSERT INTO workspace_info VALUES ('replica_id', 'r-1')"))
        connection.execute(text(
            "INSERT INTO incident (id, name, hazard, start_date, area_description, reference_prefix, "
            "description, created_at, updated_at, row_version) VALUES ('i-1', 'Old quake', 'EQ', '2024-01-01', "
            "'', 'OLD', '', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1)"))
    engine.dispose()
    old_digest = digest(path)
    if database.head_revision() == "0001":
        pytest.skip("only one schema revision exists so far")  # pragma: no cover
    ws = Workspace.open(path)
    try:
        assert ws.backup_made is not None and ws.backup_made.parent == tmp_path
        assert digest(ws.backup_made) == old_digest or database.inspect_file(ws.backup_made).revision == "0001"
        assert database.current_revision(ws.engine) == database.head_revision()
        case_id = cases.create_case(ws, opened_on=date(2024, 1, 5)).primary_id
        with ws.session() as s:
            assert s.execute(text("SELECT reference FROM \"case\" WHERE id = :id"), {"id": case_id}).scalar() == "OLD-0001"
    finally:
        ws.close()


def test_migrations_build_exactly_the_models(tmp_path):
    """The schema made by the migrations is the schema the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from recovery_desk.storage.models import Base

    with Workspace.create(tmp_path / "w.rdesk", incident_name="x") as ws, ws.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_backup_file_copies_a_consistent_workspace(workspace, tmp_path):
    cases.create_case(workspace, contact_name="copy me")
    copy = database.backup_file(workspace.path, tmp_path / "copy" / "b.rdesk")
    with Workspace.open(copy) as ws, ws.session() as s:
        assert s.execute(text('SELECT contact_name FROM "case"')).scalar() == "copy me"


def test_a_demo_file_filled_without_wal_is_in_wal_mode_once_opened(tmp_path):
    from recovery_desk.services.demo import create_demo

    path = tmp_path / "demo.rdesk"
    create_demo(path, cases=5, seed=1, as_of=date(2024, 3, 1))
    assert not list(tmp_path.glob("*-journal"))
    with Workspace.open(path) as ws, ws.session() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text('SELECT count(*) FROM "case"')).scalar() == 5
