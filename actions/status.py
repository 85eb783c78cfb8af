"""Ticket status: the employee's own open tickets, or one of theirs by its number."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import EmployeeAction
from actions.context import language_of, latest_text, say, sender_of
from actions.ticket_conversation import chooser
from servicedesk import tickets
from servicedesk.db.models import Ticket
from servicedesk.errors import NotYourTicket, UnknownTicket
from servicedesk.i18n import text
from servicedesk.references import parse_reference


class ActionCheckStatus(EmployeeAction):
    """ "my tickets", "what about SD-1042": nobody learns anything of another person's tickets."""

    def name(self) -> str:
        return "action_check_status"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        sender = sender_of(tracker)
        number = parse_reference(latest_text(tracker))
        if sender is None:
            say(dispatcher, text("no_open_tickets", language))
            return []
        with services.database().unit_of_work() as session:
            if number is not None:
                say(dispatcher, _one(session, sender, number, language))
            else:
                open_tickets = tickets.open_tickets_of(session, sender)
                say(
                    dispatcher, _open_list(open_tickets, language), chooser(open_tickets, language)
                )
        return []


def _one(session, sender, number: int, language: str) -> str:
    try:
        return describe(tickets.own_ticket(session, sender, number), language)
    except (UnknownTicket, NotYourTicket):  # the same answer: no hint that it exists
        return text("ticket_not_found", language, reference=f"SD-{number}")


def _open_list(open_tickets: list[Ticket], language: str) -> str:
    if not open_tickets:
        return text("no_open_tickets", language)
    return "\n".join(
        [text("open_tickets", language)] + [describe(t, language) for t in open_tickets]
    )


def describe(ticket: Ticket, language: str) -> str:
    """One line: number, status, subject, last update."""
    return text(
        "ticket_line",
        language,
        reference=ticket.reference,
        status=text(f"status_{ticket.status}", language),
        subject=ticket.subject,
        updated=ticket.updated_at.strftime("%Y-%m-%d %H:%M UTC"),
    )
