"""A workspace of the previous version upgrades (backup first) and its history replicates."""

from __future__ import annotations

import re
import sqlite3
from datetime import date

from sqlalchemy import select

from recovery_desk.services import cases, tasks
from recovery_desk.services.sync.exchange import export_bundle, join_workspace
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage import database
from recovery_desk.storage.models import Activity
from tests.sync.conftest import PASSPHRASE, canonical_dump

# The schema before the change log (the migration `sync_log` comes after it).
PREVIOUS = re.search(r"^down_revision = '([^']+)'", (database.MIGRATIONS_DIR / "versions" / "sync_log.py").read_text(),
                     re.M).group(1)


def _previous_version(path):
    """A workspace as the version before the change log left it (no log)."""
    ws = Workspace.create(path, incident_name="Noto quake", start_date=date(2024, 1, 1), reference_prefix="NOTO",
                          actor="Old Version (Council)")
    first = cases.create_case(ws, contact_name="山田 太郎").primary_id
    second = cases.create_case(ws, contact_name="佐藤 花子").primary_id
    cases.update_case(ws, first, priority="urgent", notes="before the upgrade")
    tasks.create_task(ws, first, title="Mud removal")
    cases.delete_case(ws, second)
    ws.close()
    from alembic import command

    engine = database.make_engine(path)
    cfg = database.alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, PREVIOUS)
        # What the previous version kept about the file (the sync identity came with the log).
        connection.exec_driver_sql("DELETE FROM workspace_info WHERE key NOT IN ('replica_id', 'created_at')")
    engine.dispose()
    return first, second


def _audit(ws):
    with ws.engine.connect() as conn:
        return sorted(conn.exec_driver_sql("SELECT at, actor, entity, entity_id, action, field, old_value, new_value, "
                                           "case_id FROM activity").all())


def test_an_upgraded_workspace_replicates_its_rows_and_history(tmp_path):
    path = tmp_path / "old.rdesk"
    first, second = _previous_version(path)
    assert database.inspect_file(path).state is database.FileState.OLDER
    with Workspace.open(path, actor="New Version") as ws:
        assert ws.backup_made is not None and ws.backup_made.exists()
        with ws.engine.connect() as conn:
            kinds = [r[0] for r in conn.exec_driver_sql("SELECT kind FROM sync_change ORDER BY seq")]
        assert "bulk" in kinds and "history" in kinds and kinds.count("update") == 1  # the tombstone
        export_bundle(ws, tmp_path / "all.rdsync", PASSPHRASE, everything=True)
        joined = join_workspace(tmp_path / "new.rdesk", tmp_path / "all.rdsync", PASSPHRASE)
        assert canonical_dump(joined) == canonical_dump(ws)
        with joined.session() as s:
            history = s.execute(select(Activity.actor, Activity.field, Activity.new_value)
                                .where(Activity.entity_id == first)).all()
        assert ("Old Version (Council)", "notes", '"before the upgrade"') in history
        # The same audit trail on both: the upgrade's own changes add no records of their own
        # on the joined laptop (the case was not "deleted" a second time, by nobody, at the upgrade).
        assert _audit(joined) == _audit(ws)
        # References issued after the upgrade on the home laptop keep the old numbering.
        made = cases.create_case(ws, contact_name="new").primary_id
        assert cases.find_case(ws, "NOTO-0003").id == made
        joined.close()


def test_a_copy_of_an_upgraded_workspace_never_written_takes_its_own_identity(tmp_path):
    path = tmp_path / "old.rdesk"
    _previous_version(path)
    with Workspace.open(path, actor="New Version") as ws:  # upgraded; nothing written since
        original = ws.replica_id
    copy = database.backup_file(path, tmp_path / "copy.rdesk")
    with Workspace.open(copy, actor="Second laptop") as ws:
        cases.create_case(ws, contact_name="on the copy")
        with ws.engine.connect() as conn:
            replica = conn.exec_driver_sql("SELECT value FROM workspace_info WHERE key = 'replica_id'").scalar()
            made_by = conn.exec_driver_sql("SELECT replica FROM sync_change ORDER BY hlc DESC LIMIT 1").scalar()
    assert replica != original and made_by == replica


def test_an_identity_settled_in_a_write_that_was_rolled_back_is_settled_again(tmp_path):
    """Each write asks for the laptop's identity; a connection remembers it only once it is
    committed: settled (and asked again) in a transaction that then rolled back, it is written
    again by the next write on that connection."""
    from recovery_desk.services.sync.identity import settle

    path = tmp_path / "old.rdesk"
    _previous_version(path)
    Workspace.open(path).close()  # upgraded
    con = sqlite3.connect(path)
    con.execute("DELETE FROM workspace_info WHERE key = 'home_replica'")  # as an older file may lack it
    con.commit()
    con.close()
    with Workspace.open(path) as ws, ws.engine.connect() as conn:
        failed = conn.begin()
        settle(conn)  # writes home_replica
        settle(conn)  # the same transaction: finds it (not yet committed)
        failed.rollback()
        with conn.begin():
            settle(conn)
        with ws.engine.connect() as other:
            assert other.exec_driver_sql("SELECT value FROM workspace_info WHERE key = 'home_replica'").scalar()
