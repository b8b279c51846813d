"""Migration 0002 (board tables) upgrades a workspace made at 0001 and keeps its data."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select

from recovery_desk.services import board, tasks
from recovery_desk.services.cases import create_case
from recovery_desk.services.organisations import create_organisation
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage import database
from recovery_desk.storage.board_models import TaskHandover


def test_workspace_made_at_0001_opens_with_board_tables(tmp_path):
    path = tmp_path / "old.rdesk"
    engine = database.make_engine(path)
    cfg = database.alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO workspace_info (key, value) VALUES ('replica_id', 'r-1')")
        connection.exec_driver_sql(
            "INSERT INTO organisation (id, created_at, updated_at, row_version, name, acronym, ownership, profit,"
            " formality, sector, org_type, legal_form, phone, email, address, website, notes) VALUES"
            " ('o-1', '2024-01-01', '2024-01-01', 1, 'Old org', '', 'private', 'nonprofit', 'formal',"
            " 'third_sector', 'npo', '', '', '', '', '', '')")
    engine.dispose()
    assert database.inspect_file(path).state is database.FileState.OLDER

    with Workspace.open(path, actor="t") as ws:
        assert ws.backup_made is not None and ws.backup_made.exists()
        assert {"task_handover", "board_setting"} <= set(inspect(ws.engine).get_table_names())
        with ws.operation("create_incident") as op:
            from recovery_desk.storage.models import Incident

            op.add(Incident, name="Old quake", hazard="EQ", start_date=__import__("datetime").date(2024, 1, 1),
                   reference_prefix="OLD")
        case_id = create_case(ws).primary_id
        task_id = tasks.create_task(ws, case_id, title="Old task").primary_id
        board.claim_task(ws, task_id, "o-1")
        other = create_organisation(ws, name="New org").primary_id
        board.request_handover(ws, task_id, other)
        with ws.session() as s:
            assert [h.kind for h in s.scalars(select(TaskHandover).order_by(TaskHandover.created_at))] == \
                ["claim", "request"]
    assert database.inspect_file(path).state is database.FileState.CURRENT
