"""case, need, participation, task: covering partial indexes for resource mapping

Revision ID: mapping_speed
Revises: sync_log
Create Date: 2026-12-01 23:50:00

``match`` and ``gaps`` (services/matching.py, gaps.py) count, per area and need, the open
cases, their unmet needs, the sectors taking part in each and what each organisation holds.
Without these indexes each of those counts looked every row up in the (wide) case table:
60,000 cases took seconds. Each index carries every column its query reads, and each
partial index's condition is the one the query repeats (SQLite uses a partial index only
then); both engines get the same indexes.
"""

import sqlalchemy as sa
from alembic import op

revision = 'mapping_speed'
down_revision = 'sync_log'
branch_labels = None
depends_on = None

OPEN_CASES = "deleted_at IS NULL AND stage NOT IN ('closed', 'transferred')"
NOT_OPEN_CASES = "stage IN ('closed', 'transferred') OR deleted_at IS NOT NULL"
UNMET_NEEDS = "state = 'unmet' AND deleted_at IS NULL"
HOLDING = ("deleted_at IS NULL AND archived_at IS NULL AND status NOT IN ('done', 'cancelled')"
           " AND lead_org_id IS NOT NULL")

INDEXES = (
    ('case', 'ix_case_open', ['area_id', 'id', 'reference', 'stage', 'deleted_at'], OPEN_CASES),
    ('case', 'ix_case_not_open', ['id', 'stage', 'deleted_at'], NOT_OPEN_CASES),
    ('need', 'ix_need_unmet', ['case_id', 'category', 'state', 'deleted_at'], UNMET_NEEDS),
    ('participation', 'ix_participation_sectors', ['case_id', 'organisation_id', 'deleted_at'], "deleted_at IS NULL"),
    ('task', 'ix_task_holding_case', ['case_id', 'lead_org_id', 'need_category', 'status', 'deleted_at', 'archived_at'],
     HOLDING),
    ('task', 'ix_task_claim', ['lead_org_id', 'claimed_at', 'updated_at', 'id', 'status', 'deleted_at', 'archived_at'],
     HOLDING + " AND claimed_at IS NOT NULL"),
)


def upgrade() -> None:
    for table, name, columns, condition in INDEXES:
        op.create_index(name, table, columns, unique=False, sqlite_where=sa.text(condition),
                        postgresql_where=sa.text(condition))


def downgrade() -> None:
    for table, name, _columns, _condition in reversed(INDEXES):
        op.drop_index(name, table_name=table)
