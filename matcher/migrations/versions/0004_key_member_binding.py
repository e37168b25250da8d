"""api_keys.member_since: a member key is bound to its member's row, not only to the id

Revision ID: 0004
Revises: 0003

Existing member keys are bound to the member row that holds their id now; a key whose member
is gone stays NULL and no longer works.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_since', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE api_keys SET member_since = "
        "(SELECT members.created_at FROM members WHERE members.id = api_keys.member_id) "
        "WHERE scope = 'member'"
    )


def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('member_since')
