"""Self-service contests, their nominations, and disqualifications.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", TIMESTAMP, nullable=False),
        sa.Column("ends_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("announced_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "contest_nominations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "contest_id", sa.Integer, sa.ForeignKey("contests.id"), nullable=False, index=True
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("weights", sa.JSON, nullable=False),
    )
    op.create_table(
        "contest_disqualifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "contest_id", sa.Integer, sa.ForeignKey("contests.id"), nullable=False, index=True
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("contest_id", "user_id"),
    )


def downgrade() -> None:
    for table in ("contest_disqualifications", "contest_nominations", "contests"):
        op.drop_table(table)
