"""pairing_runs: generated schedules survive a restart

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pairing_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pairing_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairing_runs_event_id'), ['event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pairing_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_runs_event_id'))
    op.drop_table('pairing_runs')
