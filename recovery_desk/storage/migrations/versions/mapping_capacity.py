"""task: a covering index of the tasks that hold a need; task parts: indexes by time touched

Revision ID: mapping_capacity
Revises: field_identity
Create Date: 2026-12-01 20:40:00

Capacity left is an organisation's capacity for a need minus the open cases on which it
leads an open task of that need. ``match`` and ``gaps`` count those per organisation and
category; this partial index holds exactly the open, live, unarchived tasks with a lead,
with every column those counts and the stale-claim test read, so they never touch the
table (60,000 cases: the full count reads ~150,000 index entries instead of the rows).

The stale-claim test (a claim nobody touched, its checklist, comments and hand-overs
included) asks which tasks had a part changed since a time: (updated_at, task_id) indexes
answer it with a range instead of a scan of each table.
"""

import sqlalchemy as sa
from alembic import op

revision = 'mapping_capacity'
down_revision = 'field_identity'
branch_labels = None
depends_on = None

HOLDING = ("deleted_at IS NULL AND archived_at IS NULL AND status NOT IN ('done', 'cancelled')"
           " AND lead_org_id IS NOT NULL")
COLUMNS = ['lead_org_id', 'need_category', 'case_id', 'status', 'claimed_at', 'updated_at', 'deleted_at',
           'archived_at']


TOUCHED = ('checklist_item', 'comment', 'task_handover')


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_holding', COLUMNS, unique=False, sqlite_where=sa.text(HOLDING),
                              postgresql_where=sa.text(HOLDING))
    for table in TOUCHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_touched', ['updated_at', 'task_id'], unique=False)


def downgrade() -> None:
    for table in TOUCHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_touched')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_holding')
