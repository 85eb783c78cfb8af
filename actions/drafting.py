"""Putting a ticket together with the employee: propose it, show it again, file or cancel it."""

import logging

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import services
from actions.context import say
from ops.metrics import TICKETS_FILED
from servicedesk import awaiting, drafts, workflow
from servicedesk.awaiting import Awaited
from servicedesk.db.models import SearchQuery, TicketDraft
from servicedesk.errors import DomainError
from servicedesk.i18n import text
from servicedesk.identity import SenderId
from servicedesk.payloads import payload
from servicedesk.users import touch_user

log = logging.getLogger(__name__)
SUMMARY_LIMIT = 300


def propose(
    dispatcher: CollectingDispatcher,
    session,
    sender: SenderId,
    language: str,
    search: SearchQuery | None,
    name: str | None = None,
) -> None:
    """Show the ticket deskbot would file and wait for additions (or ask for a description)."""
    if name:
        touch_user(session, sender, name=name)
    draft = drafts.propose(session, sender, language, search)
    awaiting.expect(session, sender, Awaited.TICKET_DETAILS, draft.id)
    show_draft(dispatcher, draft, language)


def show_draft(
    dispatcher: CollectingDispatcher, draft: TicketDraft, language: str, key: str = "propose"
) -> None:
    if not draft.description:
        say(dispatcher, text("ask_description", language))
        return
    message = (
        text("propose_ticket", language, summary=_summary(draft.description))
        if key == "propose"
        else text(key, language)
    )
    ref = {"draft_id": str(draft.id)}
    say(
        dispatcher,
        message,
        [
            {"title": text("button_file", language), "payload": payload("affirm", **ref)},
            {"title": text("button_cancel", language), "payload": payload("deny", **ref)},
        ],
    )


def file_it(
    dispatcher: CollectingDispatcher, sender: SenderId, draft_id: int, language: str
) -> None:
    """File the draft (once, however often this is pressed) and give the number at once."""
    try:
        with services.database().unit_of_work() as session:
            ticket = workflow.file_draft(
                session, sender, draft_id, services.classify, services.desks()
            )
            reference, category, priority = ticket.reference, ticket.category, ticket.priority
        TICKETS_FILED.inc()
    except DomainError as error:
        log.info("draft not filed: %s", type(error).__name__)
        say(dispatcher, text("draft_gone", language))
        return
    except SQLAlchemyError:
        log.exception("filing failed; the transaction was rolled back")
        say(dispatcher, text("filing_failed", language))
        return
    priority_words = text(f"priority_{priority}", language)
    say(
        dispatcher,
        text(
            "ticket_filed",
            language,
            reference=reference,
            category=category,
            priority=priority_words,
        ),
    )


def cancel_it(
    dispatcher: CollectingDispatcher, sender: SenderId, draft_id: int, language: str
) -> None:
    try:
        with services.database().unit_of_work() as session:
            drafts.cancel(session, drafts.own_draft(session, sender, draft_id))
            awaiting.clear(session, sender, Awaited.TICKET_DETAILS)
    except DomainError:
        say(dispatcher, text("draft_gone", language))
        return
    say(dispatcher, text("filing_cancelled", language))


def _summary(description: str) -> str:
    flat = " ".join(description.split())
    return flat if len(flat) <= SUMMARY_LIMIT else flat[: SUMMARY_LIMIT - 1] + "…"
