"""Tickets: filing, the agents' steps, the requester's reopening and rating."""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from servicedesk.db.models import Rating, Ticket, TicketEvent, TicketStatus, as_utc, utcnow
from servicedesk.errors import (
    InvalidRating,
    InvalidTransition,
    NotYourTicket,
    UnknownTicket,
)
from servicedesk.identity import SenderId
from servicedesk.priority import PriorityDecision
from servicedesk.users import touch_user

FIRST_NUMBER = 1000
SUBJECT_LENGTH = 120
REOPEN_WINDOW = timedelta(days=7)
RERATE_WINDOW = timedelta(hours=24)
OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.IN_PROGRESS)
PRIORITY_RANK = {"critical": 0, "high": 1, "normal": 2, "low": 3}


@dataclass(frozen=True)
class CategoryDecision:
    category: str
    confidence: float
    needs_triage: bool


@dataclass(frozen=True)
class FilingRequest:
    """Everything an employee's request brings to a new ticket."""

    sender: SenderId
    description: str
    language: str
    category: CategoryDecision
    priority: PriorityDecision
    filing_key: str  # the same key files the same ticket once, however often it is pressed
    search_id: int | None = None
    suggested_articles: list[dict] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)


def file_ticket(session: Session, request: FilingRequest) -> Ticket:
    """File a ticket, or return the one already filed under the same filing key.

    Returns:
        The ticket, with its number (SD-<number>) assigned.
    """
    existing = session.scalar(select(Ticket).where(Ticket.filing_key == request.filing_key))
    if existing is not None:
        return existing
    requester = touch_user(session, request.sender, request.language)
    ticket = Ticket(
        requester_id=requester.id,
        subject=_subject(request.description),
        description=request.description,
        category=request.category.category,
        category_confidence=request.category.confidence,
        needs_triage=request.category.needs_triage,
        priority=request.priority.priority,
        priority_cue=request.priority.cue,
        channel=request.sender.channel,
        language=request.language,
        search_id=request.search_id,
        suggested_articles=request.suggested_articles,
        attachments=request.attachments,
        filing_key=request.filing_key,
    )
    session.add(ticket)
    session.flush()
    ticket.number = FIRST_NUMBER + ticket.id
    _event(session, ticket, "created", str(request.sender), request.description)
    return ticket


def get(session: Session, number: int) -> Ticket:
    ticket = session.scalar(select(Ticket).where(Ticket.number == number))
    if ticket is None:
        raise UnknownTicket(number)
    return ticket


def open_tickets_of(session: Session, sender: SenderId) -> list[Ticket]:
    """The requester's own tickets that are not resolved yet, newest update first."""
    user = touch_user(session, sender)
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.requester_id == user.id, Ticket.status.in_(OPEN_STATUSES))
            .order_by(Ticket.updated_at.desc())
        )
    )


def queue(session: Session, limit: int) -> list[Ticket]:
    """Tickets waiting for the service desk: the most urgent first, then the oldest."""
    urgency = case(PRIORITY_RANK, value=Ticket.priority, else_=len(PRIORITY_RANK))
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.status.in_(OPEN_STATUSES))
            .order_by(urgency, Ticket.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class TicketFilter:
    """The console queue's filters; None means any."""

    status: str | None = None
    category: str | None = None
    priority: str | None = None
    assignee: str | None = None


def find(session: Session, wanted: TicketFilter, limit: int = 200) -> list[Ticket]:
    """Tickets matching ``wanted``, newest first."""
    query = select(Ticket).order_by(Ticket.id.desc()).limit(limit)
    for column, value in (
        (Ticket.status, wanted.status),
        (Ticket.category, wanted.category),
        (Ticket.priority, wanted.priority),
        (Ticket.assignee, wanted.assignee),
    ):
        if value:
            query = query.where(column == value)
    return list(session.scalars(query))


def rating_of(session: Session, ticket: Ticket) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))


def resolved_tickets_of(session: Session, sender: SenderId) -> list[Ticket]:
    """The requester's resolved tickets, most recently resolved first."""
    user = touch_user(session, sender)
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.requester_id == user.id, Ticket.status == TicketStatus.RESOLVED)
            .order_by(Ticket.resolved_at.desc())
        )
    )


def can_reopen(ticket: Ticket) -> bool:
    """Resolved less than 7 days ago."""
    return (
        ticket.status == TicketStatus.RESOLVED
        and utcnow() - as_utc(ticket.resolved_at) <= REOPEN_WINDOW
    )


def own_ticket(session: Session, sender: SenderId, number: int) -> Ticket:
    """The ticket if ``sender`` filed it.

    Raises:
        UnknownTicket, NotYourTicket.
    """
    ticket = get(session, number)
    if ticket.requester_id != touch_user(session, sender).id:
        raise NotYourTicket(number)
    return ticket


def take(session: Session, number: int, agent: str) -> Ticket:
    ticket = _open(session, number)
    ticket.status, ticket.assignee = TicketStatus.IN_PROGRESS, agent
    _event(session, ticket, "taken", agent)
    return ticket


def reply(session: Session, number: int, actor: str, body: str) -> Ticket:
    """Add a message to the conversation on an open ticket (from an agent or the requester)."""
    ticket = _open(session, number)
    _event(session, ticket, "replied", actor, body)
    return ticket


def resolve(session: Session, number: int, agent: str, note: str) -> Ticket:
    ticket = _close(
        session,
        number,
        agent,
        status=TicketStatus.RESOLVED,
        resolution_note=note,
        resolved_at=utcnow(),
    )
    _event(session, ticket, "resolved", agent, note)
    return ticket


def junk(session: Session, number: int, agent: str) -> Ticket:
    """Close as junk: never rated, never counted in the contest."""
    ticket = _close(session, number, agent, status=TicketStatus.JUNK)
    _event(session, ticket, "junk", agent)
    return ticket


def reopen(session: Session, sender: SenderId, number: int, reason: str) -> Ticket:
    """The requester says it broke again: reopen within 7 days of resolution."""
    ticket = own_ticket(session, sender, number)
    if not can_reopen(ticket):
        raise InvalidTransition(f"{ticket.reference} cannot be reopened")
    ticket.status, ticket.resolved_at = TicketStatus.IN_PROGRESS, None
    _event(session, ticket, "reopened", str(sender), reason)
    return ticket


def rate(
    session: Session, sender: SenderId, number: int, stars: int, comment: str | None = None
) -> Rating:
    """The requester's rating of a resolved ticket; a new one within 24 hours replaces it.

    Raises:
        InvalidRating: stars outside 1-5.
        UnknownTicket, NotYourTicket: not the requester's ticket.
        InvalidTransition: not resolved, or the 24-hour window to change a rating is over.
    """
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InvalidRating(stars)
    ticket = own_ticket(session, sender, number)
    if ticket.status != TicketStatus.RESOLVED:
        raise InvalidTransition(f"{ticket.reference} is not resolved")
    rating = session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))
    if rating is None:
        rating = Rating(ticket_id=ticket.id, user_id=ticket.requester_id, stars=stars)
        session.add(rating)
    elif utcnow() - as_utc(rating.created_at) > RERATE_WINDOW:
        raise InvalidTransition(f"{ticket.reference} was rated more than 24 hours ago")
    rating.stars, rating.updated_at = stars, utcnow()
    if comment is not None:
        rating.comment = comment[:2000]
    session.flush()
    return rating


def _open(session: Session, number: int) -> Ticket:
    ticket = get(session, number)
    if ticket.status not in OPEN_STATUSES:
        raise InvalidTransition(f"{ticket.reference} is {ticket.status}")
    return ticket


def _close(session: Session, number: int, agent: str, **values) -> Ticket:
    """Close an open ticket in one conditional UPDATE: of two agents closing it at once, the
    second finds it closed and is refused (the database decides, not what each one read)."""
    ticket = _open(session, number)
    closed = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status.in_(OPEN_STATUSES))
        .values(assignee=func.coalesce(Ticket.assignee, agent), **values)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        session.expire(ticket)
        raise InvalidTransition(f"{ticket.reference} was closed meanwhile")
    session.refresh(ticket)
    return ticket


def _event(session: Session, ticket: Ticket, kind: str, actor: str, body: str = "") -> None:
    ticket.updated_at = utcnow()
    session.add(TicketEvent(ticket_id=ticket.id, kind=kind, actor=actor, body=body))
    session.flush()


def _subject(description: str) -> str:
    first_line = " ".join(description.split())
    if len(first_line) <= SUBJECT_LENGTH:
        return first_line
    return first_line[: SUBJECT_LENGTH - 1].rsplit(" ", 1)[0] + "…"
