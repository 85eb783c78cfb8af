"""What deskbot keeps of what people wrote, and for how long.

``prune`` blanks message bodies older than the retention period (inbound messages, searches,
sent proactive messages) and deletes spent buttons and drafts; the rows stay, so every count
and statistic stays. ``erase_employee`` pseudonymises one person everywhere: their identity
becomes a random name and their words are blanked, while their tickets, ratings, searches and
contest results still count (under the pseudonym).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from servicedesk import users
from servicedesk.db.models import (
    AwaitedInput,
    Delivery,
    IssuedButton,
    OfferedChoices,
    OutboxMessage,
    Rating,
    SearchQuery,
    Ticket,
    TicketDraft,
    TicketEvent,
)
from servicedesk.errors import DomainError
from servicedesk.identity import SenderId

BLANK_MESSAGE = {"text": "", "buttons": []}
ERASED_SUBJECT = "[erased]"


class UnknownEmployee(DomainError):
    """No employee with this sender id."""


def prune(session: Session, before: datetime) -> dict[str, int]:
    """Blank or delete what people wrote before ``before``; returns the counts per kind."""
    counts = {
        "messages": session.execute(
            update(Delivery)
            .where(Delivery.received_at < before, Delivery.text != "")
            .values(text="")
        ).rowcount,
        "searches": session.execute(
            update(SearchQuery)
            .where(SearchQuery.created_at < before, SearchQuery.text != "")
            .values(text="")
        ).rowcount,
        "sent messages": session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.created_at < before, OutboxMessage.status != "pending")
            .values(payload=BLANK_MESSAGE)
        ).rowcount,
        "buttons": session.execute(
            delete(IssuedButton).where(IssuedButton.issued_at < before)
        ).rowcount,
        "drafts": session.execute(
            delete(TicketDraft).where(TicketDraft.updated_at < before)
        ).rowcount,
    }
    return counts


@dataclass(frozen=True)
class Erased:
    pseudonym: str  # the sender id the person's rows carry now
    tickets: int
    searches: int
    messages: int


def erase_employee(session: Session, sender: SenderId) -> Erased:
    """Pseudonymise ``sender`` everywhere.

    Raises:
        UnknownEmployee: deskbot has no employee with this sender id.
    """
    person = users.find(session, sender)
    if person is None:
        raise UnknownEmployee(f"no employee {sender}")
    old, pseudonym = str(sender), SenderId(sender.channel, f"erased-{secrets.token_hex(8)}")
    person.external_id, person.display_name = pseudonym.external_id, None
    tickets = session.scalars(select(Ticket.id).where(Ticket.requester_id == person.id)).all()
    session.execute(
        update(Ticket)
        .where(Ticket.id.in_(tickets))
        .values(subject=ERASED_SUBJECT, description="", attachments=[], priority_cue=None)
    )
    session.execute(
        update(TicketEvent)
        .where(TicketEvent.ticket_id.in_(tickets), TicketEvent.actor == old)
        .values(actor=str(pseudonym), body="")
    )
    session.execute(update(Rating).where(Rating.user_id == person.id).values(comment=None))
    searches = session.execute(
        update(SearchQuery).where(SearchQuery.user_id == person.id).values(text="")
    ).rowcount
    messages = session.execute(
        update(Delivery).where(Delivery.sender_id == old).values(sender_id=str(pseudonym), text="")
    ).rowcount
    mine = (OutboxMessage.channel == sender.channel) & (
        OutboxMessage.recipient == sender.external_id
    )
    session.execute(delete(OutboxMessage).where(mine, OutboxMessage.status == "pending"))
    session.execute(
        update(OutboxMessage)
        .where(mine)
        .values(recipient=pseudonym.external_id, payload=BLANK_MESSAGE)
    )
    session.execute(delete(IssuedButton).where(IssuedButton.sender_id == old))
    session.execute(delete(OfferedChoices).where(OfferedChoices.sender_id == old))
    session.execute(delete(TicketDraft).where(TicketDraft.user_id == person.id))
    session.execute(delete(AwaitedInput).where(AwaitedInput.user_id == person.id))
    return Erased(str(pseudonym), len(tickets), searches, messages)
