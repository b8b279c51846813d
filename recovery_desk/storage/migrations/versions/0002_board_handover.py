"""board: task hand-overs and board settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 02:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('task_handover',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('from_org_id', sa.String(length=36), nullable=True),
    sa.Column('to_org_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['from_org_id'], ['organisation.id'], name=op.f('fk_task_handover_from_org_id_organisation')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_task_handover_task_id_task')),
    sa.ForeignKeyConstraint(['to_org_id'], ['organisation.id'], name=op.f('fk_task_handover_to_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_handover'))
    )
    with op.batch_alter_table('task_handover', schema=None) as batch_op:
        batch_op.create_index('ix_task_handover_task_state', ['task_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_handover_task_id'), ['task_id'], unique=False)

    op.create_table('board_setting',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('lane', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_setting'))
    )
    with op.batch_alter_table('board_setting', schema=None) as batch_op:
        batch_op.create_index('ix_board_setting_key', ['key', 'status', 'lane'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('board_setting', schema=None) as batch_op:
        batch_op.drop_index('ix_board_setting_key')

    op.drop_table('board_setting')
    with op.batch_alter_table('task_handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_handover_task_id'))
        batch_op.drop_index('ix_task_handover_task_state')

    op.drop_table('task_handover')
