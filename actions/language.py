"""Keep the ``language`` slot in step with the language the employee writes in."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.context import latest_text
from servicedesk.language import detect


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message (action_validate_slot_mappings)."""

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Detect the language; a short or letterless message keeps the previous one, and the
        messenger's own language setting decides before the employee has said anything."""
        metadata = tracker.latest_message.get("metadata") or {}
        previous = tracker.get_slot("language") or metadata.get("language_code")
        return {"language": detect(latest_text(tracker), fallback=previous)}
