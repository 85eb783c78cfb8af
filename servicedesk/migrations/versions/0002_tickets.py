"""Tickets, their events, ratings, and the outbox of proactive messages.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer, nullable=True, unique=True),
        sa.Column(
            "requester_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True
        ),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("category", sa.String(64), nullable=False, index=True),
        sa.Column("category_confidence", sa.Double, nullable=False),
        sa.Column("needs_triage", sa.Boolean, nullable=False),
        sa.Column("priority", sa.String(16), nullable=False, index=True),
        sa.Column("priority_cue", sa.String(100), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("assignee", sa.String(220), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("search_id", sa.Integer, sa.ForeignKey("search_queries.id"), nullable=True),
        sa.Column("suggested_articles", sa.JSON, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("resolution_note", sa.Text, nullable=True),
        sa.Column("filing_key", sa.String(120), nullable=False, unique=True),
        sa.Column("created_at", TIMESTAMP, nullable=False, index=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
    )
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False, index=True
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(220), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False, unique=True
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("stars", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="ck_ratings_stars"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("idempotency_key", sa.String(120), nullable=False, unique=True),
        sa.Column("channel", sa.String(16), nullable=False, index=True),
        sa.Column("recipient", sa.String(220), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False, index=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
    )


def downgrade() -> None:
    for table in ("outbox", "ratings", "ticket_events", "tickets"):
        op.drop_table(table)
