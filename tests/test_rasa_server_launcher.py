"""The Rasa server's launcher validates action server replies and finds event classes as Rasa
itself does."""

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def run_in_rasa_env(code: str, *args: str) -> dict:
    python = Path(os.environ["DESKBOT_RASA_BIN"]) / "python"
    done = subprocess.run(
        [str(python), "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


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
