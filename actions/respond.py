"""Intents answered with a fixed response: greetings, help, goodbyes, out of scope."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EmployeeAction

RESPONSES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "help": "utter_help",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
}


class ActionRespond(EmployeeAction):
    """The intent's response, unless the text answers a question deskbot left open."""

    def name(self) -> str:
        return "action_respond"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = tracker.get_intent_of_latest_message()
        dispatcher.utter_message(response=RESPONSES.get(intent, "utter_help"))
        return []
