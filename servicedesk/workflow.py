"""The service desk's steps and the messages they cause, one transaction each.

Chat actions, the agents' chat commands and the console all go through these functions, so an
agent's reply reaches the employee the same way wherever it was written.
"""

import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicedesk import awaiting, drafts, tickets
from servicedesk.awaiting import Awaited
from servicedesk.db.models import DraftStatus, Rating, Ticket, TicketEvent
from servicedesk.errors import InvalidTransition
from servicedesk.i18n import text
from servicedesk.identity import SenderId
from servicedesk.notices import (
    Desk,
    card,
    card_buttons,
    reply_button,
    star_buttons,
    to_desks,
    to_requester,
)
from servicedesk.priority import assess
from servicedesk.tickets import CategoryDecision, FilingRequest

log = logging.getLogger(__name__)

Classify = Callable[[str, str], CategoryDecision]


def file_draft(
    session: Session, sender: SenderId, draft_id: int, classify: Classify, desks: tuple[Desk, ...]
) -> Ticket:
    """File the employee's draft as a classified ticket and post its card to the agents.

    Filing the same draft again returns the same ticket.

    Raises:
        UnknownDraft: not the sender's draft.
        InvalidTransition: the draft was cancelled, or it has no description yet.
    """
    draft = drafts.own_draft(session, sender, draft_id)
    if draft.status == DraftStatus.FILED:
        return session.get(Ticket, draft.ticket_id)
    if draft.status == DraftStatus.CANCELLED or not draft.description.strip():
        raise InvalidTransition("the draft cannot be filed")
    request = FilingRequest(
        sender=sender,
        description=draft.description,
        language=draft.language,
        category=classify(draft.description, draft.language),
        priority=assess(draft.description),
        filing_key=f"draft:{draft.id}",
        search_id=draft.search_id,
        suggested_articles=list(draft.suggested_articles),
        attachments=list(draft.attachments),
    )
    ticket = tickets.file_ticket(session, request)
    drafts.mark_filed(session, draft, ticket.id)
    awaiting.clear(session, sender, Awaited.TICKET_DETAILS)
    if not desks:
        log.warning("%s filed, but no agents' desk is configured", ticket.reference)
    to_desks(session, desks, f"card:{ticket.id}", card(ticket), card_buttons(ticket))
    return ticket


def take(session: Session, number: int, agent: str) -> Ticket:
    ticket = tickets.take(session, number, agent)
    to_requester(session, ticket, _key("taken", session, ticket), _say(ticket, "ticket_taken"))
    return ticket


def agent_reply(session: Session, number: int, agent: str, body: str) -> Ticket:
    """An agent's message on the ticket, delivered to the employee with a [Reply] button."""
    ticket = tickets.reply(session, number, agent, body)
    message = _say(ticket, "agent_wrote", body=body)
    to_requester(session, ticket, _key("agent", session, ticket), message, [reply_button(ticket)])
    return ticket


def resolve(session: Session, number: int, agent: str, note: str) -> Ticket:
    """Resolve the ticket and ask the employee for 1-5 stars."""
    ticket = tickets.resolve(session, number, agent, note)
    message = _say(ticket, "resolved_rate", note=note)
    to_requester(session, ticket, _key("resolved", session, ticket), message, star_buttons(ticket))
    return ticket


def junk(session: Session, number: int, agent: str) -> Ticket:
    """Close as junk: the employee is told, and never asked for a rating."""
    ticket = tickets.junk(session, number, agent)
    to_requester(session, ticket, _key("junk", session, ticket), _say(ticket, "ticket_junked"))
    return ticket


def requester_reply(
    session: Session, sender: SenderId, number: int, body: str, desks: tuple[Desk, ...]
) -> Ticket:
    """The employee's message on their open ticket, passed on to the agents."""
    tickets.own_ticket(session, sender, number)
    ticket = tickets.reply(session, number, str(sender), body)
    who = ticket.requester.display_name or str(sender)
    to_desks(
        session, desks, _key("employee", session, ticket), f"{ticket.reference} · {who}:\n{body}"
    )
    return ticket


def reopen(
    session: Session, sender: SenderId, number: int, reason: str, desks: tuple[Desk, ...]
) -> Ticket:
    """The employee says it broke again (within 7 days of resolution)."""
    ticket = tickets.reopen(session, sender, number, reason)
    body = f"🔁 {ticket.reference} reopened by the requester: {reason}"
    to_desks(session, desks, _key("reopened", session, ticket), body, card_buttons(ticket)[1:])
    return ticket


def latest_reopenable(session: Session, sender: SenderId) -> Ticket | None:
    """The requester's most recently resolved ticket that can still be reopened."""
    for ticket in tickets.resolved_tickets_of(session, sender):
        if tickets.can_reopen(ticket):
            return ticket
    return None


def rate(session: Session, sender: SenderId, number: int, stars: int) -> Rating:
    """Record the stars and wait for an optional comment."""
    rating = tickets.rate(session, sender, number, stars)
    awaiting.expect(session, sender, Awaited.RATING_COMMENT, number)
    return rating


def comment(session: Session, sender: SenderId, number: int, body: str) -> Rating:
    """The optional comment that follows the stars."""
    rating = session.scalar(select(Rating).join(Ticket).where(Ticket.number == number))
    if rating is None:
        raise InvalidTransition("nothing rated yet")
    rating = tickets.rate(session, sender, number, rating.stars, body)
    awaiting.clear(session, sender, Awaited.RATING_COMMENT)
    return rating


def _say(ticket: Ticket, key: str, **values: str) -> str:
    language = ticket.requester.language
    return text(key, language, reference=ticket.reference, subject=ticket.subject, **values)


def _key(kind: str, session: Session, ticket: Ticket) -> str:
    """An idempotency key tied to the ticket event that caused the message."""
    event_id = session.scalar(
        select(TicketEvent.id)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )
    return f"{kind}:{ticket.id}:{event_id}"
