"""case: the live cases in reference order, as an index (the cases view's default sort)

Revision ID: case_sequence_index
Revises: mapping_speed
Create Date: 2026-12-02 03:10:00

The cases view asks for its first screen as ``… WHERE deleted_at IS NULL ORDER BY sequence
LIMIT 150`` and then for every id in that order. Without an index on ``sequence`` both sort all
60,000 cases: on a server the first screen took a parallel scan and a top-N sort (~75 ms under
load); with this index both are index-only scans (0.2 ms and 20 ms). Both engines get it.
"""

import sqlalchemy as sa
from alembic import op

revision = 'case_sequence_index'
down_revision = 'mapping_speed'
branch_labels = None
depends_on = None

LIVE = "deleted_at IS NULL"


def upgrade() -> None:
    op.create_index('ix_case_live_sequence', 'case', ['sequence', 'id'], unique=False,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_index('ix_case_live_sequence', table_name='case')
