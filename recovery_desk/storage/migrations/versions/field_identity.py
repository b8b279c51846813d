"""identity, vulnerability and disclosures: activity.actor_id, case.vulnerable_categories, disclosure

Revision ID: field_identity
Revises: 0003
Create Date: 2026-12-01 20:40:00

- ``activity.actor_id``: the Person who acted, beside the display name in ``actor``.
- ``case.vulnerable_categories``: coded 要配慮者 categories beside the free text.
- ``disclosure``: every report, export or visit sheet that included personal data.

Plain ADD COLUMN (no table copy): instant on a 60,000-case workspace.
"""

import sqlalchemy as sa
from alembic import op

revision = 'field_identity'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('activity', sa.Column('actor_id', sa.String(length=36), nullable=True))
    op.add_column('case', sa.Column('vulnerable_categories', sa.String(length=300), nullable=False,
                                    server_default=''))
    op.create_table(
        'disclosure',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('actor_id', sa.String(length=36), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('households', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure')),
    )


def downgrade() -> None:
    op.drop_table('disclosure')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('vulnerable_categories')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('actor_id')
