"""Inbound deliveries keep the channel's own order (a Telegram update_id), so that the messages
of one chat are handled in order even when two gateway replicas receive them, and whether they
can be asked again when the replica handling them died.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as table:
        table.add_column(sa.Column("ordinal", sa.BigInteger, nullable=True))
        table.add_column(
            sa.Column("replayable", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_index("ix_deliveries_sender_id", "deliveries", ["sender_id"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_sender_id", "deliveries")
    with op.batch_alter_table("deliveries") as table:
        table.drop_column("replayable")
        table.drop_column("ordinal")
