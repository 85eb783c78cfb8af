"""SQLAlchemy 2 models. Every schema change goes through an Alembic migration."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True)}


class SearchOutcome(StrEnum):
    """What became of one knowledge-base search."""

    PENDING = "pending"
    HELPED = "helped"
    NEEDS_TICKET = "needs_ticket"
    NO_ANSWER = "no_answer"
    ABANDONED = "abandoned"


class User(Base):
    """An employee as one channel knows them."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    searches: Mapped[list["SearchQuery"]] = relationship(back_populates="user")


class SearchQuery(Base):
    """One knowledge-base search and what came of it."""

    __tablename__ = "search_queries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    results: Mapped[list[dict]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(16), default=SearchOutcome.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(back_populates="searches")


class Delivery(Base):
    """An inbound delivery (a Telegram update, a web chat post) and whether it was handled.

    The unique key makes a duplicated delivery a no-op; a message that could not be handled
    (the conversation core was down) stays here with its text, so nothing is lost.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("channel", "delivery_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    delivery_key: Mapped[str] = mapped_column(String(100))
    sender_id: Mapped[str] = mapped_column(String(220))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class IssuedButton(Base):
    """A button the bot showed: its short token stands for a payload of any length."""

    __tablename__ = "issued_buttons"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(220), index=True)
    payload: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    message_ref: Mapped[int | None] = mapped_column(Integer, default=None)
