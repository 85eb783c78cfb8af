"""Asking for a ticket or a person: propose a ticket from what the employee asked."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import EmployeeAction
from actions.context import display_name_of, language_of, say, sender_of
from actions.drafting import propose
from servicedesk import self_service
from servicedesk.i18n import text


class ActionEscalate(EmployeeAction):
    """ "Open a ticket", "talk to a human": propose a ticket from what the employee asked."""

    def name(self) -> str:
        return "action_escalate"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sender, language = sender_of(tracker), language_of(tracker)
        if sender is None:
            say(dispatcher, text("escalated", language))
            return []
        with services.database().unit_of_work() as session:
            search = self_service.search_to_escalate(session, sender)
            propose(dispatcher, session, sender, language, search, display_name_of(tracker))
        return [SlotSet("search_id", None)]
