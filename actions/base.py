"""What every deskbot action does first with the employee's message: keep the files sent with
it, and let typed text answer the question deskbot left open (ticket details, a message on a
ticket, a rating comment), whatever intent the NLU read into it. Buttons always do what they say.
"""

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.awaited import answer_awaited, answer_yes_no, expectation_of, forget_expectation
from actions.context import (
    attachments_of,
    language_of,
    latest_text,
    read_intent,
    say,
    sender_of,
)
from actions.drafting import show_draft
from servicedesk import drafts
from servicedesk.awaiting import Awaited
from servicedesk.i18n import text

YES = frozenset({"affirm", "request_ticket", "human_handoff"})
NO = frozenset({"deny"})
# A rating comment is optional: a clear request made instead of it is served, not kept as one.
REQUESTS = frozenset(
    {"check_status", "reopen_ticket", "reply_ticket", "request_ticket", "human_handoff", "rate"}
)


class EmployeeAction(Action, ABC):
    """Subclasses implement ``act``: what the intent means when nothing else claims the text."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        words = typed_text(tracker)
        if attachments_of(tracker) and _keep_attachments(dispatcher, tracker, bool(words)):
            return []
        expectation = expectation_of(tracker) if words else None
        if expectation is None:
            return await self.act(dispatcher, tracker, domain)
        # An open question is answered before anything is searched: what the NLU read counts.
        intent = read_intent(tracker)
        if expectation.kind is Awaited.RATING_COMMENT and intent in REQUESTS:
            forget_expectation(tracker)
            return await self.act(dispatcher, tracker, domain)
        if intent in YES | NO:
            answer_yes_no(dispatcher, tracker, expectation, yes=intent in YES)
        else:
            answer_awaited(dispatcher, tracker, expectation, words)
        return [SlotSet("search_id", None)]

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """What the message means when it answers no open question."""


def typed_text(tracker: Tracker) -> str:
    """The employee's own words; a button payload (or a file without a caption) has none."""
    words = latest_text(tracker)
    return "" if words.startswith("/") else words


def _keep_attachments(dispatcher: CollectingDispatcher, tracker: Tracker, has_text: bool) -> bool:
    """Keep the files with the employee's draft; True when that answered the message."""
    sender, language = sender_of(tracker), language_of(tracker)
    if sender is None:
        return False
    with services.database().unit_of_work() as session:
        draft = drafts.add_attachments(session, sender, language, attachments_of(tracker))
        if has_text:
            return False
        if draft.proposed and draft.description:
            show_draft(dispatcher, draft, language, "attachment_added")
        else:
            say(dispatcher, text("attachment_kept", language))
    return True
