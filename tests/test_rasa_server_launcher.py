"""The Rasa server's launcher validates action server replies as Rasa itself does."""

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


def test_replies_get_the_verdicts_rasa_gives():
    python = Path(os.environ["DESKBOT_RASA_BIN"]) / "python"
    done = subprocess.run(
        [str(python), "-c", COMPARE, json.dumps(REPLIES)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    verdicts = json.loads(done.stdout.strip().splitlines()[-1])

    for name, (rasa_own, launcher) in verdicts.items():
        assert launcher == rasa_own, name
    assert verdicts["valid"][1] is True and verdicts["empty"][1] is True
    refused = [name for name, (_, launcher) in verdicts.items() if launcher is not True]
    assert sorted(refused) == sorted(set(REPLIES) - {"valid", "empty"})
    assert all(verdicts[name][1].startswith("ValidationError") for name in refused)
