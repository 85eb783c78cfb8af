"""Record whether the suggestions helped, and hand over to the service desk when they did not."""

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.context import language_of, say, search_id_of, sender_of
from servicedesk import self_service
from servicedesk.errors import DomainError
from servicedesk.i18n import text

log = logging.getLogger(__name__)


class ActionRecordFeedback(Action):
    """[Solved] / [I still need help], or "yes" / "no" in words, after suggestions."""

    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        helped = tracker.get_intent_of_latest_message() == "affirm"
        sender = sender_of(tracker)
        search_id = search_id_of(tracker)
        if sender is None or search_id is None:
            say(dispatcher, text("nothing_pending", language))
            return []
        try:
            with services.database().unit_of_work() as session:
                self_service.record_feedback(session, sender, search_id, helped)
        except DomainError as error:
            log.warning("feedback refused: %s", type(error).__name__)
            say(dispatcher, text("nothing_pending", language))
            return [SlotSet("search_id", None)]
        say(dispatcher, text("solved_thanks" if helped else "needs_ticket", language))
        return [SlotSet("search_id", None)]


class ActionEscalate(Action):
    """The employee asks for a ticket or a person: their latest search needed a ticket."""

    def name(self) -> str:
        return "action_escalate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sender = sender_of(tracker)
        marked = None
        if sender is not None:
            with services.database().unit_of_work() as session:
                marked = self_service.mark_needs_ticket(session, sender)
        reply = "needs_ticket" if marked is not None else "escalated"
        say(dispatcher, text(reply, language_of(tracker)))
        return [SlotSet("search_id", None)]
