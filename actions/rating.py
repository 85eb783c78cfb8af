"""The requester's 1-5 stars for a resolved ticket, and then an optional comment."""

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import EmployeeAction
from actions.context import id_entity, int_entity, language_of, say, sender_of
from ops.metrics import RATINGS
from servicedesk import workflow
from servicedesk.errors import InvalidRating, InvalidTransition, NotYourTicket, UnknownTicket
from servicedesk.i18n import text
from servicedesk.notices import STARS

log = logging.getLogger(__name__)


class ActionRate(EmployeeAction):
    """A star button under "How would you rate the help?"; anything else has nothing to rate."""

    def name(self) -> str:
        return "action_rate"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sender, language = sender_of(tracker), language_of(tracker)
        number, stars = id_entity(tracker, "ticket"), int_entity(tracker, "stars")
        if sender is None or number is None or stars is None:
            say(dispatcher, text("nothing_to_rate", language))
            return []
        try:
            with services.database().unit_of_work() as session:
                workflow.rate(session, sender, number, stars)
        except (InvalidRating, InvalidTransition, NotYourTicket, UnknownTicket) as error:
            log.warning("rating of SD-%s refused: %s", number, type(error).__name__)
            reason = text(_REASONS.get(type(error), "reason_not_resolved"), language)
            if isinstance(error, InvalidTransition) and "24 hours" in str(error):
                reason = text("reason_too_late", language)
            say(dispatcher, text("rating_refused", language, reason=reason))
            return []
        RATINGS.labels(str(stars)).inc()
        reference = f"SD-{number}"
        say(dispatcher, text("rating_thanks", language, reference=reference, stars=STARS * stars))
        return []


_REASONS = {
    InvalidRating: "reason_stars",
    NotYourTicket: "reason_not_yours",
    UnknownTicket: "reason_not_yours",
}
