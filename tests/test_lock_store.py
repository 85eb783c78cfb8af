"""deskbot's Redis lock store leaves a conversation's lock as Rasa's RedisLockStore leaves it,
in two Redis calls a turn instead of seven, and never gives two servers the same ticket.
The local Redis, in the Rasa environment."""

import uuid

from tests.support.rasa_env import run_in_rasa_env

# Runs in the Rasa environment. "rasa" and "ours" work on the same conversation under two key
# prefixes; each step is applied to both and the locks they leave are compared.
COMPARE = """
import asyncio, json, os, sys, threading, time
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.utils.endpoints import read_endpoint_config
from dialogue.lock_store import AtomicRedisLockStore

prefix = sys.argv[1]
redis = dict(host="127.0.0.1", port=6379, db=3)
rasa = RedisLockStore(key_prefix=prefix + "rasa", **redis)
ours = AtomicRedisLockStore(key_prefix=prefix + "ours", **redis)
found = {"differ": [], "compared": 0}

def state(store, conversation):
    lock = store.get_lock(conversation)
    if lock is None:
        return None
    return [(t.number, round(t.expires - time.time())) for t in lock.tickets]

def step(name, act):
    for store in (rasa, ours):
        act(store)
    found["compared"] += 1
    if state(rasa, "anna") != state(ours, "anna"):
        found["differ"].append([name, state(rasa, "anna"), state(ours, "anna")])

step("first ticket", lambda s: s.issue_ticket("anna", 60))
step("second", lambda s: s.issue_ticket("anna", 60))
step("third, short", lambda s: s.issue_ticket("anna", 0.05))
time.sleep(0.1)
step("expired dropped", lambda s: s.update_lock("anna"))
step("fourth, numbered 2 again", lambda s: s.issue_ticket("anna", 30))
step("first done", lambda s: s.cleanup("anna", 0))
step("second done", lambda s: s.cleanup("anna", 1))
step("fourth done", lambda s: s.cleanup("anna", 2))
found["gone"] = [state(rasa, "anna"), state(ours, "anna")]
step("numbering starts again", lambda s: s.issue_ticket("anna", 60))
step("done", lambda s: s.cleanup("anna", 0))

# Redis calls of one turn: a ticket issued, the lock taken, the ticket given back.
def calls_of_a_turn(store):
    counted = []
    execute = store.red.execute_command
    store.red.execute_command = lambda *args, **kw: counted.append(args[0]) or execute(*args, **kw)
    async def turn():
        async with store.lock("bob", 60, 0.01):
            pass
    asyncio.run(turn())
    store.red.execute_command = execute
    return counted
found["calls"] = {"rasa": calls_of_a_turn(rasa), "ours": calls_of_a_turn(ours)}

# Two turns of one conversation at the same moment: the second waits until the first is done.
async def two_turns(store):
    order = []
    async def turn(name, hold_s):
        async with store.lock("dave", 60, 0.01):
            order.append(name + " in")
            await asyncio.sleep(hold_s)
            order.append(name + " out")
    first = asyncio.create_task(turn("first", 0.2))
    await asyncio.sleep(0.05)
    await turn("second", 0)
    await first
    return order
found["two turns"] = {name: asyncio.run(two_turns(store)) for name, store in
                      (("rasa", rasa), ("ours", ours))}

# Eight servers issuing tickets for one conversation at the same moment.
servers = [AtomicRedisLockStore(key_prefix=prefix + "race", **redis) for _ in range(8)]
issued, together = [], threading.Barrier(len(servers))
def issue(store):
    together.wait()
    for _ in range(25):
        issued.append(store.issue_ticket("carol", 60))
threads = [threading.Thread(target=issue, args=(s,)) for s in servers]
for t in threads:
    t.start()
for t in threads:
    t.join()
found["issued"] = [len(issued), len(set(issued)), max(issued)]
servers[0].red.delete(servers[0].key_prefix + "carol")

os.environ.update({key: "unused" for key in (
    "DESKBOT_ACTION_SERVER_URL", "DESKBOT_ACTION_TOKEN", "DESKBOT_TRACKER_DB_HOST",
    "DESKBOT_TRACKER_DB_PORT", "DESKBOT_TRACKER_DB_NAME", "DESKBOT_TRACKER_DB_USER",
    "DESKBOT_TRACKER_DB_PASSWORD")})
os.environ.update(DESKBOT_REDIS_HOST="127.0.0.1", DESKBOT_REDIS_PORT="6379", DESKBOT_REDIS_DB="3")
endpoints = read_endpoint_config("nlu/endpoints-cluster.yml", "lock_store")
configured = LockStore.create(endpoints)
found["configured"] = [type(configured).__name__, configured.key_prefix]
print(json.dumps(found))
"""


def test_locks_are_those_rasas_redis_store_leaves_in_fewer_calls():
    found = run_in_rasa_env(COMPARE, f"t{uuid.uuid4().hex[:8]}")

    assert found["compared"] == 10
    assert found["differ"] == []
    assert found["gone"] == [None, None]
    assert len(found["calls"]["rasa"]) == 7, found["calls"]
    assert found["calls"]["ours"] == ["EVALSHA", "EVALSHA"], found["calls"]
    in_turn = ["first in", "first out", "second in", "second out"]
    assert found["two turns"] == {"rasa": in_turn, "ours": in_turn}
    assert found["issued"] == [200, 200, 199]
    assert found["configured"] == ["AtomicRedisLockStore", "deskbot:lock:"]
