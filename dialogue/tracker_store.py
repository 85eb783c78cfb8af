"""Rasa's in-memory tracker store, keeping each conversation's events as they are instead of
as JSON text.

Rasa 3.6's InMemoryTrackerStore turns the whole conversation into JSON on every save and back
into events on every retrieve, then replays it once more to cut off the current session. This
store keeps the event objects, as Rasa itself shares them between a tracker and the copies it
makes of it, and builds only the current session's tracker on retrieve. The trackers it returns
are the ones InMemoryTrackerStore returns (tests/test_tracker_store.py compares them). As with
that store, the Rasa server saves back the current session it retrieved, so an earlier session
leaves memory once a new one has begun; conversations are lost when the Rasa server stops.

In endpoints.yml: ``tracker_store: {type: dialogue.tracker_store.EventTrackerStore}``.
"""

from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker


class EventTrackerStore(InMemoryTrackerStore):
    """Each conversation's events, in memory."""

    def __init__(self, domain: Domain, event_broker: Any = None, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.conversations: dict[str, list[Event]] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        self.conversations[tracker.sender_id] = list(tracker.events)

    async def keys(self) -> list[str]:
        return list(self.conversations)

    async def _retrieve(
        self, sender_id: str, fetch_all_sessions: bool
    ) -> DialogueStateTracker | None:
        events = self.conversations.get(sender_id)
        if events is None:
            return None
        start = latest_session_start(events)
        if fetch_all_sessions or not start:
            tracker = self.init_tracker(sender_id)
            tracker.recreate_from_dialogue(Dialogue(sender_id, events))
            return tracker
        # A later session: built as InMemoryTrackerStore builds it, event by event.
        return DialogueStateTracker.from_events(
            sender_id, events[start:], self.domain.slots, self.max_event_history
        )


def latest_session_start(events: list[Event]) -> int | None:
    """Where the latest session starts in ``events``; None when none does."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            return index
    return None
