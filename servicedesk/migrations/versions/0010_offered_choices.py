"""The numbered choices offered on XMPP, kept in the database instead of one process's memory.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offered_choices",
        sa.Column("sender_id", sa.String(220), primary_key=True),
        sa.Column("buttons", sa.JSON, nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("offered_choices")
