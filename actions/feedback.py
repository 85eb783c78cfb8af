"""Yes and no: on a ticket draft (file / cancel), on deskbot's open question, or on suggestions
(solved / still need help, and then a ticket is proposed)."""

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import EmployeeAction
from actions.context import (
    display_name_of,
    id_entity,
    language_of,
    say,
    search_id_of,
    sender_of,
)
from actions.drafting import cancel_it, file_it, propose
from servicedesk import self_service
from servicedesk.errors import DomainError
from servicedesk.i18n import text

log = logging.getLogger(__name__)


class ActionRecordFeedback(EmployeeAction):
    """[File the ticket] / [Cancel], [Solved] / [I still need help], or yes / no in words."""

    def name(self) -> str:
        return "action_record_feedback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        yes = tracker.get_intent_of_latest_message() == "affirm"
        sender, language = sender_of(tracker), language_of(tracker)
        draft_id = id_entity(tracker, "draft_id")
        if sender is not None and draft_id is not None:
            (file_it if yes else cancel_it)(dispatcher, sender, draft_id, language)
            return []
        return _search_feedback(dispatcher, tracker, yes)


def _search_feedback(
    dispatcher: CollectingDispatcher, tracker: Tracker, helped: bool
) -> list[dict[str, Any]]:
    sender, language, search_id = sender_of(tracker), language_of(tracker), search_id_of(tracker)
    if sender is None or search_id is None:
        say(dispatcher, text("nothing_pending", language))
        return []
    try:
        with services.database().unit_of_work() as session:
            search = self_service.record_feedback(session, sender, search_id, helped)
            if not helped:
                say(dispatcher, text("needs_ticket", language))
                propose(dispatcher, session, sender, language, search, display_name_of(tracker))
    except DomainError as error:
        log.warning("feedback refused: %s", type(error).__name__)
        say(dispatcher, text("nothing_pending", language))
        return [SlotSet("search_id", None)]
    if helped:
        say(dispatcher, text("solved_thanks", language))
    return [SlotSet("search_id", None)]
