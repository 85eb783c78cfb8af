"""The employee's side of a ticket: write to the agent on it, or reopen it when it broke again."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import EmployeeAction
from actions.context import id_entity, language_of, latest_text, say, sender_of
from servicedesk import awaiting, tickets, workflow
from servicedesk.awaiting import Awaited
from servicedesk.db.models import Ticket
from servicedesk.errors import DomainError
from servicedesk.i18n import text
from servicedesk.payloads import payload
from servicedesk.references import parse_reference

CHOOSER_LIMIT = 5


class ActionReplyTicket(EmployeeAction):
    """[Reply on SD-1042], or "I want to add to my ticket": choose the ticket, then write."""

    def name(self) -> str:
        return "action_reply_ticket"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sender, language = sender_of(tracker), language_of(tracker)
        if sender is None:
            say(dispatcher, text("no_open_tickets", language))
            return []
        number = id_entity(tracker, "ticket") or parse_reference(latest_text(tracker))
        with services.database().unit_of_work() as session:
            open_tickets = tickets.open_tickets_of(session, sender)
            chosen = _choose(open_tickets, number)
            if chosen is None:
                _ask_which(dispatcher, open_tickets, number, language)
                return []
            awaiting.expect(session, sender, Awaited.TICKET_REPLY, chosen.number)
            say(dispatcher, text("write_reply", language, reference=chosen.reference))
        return []


class ActionReopen(EmployeeAction):
    """ "It's broken again": reopen the named ticket, or the latest one resolved within 7 days."""

    def name(self) -> str:
        return "action_reopen"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sender, language = sender_of(tracker), language_of(tracker)
        reason = latest_text(tracker)
        if sender is None:
            say(dispatcher, text("nothing_to_reopen", language))
            return []
        try:
            with services.database().unit_of_work() as session:
                number = parse_reference(reason)
                if number is None:
                    latest = workflow.latest_reopenable(session, sender)
                    number = latest.number if latest else None
                if number is None:
                    say(dispatcher, text("nothing_to_reopen", language))
                    return []
                ticket = workflow.reopen(session, sender, number, reason, services.desks())
                message = text(
                    "reopened", language, reference=ticket.reference, subject=ticket.subject
                )
        except DomainError:
            say(dispatcher, text("nothing_to_reopen", language))
            return []
        say(dispatcher, message)
        return []


def chooser(open_tickets: list[Ticket], language: str) -> list[dict]:
    """One [Write on SD-n] button per open ticket."""
    return [
        {
            "title": text("button_write_to", language, reference=t.reference),
            "payload": payload("reply_ticket", ticket=str(t.number)),
        }
        for t in open_tickets[:CHOOSER_LIMIT]
    ]


def _choose(open_tickets: list[Ticket], number: int | None) -> Ticket | None:
    if number is not None:
        return next((t for t in open_tickets if t.number == number), None)
    return open_tickets[0] if len(open_tickets) == 1 else None


def _ask_which(dispatcher, open_tickets: list[Ticket], number: int | None, language: str) -> None:
    if number is not None:
        reference = f"SD-{number}"
        say(dispatcher, text("ticket_closed_no_reply", language, reference=reference))
    elif not open_tickets:
        say(dispatcher, text("no_open_tickets", language))
    else:
        say(dispatcher, text("choose_ticket", language), chooser(open_tickets, language))
