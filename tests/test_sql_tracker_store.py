"""deskbot's SQL tracker store returns the trackers Rasa's SQL store returns, on the local
PostgreSQL, also when a conversation moves between Rasa servers, when a server forgets it or
starts again, and when another server wrote behind its back; and a remembered conversation is
read without reading its whole session again, and saved in one statement."""

import uuid

import psycopg
import pytest

from tests.support.rasa_env import run_in_rasa_env

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"

# Runs in the Rasa environment. "rasa" is Rasa's own SQLTrackerStore on one database; "one" and
# "two" are two Rasa servers' stores on another (and "restarted" a third server started later);
# every step is saved through the store named for it, then every store's trackers are compared
# with Rasa's own.
COMPARE = """
import asyncio, json, os, sys
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Restarted
from sqlalchemy import event as sql_event
from sqlalchemy.engine import Engine
from dialogue.sql_tracker_store import CachedSQLTrackerStore
from tests.support.tracker_events import seen, session_start, turn

rasa_db, cached_db = sys.argv[1:3]
domain = Domain.load("nlu/domain.yml")
settings = dict(dialect="postgresql", host="127.0.0.1", port=5432, username="postgres",
                password="", login_db="postgres")

# (steps, the server that saves each step)
conversations = {
    "one server": ([session_start()] + [turn(n) for n in range(5)], ["one"] * 6),
    "no session start": ([[ActionExecuted("action_listen")]] + [turn(n) for n in range(3)],
                         ["one"] * 4),
    "moves between servers": ([session_start()] + [turn(n) for n in range(6)],
                              ["one", "one", "two", "two", "one", "restarted", "two"]),
    "three sessions": ([session_start(), turn(1), turn(2), session_start(), turn(3),
                        [Restarted()], session_start(), turn(4)],
                       ["one", "two", "one", "two", "one", "one", "two", "one"]),
}

def statements_sent():  # by any engine of this process, from now on
    said = []
    sql_event.listen(Engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: said.append(statement))
    return said

async def compare():
    rasa_own = SQLTrackerStore(domain, db=rasa_db, **settings)
    servers = {name: CachedSQLTrackerStore(domain, db=cached_db, remembered_conversations=2,
                                           **settings) for name in ("one", "two")}
    found = {"compared": 0, "differ": []}
    for name, (steps, savers) in conversations.items():
        tracker = rasa_own.init_tracker(name)
        for step, saver in zip(steps, savers):
            if saver == "restarted" and saver not in servers:
                servers[saver] = CachedSQLTrackerStore(domain, db=cached_db, **settings)
            # As the Rasa server: retrieve (or create), update, save back.
            mine = await servers[saver].retrieve(name) or servers[saver].init_tracker(name)
            for event in step:
                tracker.update(event)
                mine.update(event)
            await rasa_own.save(tracker)
            await servers[saver].save(mine)
            for store in servers.values():
                for fetch in ("retrieve", "retrieve_full_tracker"):
                    want = await getattr(rasa_own, fetch)(name)
                    got = await getattr(store, fetch)(name)
                    found["compared"] += 1
                    if seen(got) != seen(want):
                        found["differ"].append([name, saver, fetch])
            tracker = await rasa_own.retrieve(name)

    # Another server wrote while "one" held the conversation (the lock store prevents it, but
    # the database stays the truth): "one" saves as Rasa's store would, then reads what is there.
    one, two = servers["one"], servers["two"]
    name = "written behind its back"
    held = await one.retrieve(name) or one.init_tracker(name)
    for event in session_start():
        held.update(event)
    await one.save(held)
    held = await one.retrieve(name)
    other = await two.retrieve(name)
    for event in turn(7):
        other.update(event)
    await two.save(other)
    for event in turn(8):
        held.update(event)
    await one.save(held)
    plain = SQLTrackerStore(domain, db=cached_db, **settings)
    found["behind its back"] = seen(await one.retrieve(name)) == seen(await plain.retrieve(name))

    # A remembered conversation is read from the rows after its last one only.
    await one.retrieve(name)
    said = statements_sent()
    await one.retrieve(name)
    found["remembered read"] = list(said)
    # ... and saved with its check that nothing was stored since in the insert itself.
    held = await one.retrieve(name)
    for event in turn(9):
        held.update(event)
    said.clear()
    await one.save(held)
    found["remembered save"] = list(said)
    found["saved"] = seen(await one.retrieve(name)) == seen(await plain.retrieve(name))
    found["unknown"] = [await one.retrieve("nobody"), await rasa_own.retrieve("nobody")]

    os.environ.update({key: "unused" for key in (
        "DESKBOT_ACTION_SERVER_URL", "DESKBOT_ACTION_TOKEN", "DESKBOT_TRACKER_DB_HOST",
        "DESKBOT_TRACKER_DB_PORT", "DESKBOT_TRACKER_DB_NAME", "DESKBOT_TRACKER_DB_USER",
        "DESKBOT_TRACKER_DB_PASSWORD", "DESKBOT_REDIS_HOST", "DESKBOT_REDIS_PORT",
        "DESKBOT_REDIS_DB")})
    endpoints = AvailableEndpoints.read_endpoints("nlu/endpoints-cluster.yml")
    found["configured"] = endpoints.tracker_store.type
    return found

print(json.dumps(asyncio.run(compare())))
"""


@pytest.fixture
def databases():
    names = [f"deskbot_trackers_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    yield names
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_trackers_are_those_rasas_sql_store_returns(databases):
    found = run_in_rasa_env(COMPARE, *databases)

    # Each step compared in both fetches of every server's store: two, three once "restarted"
    # exists (from the sixth step of "moves between servers" on).
    assert found["compared"] == 2 * (2 * (6 + 4 + 5) + 3 * (2 + 8))
    assert found["differ"] == []
    assert found["behind its back"] is True
    reads = [s for s in found["remembered read"] if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, found["remembered read"]
    assert "id > %(after)s" in reads[0], reads
    saves = found["remembered save"]
    assert len(saves) == 1 and saves[0].lstrip().upper().startswith("INSERT"), saves
    assert "WHERE NOT EXISTS" in saves[0], saves
    assert found["saved"] is True
    assert found["unknown"] == [None, None]
    assert found["configured"] == "dialogue.sql_tracker_store.CachedSQLTrackerStore"


# Runs in the Rasa environment: Rasa servers starting at the same moment on a new database.
START_TOGETHER = """
import json, sys, threading
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from dialogue.sql_tracker_store import CachedSQLTrackerStore

db = sys.argv[1]
domain = Domain.load("nlu/domain.yml")
settings = dict(dialect="postgresql", host="127.0.0.1", port=5432, username="postgres",
                password="", login_db="postgres")
together = threading.Barrier(4)
started, failed = [], []

def start():
    together.wait()
    try:
        started.append(CachedSQLTrackerStore(domain, db=db, **settings))
    except Exception as error:
        failed.append(repr(error))

threads = [threading.Thread(target=start) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with started[0].engine.connect() as connection:
    indexes = connection.execute(sa.text(
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'events_sender_id_id'")).scalar()
print(json.dumps({"started": len(started), "failed": failed, "indexes": indexes}))
"""


def test_servers_starting_together_on_a_new_database_all_start(databases):
    found = run_in_rasa_env(START_TOGETHER, databases[0])

    assert found == {"started": 4, "failed": [], "indexes": 1}
