"""Free text that answers an open question deskbot asked: details for a ticket being filed,
a message on a ticket, a comment on a rating."""

import logging

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.context import language_of, latest_text, say, sender_of
from actions.drafting import file_it, show_draft
from servicedesk import awaiting, drafts, workflow
from servicedesk.awaiting import Awaited, Expectation
from servicedesk.db.models import DraftStatus
from servicedesk.errors import DomainError
from servicedesk.i18n import text
from servicedesk.identity import SenderId

log = logging.getLogger(__name__)


def expectation_of(tracker: Tracker) -> Expectation | None:
    sender = sender_of(tracker)
    if sender is None:
        return None
    with services.database().without_transaction() as session:
        return awaiting.current(session, sender)


def forget_expectation(tracker: Tracker) -> None:
    sender = sender_of(tracker)
    if sender is not None:
        with services.database().unit_of_work() as session:
            awaiting.clear(session, sender)


def answer_awaited(
    dispatcher: CollectingDispatcher, tracker: Tracker, expectation: Expectation, words: str
) -> None:
    """Use ``words`` for what deskbot is waiting for."""
    sender, language = sender_of(tracker), language_of(tracker)
    if expectation.kind is Awaited.TICKET_DETAILS:
        _add_details(dispatcher, sender, expectation.ref, words, language)
    elif expectation.kind is Awaited.TICKET_REPLY:
        _reply_on_ticket(dispatcher, sender, expectation.ref, words, language)
    else:
        _comment_rating(dispatcher, sender, expectation.ref, words, language)


def answer_yes_no(
    dispatcher: CollectingDispatcher, tracker: Tracker, expectation: Expectation, yes: bool
) -> None:
    """ "yes" / "no" in words while deskbot waits: "no, nothing to add" files the ticket too."""
    sender, language = sender_of(tracker), language_of(tracker)
    if expectation.kind is Awaited.TICKET_DETAILS:
        file_it(dispatcher, sender, expectation.ref, language)
    elif expectation.kind is Awaited.RATING_COMMENT and not yes:
        forget_expectation(tracker)
        say(dispatcher, text("comment_thanks", language))
    else:
        answer_awaited(dispatcher, tracker, expectation, latest_text(tracker))


def _add_details(
    dispatcher: CollectingDispatcher, sender: SenderId, draft_id: int, words: str, language: str
) -> None:
    with services.database().unit_of_work() as session:
        draft = drafts.own_draft(session, sender, draft_id)
        if draft.status != DraftStatus.OPEN:
            awaiting.clear(session, sender)
            say(dispatcher, text("draft_gone", language))
            return
        had_description = bool(draft.description)
        drafts.add_details(session, draft, words)
        show_draft(dispatcher, draft, language, "details_added" if had_description else "propose")


def _reply_on_ticket(
    dispatcher: CollectingDispatcher, sender: SenderId, number: int, words: str, language: str
) -> None:
    reference = f"SD-{number}"
    try:
        with services.database().unit_of_work() as session:
            workflow.requester_reply(session, sender, number, words, services.desks())
            awaiting.clear(session, sender)
    except DomainError as error:
        log.info("reply on %s refused: %s", reference, type(error).__name__)
        with services.database().unit_of_work() as session:
            awaiting.clear(session, sender)
        say(dispatcher, text("ticket_closed_no_reply", language, reference=reference))
        return
    say(dispatcher, text("reply_sent", language, reference=reference))


def _comment_rating(
    dispatcher: CollectingDispatcher, sender: SenderId, number: int, words: str, language: str
) -> None:
    try:
        with services.database().unit_of_work() as session:
            workflow.comment(session, sender, number, words)
    except DomainError:
        with services.database().unit_of_work() as session:
            awaiting.clear(session, sender)
    say(dispatcher, text("comment_thanks", language))
