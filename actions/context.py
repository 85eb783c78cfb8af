"""What every action needs from the tracker: who is asking, in which language, about what."""

import logging

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from servicedesk.identifiers import parse_id
from servicedesk.identity import SenderId
from servicedesk.language import normalise
from servicedesk.routing import INSTEAD_OF

log = logging.getLogger(__name__)


def sender_of(tracker: Tracker) -> SenderId | None:
    """The channel identity behind the conversation; None for a non-channel sender (rasa shell)."""
    sender = SenderId.parse_or_none(tracker.sender_id)
    if sender is None:
        log.warning("conversation with a sender id outside any channel; nothing is recorded")
    return sender


def language_of(tracker: Tracker) -> str:
    return normalise(tracker.get_slot("language"))


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def searched_instead_of(tracker: Tracker) -> str | None:
    """The intent the NLU read in the latest message before sending it to the search
    (nlu_features.routing), or None."""
    replaced = tracker.latest_message.get(INSTEAD_OF) or {}
    return replaced.get("name") if isinstance(replaced, dict) else None


def read_intent(tracker: Tracker) -> str | None:
    """What the NLU read in the latest message, before any routing to the search."""
    return searched_instead_of(tracker) or tracker.get_intent_of_latest_message()


def entity(tracker: Tracker, name: str) -> str | None:
    """The first value of entity ``name`` in the latest message (button payloads carry these)."""
    return next(tracker.get_latest_entity_values(name), None)


def search_id_of(tracker: Tracker) -> int | None:
    """The search a feedback refers to: the button's own id first, then the pending one."""
    return parse_id(entity(tracker, "search_id") or tracker.get_slot("search_id"))


def say(dispatcher: CollectingDispatcher, text: str, buttons: list[dict] | None = None) -> None:
    """Send one message, whole.

    Rasa's REST channel cuts plain text at every blank line; a custom payload reaches the
    gateway as it was written, with its buttons.
    """
    dispatcher.utter_message(json_message={"text": text, "buttons": buttons or []})


def metadata(tracker: Tracker) -> dict:
    return tracker.latest_message.get("metadata") or {}


def display_name_of(tracker: Tracker) -> str | None:
    """How the messenger names the employee, as the gateway passed it on."""
    name = metadata(tracker).get("display_name")
    return str(name)[:200] if name else None


def attachments_of(tracker: Tracker) -> list[str]:
    """File ids of what the employee sent with this message (photos, documents)."""
    files = metadata(tracker).get("attachments") or []
    return [str(f)[:200] for f in files if isinstance(f, str | int)][:10]


def int_entity(tracker: Tracker, name: str) -> int | None:
    """Entity ``name`` as a whole number (a rating's stars); None when missing or not one."""
    raw = entity(tracker, name)
    try:
        return int(str(raw)) if raw is not None else None
    except ValueError:
        return None


def id_entity(tracker: Tracker, name: str) -> int | None:
    """Entity ``name`` as a row number (a ticket, a draft); None when missing or when it names
    no row (forged payloads: "1e20", 10**20)."""
    return parse_id(entity(tracker, name))
