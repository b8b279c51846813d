"""audit: an index for the batch records of rows created in bulk; need: one index fewer

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 04:00:00

Imports and demo data record one ``create_many`` activity per batch instead of one per
row; a row created in bulk finds its record by time through this (small, partial) index.
Existing per-row records stay as they are: both forms are read.

need: the plain (category, state) index goes; every query of needs by category or state
reads live rows, which the partial covering index ix_need_filter serves.
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_bulk', ['at'], unique=False,
                              sqlite_where=sa.text("action = 'create_many'"), postgresql_where=sa.text("action = 'create_many'"))
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_index('ix_need_category_state')


def downgrade() -> None:
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.create_index('ix_need_category_state', ['category', 'state'], unique=False)
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_bulk', sqlite_where=sa.text("action = 'create_many'"), postgresql_where=sa.text("action = 'create_many'"))
