"""A command the NLU read in a message that was searched instead (nlu_features.routing): offered
as a button beside the articles found ("Reopen my ticket"), or carried out when the search found
none, so that a long "I want to add something to my ticket" still gets its ticket chooser."""

import copy
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EmployeeAction
from actions.contest import ActionContestStandings, ActionMute, ActionMyProfile
from actions.filing import ActionEscalate
from actions.status import ActionCheckStatus
from actions.ticket_conversation import ActionReopen, ActionReplyTicket
from servicedesk.i18n import text
from servicedesk.payloads import payload

# The commands worth a button, and the action each runs (as nlu/data/rules.yml maps them).
COMMAND_ACTIONS: dict[str, type[EmployeeAction]] = {
    "request_ticket": ActionEscalate,
    "human_handoff": ActionEscalate,
    "check_status": ActionCheckStatus,
    "reopen_ticket": ActionReopen,
    "reply_ticket": ActionReplyTicket,
    "my_profile": ActionMyProfile,
    "mute": ActionMute,
    "unmute": ActionMute,
    "contest_standings": ActionContestStandings,
}


def offered(intent: str | None, language: str) -> list[dict[str, str]]:
    """The button that runs ``intent``, when it is a command worth offering."""
    if intent not in COMMAND_ACTIONS:
        return []
    return [{"title": text(f"offer_{intent}", language), "payload": payload(intent)}]


async def carry_out(
    intent: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run ``intent``'s action on the latest message, as if the NLU had kept its reading."""
    as_read = copy.copy(tracker)
    as_read.latest_message = {
        **tracker.latest_message,
        "intent": {**(tracker.latest_message.get("intent") or {}), "name": intent},
    }
    return await COMMAND_ACTIONS[intent]().act(dispatcher, as_read, domain)
