"""SQLAlchemy 2 models. Every schema change goes through an Alembic migration."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive timestamps; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
    # The language they last wrote in; None until they have written (a user row made by an
    # admin, say), so that the messenger's own language setting decides until then.
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    display_name: Mapped[str | None] = mapped_column(String(200), default=None)
    department: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    muted: Mapped[bool] = mapped_column(default=False)  # no broadcasts
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
    sender_id: Mapped[str] = mapped_column(String(220), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The channel's own order of the sender's messages (a Telegram update_id); None: by id.
    ordinal: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Typed words that can be asked again if handling them was cut short (not a button, a
    # command or a file).
    replayable: Mapped[bool] = mapped_column(Boolean, default=False)


class IssuedButton(Base):
    """A button the bot showed: its short token stands for a payload of any length."""

    __tablename__ = "issued_buttons"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(220), index=True)
    payload: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class TicketStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    JUNK = "junk"


class Ticket(Base):
    """A request for the service desk, filed by an employee through the bot."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer, unique=True, default=None)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64), index=True)
    category_confidence: Mapped[float] = mapped_column(Double, default=0.0)
    needs_triage: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[str] = mapped_column(String(16), index=True)
    priority_cue: Mapped[str | None] = mapped_column(String(100), default=None)
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.NEW, index=True)
    assignee: Mapped[str | None] = mapped_column(String(220), default=None)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    search_id: Mapped[int | None] = mapped_column(ForeignKey("search_queries.id"), default=None)
    suggested_articles: Mapped[list[dict]] = mapped_column(JSON, default=list)
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    resolution_note: Mapped[str | None] = mapped_column(Text, default=None)
    filing_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)

    requester: Mapped[User] = relationship()
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )

    @property
    def reference(self) -> str:
        return f"SD-{self.number}"


class TicketEvent(Base):
    """Something that happened to a ticket: created, taken, replied, resolved, closed, ..."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(220))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class Rating(Base):
    """The requester's 1-5 stars for a resolved ticket; one per ticket."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="ck_ratings_stars"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A proactive message waiting for delivery; the key makes each one delivered once."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    recipient: Mapped[str] = mapped_column(String(220))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    # Of a message the messenger takes in several parts: how many have gone out.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DraftStatus(StrEnum):
    OPEN = "open"
    FILED = "filed"
    CANCELLED = "cancelled"


class TicketDraft(Base):
    """A ticket being put together with the employee before it is filed.

    Files sent before any ticket was proposed wait here too (``proposed`` false), so they reach
    the ticket if one follows.
    """

    __tablename__ = "ticket_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    search_id: Mapped[int | None] = mapped_column(ForeignKey("search_queries.id"), default=None)
    suggested_articles: Mapped[list[dict]] = mapped_column(JSON, default=list)
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    proposed: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=DraftStatus.OPEN, index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfferedChoices(Base):
    """The numbered choices last offered to someone on a channel without buttons (XMPP), so that
    "2" means the same whichever gateway process reads it, and after a restart."""

    __tablename__ = "offered_choices"

    sender_id: Mapped[str] = mapped_column(String(220), primary_key=True)
    buttons: Mapped[list[list[str]]] = mapped_column(JSON)  # [title, button token] in order
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)


class AwaitedInput(Base):
    """What the employee's next free text is for: ticket details, a reply on a ticket, a
    comment on a rating. One per person; it lapses at ``expires_at``."""

    __tablename__ = "awaited_inputs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column()


class StaffRole(StrEnum):
    EDITOR = "editor"
    AGENT = "agent"
    MANAGER = "manager"
    ADMIN = "admin"


class StaffUser(Base):
    """A person behind the bot who signs in to the console: an editor, agent, manager or admin."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class ConsoleSession(Base):
    """A console sign-in. The cookie carries a random token; only its digest is kept here, so
    that the session can be ended (sign-out) and stops counting once the account is deactivated
    or its role changes."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # the role signed in with
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class KbArticle(Base):
    """A knowledge-base article as editors keep it; published ones feed the search index."""

    __tablename__ = "kb_articles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.DRAFT, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))


class KbArticleVersion(Base):
    """Every saved state of an article, for its history."""

    __tablename__ = "kb_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("kb_articles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contest(Base):
    """A self-service contest: its nominations' metrics stay hidden until the announcement."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(100))
    announced_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    nominations: Mapped[list["Nomination"]] = relationship(
        back_populates="contest", order_by="Nomination.id"
    )


class Nomination(Base):
    """One nomination of a contest: a metric from the catalogue and three places."""

    __tablename__ = "contest_nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(32))
    weights: Mapped[dict] = mapped_column(JSON, default=dict)  # for the weighted metric

    contest: Mapped[Contest] = relationship(back_populates="nominations")


class Disqualification(Base):
    """A manager took a person out of a contest."""

    __tablename__ = "contest_disqualifications"
    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Badge(Base):
    """A place won in a contest's nomination."""

    __tablename__ = "badges"
    __table_args__ = (UniqueConstraint("nomination_id", "place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"))
    nomination_id: Mapped[int] = mapped_column(ForeignKey("contest_nominations.id"))
    place: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Broadcast(Base):
    """A message a manager sent to many employees at once (an announcement, contest results)."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(16), default=None)
    department: Mapped[str | None] = mapped_column(String(100), default=None)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
