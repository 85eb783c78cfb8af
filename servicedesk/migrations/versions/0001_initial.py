"""Users, knowledge-base searches, inbound deliveries, issued buttons.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("channel", "external_id"),
    )
    op.create_table(
        "search_queries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("results", sa.JSON, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", TIMESTAMP, nullable=False, index=True),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("delivery_key", sa.String(100), nullable=False),
        sa.Column("sender_id", sa.String(220), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("channel", "delivery_key"),
    )
    op.create_table(
        "issued_buttons",
        sa.Column("token", sa.String(32), primary_key=True),
        sa.Column("sender_id", sa.String(220), nullable=False, index=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
    )


def downgrade() -> None:
    for table in ("issued_buttons", "deliveries", "search_queries", "users"):
        op.drop_table(table)
