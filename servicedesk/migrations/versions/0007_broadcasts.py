"""Broadcasts, badges, and employees' departments and mute switch.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("department", sa.String(100), nullable=True))
        users.add_column(sa.Column("muted", sa.Boolean, nullable=False, server_default=sa.false()))
        users.create_index("ix_users_department", ["department"])
    op.create_table(
        "badges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("contest_id", sa.Integer, sa.ForeignKey("contests.id"), nullable=False),
        sa.Column(
            "nomination_id", sa.Integer, sa.ForeignKey("contest_nominations.id"), nullable=False
        ),
        sa.Column("place", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("nomination_id", "place"),
    )
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("department", sa.String(100), nullable=True),
        sa.Column("recipients", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("broadcasts")
    op.drop_table("badges")
    with op.batch_alter_table("users") as users:
        users.drop_index("ix_users_department")
        users.drop_column("muted")
        users.drop_column("department")
