"""Conversations of Rasa events for the tracker store tests. Imported only by the code those
tests run in the Rasa environment (tests/support/rasa_env.py): the tests' own has no Rasa."""

import json

from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import EventVerbosity


def session_start() -> list:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]


def turn(number: int) -> list:
    """One turn: the employee's message, a slot set, an action's answer with a button."""
    return [
        UserUttered(
            f"message {number}",
            {
                "name": "describe_problem",
                "confidence": 0.9,
                "intent_ranking": [{"name": "describe_problem", "confidence": 0.9}],
            },
            metadata={"language": "ru"},
        ),
        SlotSet("language", ["en", "ru"][number % 2]),
        ActionExecuted("action_suggest_articles"),
        BotUttered(f"answer {number}", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        ActionExecuted("action_listen"),
    ]


def seen(tracker) -> str | None:
    """All a tracker holds, as text to compare; None for no tracker."""
    return (
        None
        if tracker is None
        else json.dumps(tracker.current_state(EventVerbosity.ALL), sort_keys=True, default=str)
    )
