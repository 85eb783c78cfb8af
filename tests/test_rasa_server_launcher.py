"""The Rasa server's launcher validates action server replies and finds event classes as Rasa
itself does, and calls the action server with the current turn's events only."""

import json

from tests.support.rasa_env import run_in_rasa_env

REPLIES = {
    "valid": {"events": [{"event": "slot", "name": "language", "value": "ru"}], "responses": []},
    "empty": {},
    "events not a list": {"events": "slot"},
    "unknown event": {"events": [{"event": "no_such_event"}]},
    "response not an object": {"responses": [1]},
    "slot without a name": {"events": [{"event": "slot", "value": "x"}]},
}
# Runs in the Rasa environment: both validators on every reply, the verdicts printed as JSON.
COMPARE = """
import json, sys
from rasa.core.actions.action import RemoteAction
from launcher.rasa_server import validate_action_result

def verdict(validate, reply):
    try:
        return validate(reply)
    except Exception as error:
        return type(error).__name__ + ": " + error.message.split(". Failed")[0]

action = RemoteAction("action_x", None)
replies = json.loads(sys.argv[1])
print(json.dumps({
    name: [verdict(action._validate_action_result, r), verdict(
        lambda reply: validate_action_result(action, reply), r)]
    for name, r in replies.items()
}))
"""


# Runs in the Rasa environment: every event type name, a name twice, "topic", an unknown name with
# and without a default, resolved by Rasa's walk and by the launcher's remembering resolver.
RESOLVE = """
import json
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.utils.common import all_subclasses
from launcher.rasa_server import resolve_event_type

def outcome(resolve, name, default=None):
    try:
        found = resolve(name, default)
    except ValueError as error:
        return "ValueError: " + str(error)
    return None if found is None else found.__name__

names = sorted({cls.type_name for cls in all_subclasses(Event)})
asked = [(n, None) for n in names + names + ["topic", "no_such_event"]]
asked.append(("no_such_event", UserUttered))
print(json.dumps({
    "names": len(names),
    "outcomes": [
        [outcome(Event.resolve_by_type, n, d), outcome(resolve_event_type, n, d)]
        for n, d in asked
    ],
}))
"""

# Runs in the Rasa environment: Rasa's action call and the launcher's, for a tracker of two turns
# and for one with no user message yet.
CALLS = """
import json
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from launcher.rasa_server import action_call

domain = Domain.load("nlu/domain.yml")
action = RemoteAction("action_suggest_articles", EndpointConfig("http://127.0.0.1:1"))
opening = [ActionExecuted("action_listen")]
turn = lambda text: [
    UserUttered(text, {"name": "describe_problem", "confidence": 0.9}),
    SlotSet("language", "en"),
    ActionExecuted("action_suggest_articles"),
    BotUttered("Try this article"),
    ActionExecuted("action_listen"),
]
found = {}
for name, events in {
    "two turns": opening + turn("printer jammed") + turn("still jammed")[:3],
    "no user message": opening,
}.items():
    tracker = DialogueStateTracker.from_events("alice", events, domain.slots)
    rasa_own, launcher = action._action_call_format(tracker, domain), action_call(
        action, tracker, domain)
    rasa_events = rasa_own["tracker"].pop("events")
    found[name] = {
        "same_otherwise": rasa_own == {**launcher, "tracker": {
            k: v for k, v in launcher["tracker"].items() if k != "events"}},
        "rasa_events": len(rasa_events),
        "sent": [e["event"] for e in launcher["tracker"]["events"]],
        "sent_are_rasa_tail": launcher["tracker"]["events"] == rasa_events[
            len(rasa_events) - len(launcher["tracker"]["events"]):],
        "latest_text": (launcher["tracker"]["latest_message"] or {}).get("text"),
    }
print(json.dumps(found))
"""


def test_replies_get_the_verdicts_rasa_gives():
    verdicts = run_in_rasa_env(COMPARE, json.dumps(REPLIES))

    for name, (rasa_own, launcher) in verdicts.items():
        assert launcher == rasa_own, name
    assert verdicts["valid"][1] is True and verdicts["empty"][1] is True
    refused = [name for name, (_, launcher) in verdicts.items() if launcher is not True]
    assert sorted(refused) == sorted(set(REPLIES) - {"valid", "empty"})
    assert all(verdicts[name][1].startswith("ValidationError") for name in refused)


def test_event_classes_are_the_ones_rasa_finds():
    found = run_in_rasa_env(RESOLVE)

    assert found["names"] > 20
    for rasa_own, launcher in found["outcomes"]:
        assert launcher == rasa_own
    outcomes = [launcher for _, launcher in found["outcomes"]]
    assert "UserUttered" in outcomes and "SlotSet" in outcomes
    assert outcomes[-3:] == [
        None,
        "ValueError: Unknown event name 'no_such_event'.",
        "UserUttered",
    ]


def test_the_action_server_gets_the_current_turn_and_everything_else_rasa_sends():
    found = run_in_rasa_env(CALLS)

    two_turns = found["two turns"]
    assert two_turns["same_otherwise"] is True
    assert two_turns["sent"] == ["user", "slot", "action"]  # from the latest message on
    assert two_turns["rasa_events"] > len(two_turns["sent"])
    assert two_turns["sent_are_rasa_tail"] is True
    assert two_turns["latest_text"] == "still jammed"
    nothing_said = found["no user message"]
    assert nothing_said["same_otherwise"] is True
    assert nothing_said["sent"] == ["action"] and nothing_said["sent_are_rasa_tail"] is True


# Runs in the Rasa environment: deskbot's trained model parses the same messages with Rasa's
# parse_message and with the launcher's, one by one and then all at once.
PARSES = """
import asyncio, json, os, sys
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from launcher.rasa_server import parse_message_in_thread

texts = json.loads(sys.argv[1])
agent = Agent.load(os.environ["DESKBOT_RASA_MODEL"])
processor = agent.processor

def message(text, number):
    return UserMessage(text, sender_id=f"employee-{number}", metadata={"language": "en"})

async def compare():
    rasa_own = [await MessageProcessor.parse_message(processor, message(t, n))
                for n, t in enumerate(texts)]
    one_by_one = [await parse_message_in_thread(processor, message(t, n))
                  for n, t in enumerate(texts)]
    at_once = await asyncio.gather(
        *(parse_message_in_thread(processor, message(t, n)) for n, t in enumerate(texts * 4)))
    return {
        "same_one_by_one": one_by_one == rasa_own,
        "same_at_once": list(at_once) == rasa_own * 4,
        "intents": [p["intent"]["name"] for p in rasa_own],
    }

print(json.dumps(asyncio.run(compare())))
"""


def test_messages_parsed_in_a_thread_are_parsed_as_rasa_parses_them():
    texts = [
        "my laptop does not turn on",
        "принтер не печатает",
        "/greet",
        '/rate{"stars": 5}',
        "",
        "<b>hi</b> \x00",
        "x" * 4000,
    ]
    found = run_in_rasa_env(PARSES, json.dumps(texts))

    assert found["same_one_by_one"] is True
    assert found["same_at_once"] is True
    assert found["intents"][:3] == ["describe_problem", "describe_problem", "greet"]
    assert found["intents"][4] == "nlu_fallback"  # no text


def test_a_token_that_begins_with_a_dash_reaches_rasa_whole():
    """A drawn token may begin with "-"; as a separate word Rasa's parser took it for an option."""
    found = run_in_rasa_env(
        """
import json, os
from rasa.cli.arguments.run import add_server_arguments
import argparse
from launcher.rasa_server import with_auth_token
os.environ["DESKBOT_RASA_TOKEN"] = "-starts-with-a-dash"
parser = argparse.ArgumentParser()
add_server_arguments(parser)
print(json.dumps(parser.parse_args(with_auth_token([])).auth_token))
"""
    )
    assert found == "-starts-with-a-dash"
