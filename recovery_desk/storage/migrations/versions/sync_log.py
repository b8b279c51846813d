"""sync: the replicable change log, per-field heads, peers, case aliases

Revision ID: sync_log
Revises: mapping_capacity
Create Date: 2026-12-01 21:00:00

An upgraded workspace puts what it already holds into the log, so that it replicates: one
``bulk`` change per table listing every row (their values are read from the rows when a
bundle is written), a ``deleted_at`` change for each tombstone, and one ``history`` change
standing for the audit trail so far (other laptops receive those records as they are).
"""

import json
import time

import sqlalchemy as sa
from alembic import op

revision = 'sync_log'
down_revision = 'mapping_capacity'
branch_labels = None
depends_on = None

# Tables in the order their foreign keys need (parents first).
ENTITY_TABLES = ("incident", "area", "organisation", "person", "case", "need", "capability", "service_area",
                 "membership", "participation", "task", "task_supporter", "task_dependency", "checklist_item",
                 "comment", "conference", "conference_attendee", "decision", "consent", "task_handover",
                 "board_setting")


def upgrade() -> None:
    op.create_table('sync_change',
    sa.Column('replica', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('operation', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=True),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('base', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('replica', 'seq', name=op.f('pk_sync_change')),
    sqlite_with_rowid=False,
    )
    op.create_table('sync_head',
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('replica', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('entity', 'row_id', 'field', 'replica', 'seq', name=op.f('pk_sync_head')),
    sqlite_with_rowid=False,
    )
    op.create_table('sync_peer',
    sa.Column('replica', sa.String(length=36), nullable=False),
    sa.Column('last_seen', sa.String(length=32), nullable=False),
    sa.Column('known', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('replica', name=op.f('pk_sync_peer'))
    )
    op.create_table('case_alias',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_alias_case_id_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_alias'))
    )
    with op.batch_alter_table('case_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_alias_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_alias_reference'), ['reference'], unique=False)
    _log_existing_rows(op.get_bind())


def _log_existing_rows(bind) -> None:
    """What the workspace holds becomes changes of its own replica (nothing on a new file)."""
    row = bind.exec_driver_sql("SELECT value FROM workspace_info WHERE key = 'replica_id'").fetchone()
    if row is None:
        return
    replica = row[0]
    import uuid

    # The workspace's identity in exchanges, and the laptop whose references stay plain.
    identity = [("workspace_id", str(uuid.uuid4())), ("home_replica", replica)]
    if bind.dialect.name == "sqlite":
        # Which file this is, from now: a copy of the upgraded file then takes an identity of its
        # own in its first write, even if the upgraded file itself was never written to.
        from pathlib import Path

        from recovery_desk.services.sync.identity import file_fingerprint

        path = next((row[2] for row in bind.exec_driver_sql("PRAGMA database_list") if row[1] == "main"), "")
        if path:
            identity.append(("file_fingerprint", file_fingerprint(Path(path))))
    # Bound parameters (sa.text) and ON CONFLICT: both engines understand them (a server too).
    for key, value in identity:
        bind.execute(sa.text("INSERT INTO workspace_info (key, value) VALUES (:key, :value) "
                             "ON CONFLICT (key) DO NOTHING"), {"key": key, "value": value})
    now_us = time.time_ns() // 1000
    hlc = (now_us // 1000) << 16
    changes = []

    def add(kind, entity, row_id="", field=None, value=None, base=None):
        changes.append((replica, len(changes) + 1, hlc, now_us, "", None, "upgrade", kind, entity, row_id, field, value,
                        base))

    tombstones = []
    # Insertion order on SQLite; a server has no rowid, and its ids are time-ordered (UUIDv7).
    order = "rowid" if bind.dialect.name == "sqlite" else "id"
    for table in ENTITY_TABLES:
        ids = [r[0] for r in bind.exec_driver_sql(f'SELECT id FROM "{table}" ORDER BY {order}')]
        if ids:
            add("bulk", table, value=json.dumps({"ids": ids}, separators=(",", ":")))
        tombstones += [(table, i, d) for i, d in bind.exec_driver_sql(
            f'SELECT id, deleted_at FROM "{table}" WHERE deleted_at IS NOT NULL')]
    heads = []
    for table, row_id, deleted_at in tombstones:
        value = json.dumps(str(deleted_at).replace(" ", "T"))
        add("update", table, row_id, "deleted_at", value, "c")
        heads.append((table, row_id, "deleted_at", replica, len(changes), hlc, value))
    span = bind.exec_driver_sql("SELECT min(id), max(id) FROM activity").fetchone()
    if span and span[0] is not None:
        add("history", "activity", value=json.dumps({"from": span[0], "to": span[1]}))
    change_columns = ("replica", "seq", "hlc", "at", "actor", "actor_id", "operation", "kind", "entity", "row_id",
                      "field", "value", "base")
    head_columns = ("entity", "row_id", "field", "replica", "seq", "hlc", "value")
    for table, columns, rows in (("sync_change", change_columns, changes), ("sync_head", head_columns, heads)):
        if rows:
            bind.execute(sa.text(f"INSERT INTO {table} ({', '.join(columns)}) "
                                 f"VALUES ({', '.join(':' + c for c in columns)})"),
                         [dict(zip(columns, row, strict=True)) for row in rows])


def downgrade() -> None:
    with op.batch_alter_table('case_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_alias_reference'))
        batch_op.drop_index(batch_op.f('ix_case_alias_case_id'))
    op.drop_table('case_alias')
    op.drop_table('sync_peer')
    op.drop_table('sync_head')
    op.drop_table('sync_change')
