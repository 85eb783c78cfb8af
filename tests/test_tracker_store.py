"""deskbot's tracker store returns the trackers Rasa's in-memory store returns."""

from tests.support.rasa_env import run_in_rasa_env

# Runs in the Rasa environment: the same conversations saved into both stores step by step and
# retrieved (current session and all sessions) after every save; each conversation once going on
# from its own whole tracker, once from the tracker the store gives back, as the Rasa server does.
COMPARE = """
import asyncio, json, os
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Restarted
from dialogue.tracker_store import EventTrackerStore
from tests.support.tracker_events import seen, session_start, turn

domain = Domain.load("nlu/domain.yml")

conversations = {
    "one session": [session_start()] + [turn(n) for n in range(6)],
    "no session start": [[ActionExecuted("action_listen")]] + [turn(n) for n in range(3)],
    "three sessions": [session_start(), turn(1), turn(2), session_start(), turn(3),
                       [Restarted()], session_start(), turn(4)],
}

async def compare():
    rasa_own, mine = InMemoryTrackerStore(domain), EventTrackerStore(domain)
    found = {"compared": 0, "differ": [], "events": {}}
    for name, steps in conversations.items():
        for goes_on_from in ("its own tracker", "the retrieved tracker"):
            key = f"{name}, {goes_on_from}"
            tracker = rasa_own.init_tracker(key)
            for step in steps:
                for event in step:
                    tracker.update(event)
                for store in (rasa_own, mine):
                    await store.save(tracker)
                for fetch in ("retrieve", "retrieve_full_tracker"):
                    want = await getattr(rasa_own, fetch)(key)
                    got = await getattr(mine, fetch)(key)
                    found["compared"] += 1
                    if seen(got) != seen(want):
                        found["differ"].append([key, fetch])
                if goes_on_from == "the retrieved tracker":  # as the Rasa server does
                    tracker = await rasa_own.retrieve(key)
            found["events"][key] = [len((await mine.retrieve(key)).events),
                                    len((await mine.retrieve_full_tracker(key)).events)]
    found["unknown"] = [await mine.retrieve("nobody"), await rasa_own.retrieve("nobody")]
    found["keys"] = sorted(await mine.keys()) == sorted(await rasa_own.keys())
    os.environ.setdefault("DESKBOT_ACTION_SERVER_URL", "http://127.0.0.1:1")
    os.environ.setdefault("DESKBOT_ACTION_TOKEN", "unused here")
    endpoints = AvailableEndpoints.read_endpoints("nlu/endpoints.yml")
    found["configured"] = type(TrackerStore.create(endpoints.tracker_store, domain)).__name__
    return found

print(json.dumps(asyncio.run(compare())))
"""


def test_trackers_are_those_rasas_in_memory_store_returns():
    found = run_in_rasa_env(COMPARE)

    assert found["compared"] == 2 * 2 * (7 + 4 + 8)
    assert found["differ"] == []
    current, everything = found["events"]["three sessions, its own tracker"]
    assert current < everything  # the current session only, as Rasa's store
    # The server saves back what it retrieved: earlier sessions leave memory, as in Rasa's store.
    current, everything = found["events"]["three sessions, the retrieved tracker"]
    assert current == everything
    assert found["unknown"] == [None, None]
    assert found["keys"] is True
    assert found["configured"] == "EventTrackerStore"  # what the Rasa server runs with
