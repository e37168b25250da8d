"""HTTP API: api_keys, introduction_requests, feedback

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('member_id', sa.String(length=100), nullable=True),
    sa.Column('event', sa.String(length=200), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    op.create_table('introduction_requests',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('from_id', sa.String(length=100), nullable=False),
    sa.Column('to_id', sa.String(length=100), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['from_id'], ['members.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_id'], ['members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('introduction_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_introduction_requests_from_id'), ['from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introduction_requests_to_id'), ['to_id'], unique=False)
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('member_id', sa.String(length=100), nullable=False),
    sa.Column('other_id', sa.String(length=100), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('led_to_business', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_id'], ['members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_other_id'), ['other_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_other_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_member_id'))
    op.drop_table('feedback')
    with op.batch_alter_table('introduction_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_introduction_requests_to_id'))
        batch_op.drop_index(batch_op.f('ix_introduction_requests_from_id'))
    op.drop_table('introduction_requests')
    op.drop_table('api_keys')
