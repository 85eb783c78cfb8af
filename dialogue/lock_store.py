"""Rasa's Redis lock store with each change of a conversation's lock made in one Redis script.

Rasa 3.6's RedisLockStore reads a conversation's lock, changes it in Python and writes it back:
seven Redis calls a turn (a ticket issued: read, write; the lock checked: read; the ticket
given back: read, write, read, delete), and two Rasa servers issuing tickets for one
conversation at the same moment can both read the same lock, so both get the same ticket and
handle the conversation together. Here issuing a ticket, giving it back and dropping expired
tickets are each one Lua script, which Redis runs alone, and no two servers ever hold the same
ticket. Issuing a ticket also answers the lock as it left it: a ticket served at once (the
conversation was free, as it almost always is) needs no further read, so a turn makes two
calls. The lock is stored as Rasa stores it (TicketLock's JSON), so Rasa's own reading of it,
and its wait for a ticket's turn, are unchanged.

In endpoints-cluster.yml: ``lock_store: {type: dialogue.lock_store.AtomicRedisLockStore,
...}`` with RedisLockStore's settings.
"""

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# KEYS[1]: the lock's key; ARGV[1]: the conversation id; ARGV[2]: now (the caller's clock, as
# Rasa's tickets use it). A ticket has expired when now is past its "expires".
_TICKETS = """
local function live_tickets(raw, now)
  local kept = {}
  if raw then
    for _, text in ipairs(cjson.decode(raw).tickets or {}) do
      local ticket = cjson.decode(text)
      if ticket.expires >= now then table.insert(kept, ticket) end
    end
  end
  return kept
end
local function save(key, conversation_id, tickets)
  local parts = {}
  for n, ticket in ipairs(tickets) do
    parts[n] = cjson.encode(string.format('{"number": %d, "expires": %.6f}',
                                          ticket.number, ticket.expires))
  end
  local lock = '{"conversation_id": ' .. cjson.encode(conversation_id)
               .. ', "tickets": [' .. table.concat(parts, ', ') .. ']}'
  redis.call('SET', key, lock)
  return lock
end
local raw = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[2])
local tickets = live_tickets(raw, now)
"""
# ARGV[3]: the ticket's lifetime in seconds. Returns the ticket's number (the last live
# ticket's plus one, 0 when there is none) and the lock as stored.
ISSUE = (
    _TICKETS
    + """
local number = 0
if #tickets > 0 then number = tickets[#tickets].number + 1 end
table.insert(tickets, {number = number, expires = now + tonumber(ARGV[3])})
return {number, save(KEYS[1], ARGV[1], tickets)}
"""
)
# ARGV[3]: the ticket given back. The lock goes when no live ticket is left.
FINISH = (
    _TICKETS
    + """
local left = {}
for _, ticket in ipairs(tickets) do
  if ticket.number ~= tonumber(ARGV[3]) then table.insert(left, ticket) end
end
if #left == 0 then redis.call('DEL', KEYS[1]) else save(KEYS[1], ARGV[1], left) end
return #left
"""
)
PRUNE = (
    _TICKETS
    + """
if raw then save(KEYS[1], ARGV[1], tickets) end
return #tickets
"""
)


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose tickets are issued and given back atomically, in one call each."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **settings: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its module
            settings = {"host": endpoint_config.url, **endpoint_config.kwargs, **settings}
        super().__init__(**settings)
        self._issue = self.red.register_script(ISSUE)
        self._finish = self.red.register_script(FINISH)
        self._prune = self.red.register_script(PRUNE)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ``LockStore.lock``, without reading the lock again when the ticket just
        issued is the one served."""
        ticket, issued = self._issued(conversation_id, lock_lifetime)
        try:
            if not issued.is_locked(ticket):
                yield issued
            else:
                yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            self.cleanup(conversation_id, ticket)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._issued(conversation_id, lock_lifetime)[0]

    def _issued(self, conversation_id: str, lock_lifetime: float) -> tuple[int, TicketLock]:
        """A new ticket's number and the lock it is in."""
        try:
            number, stored = self._run(self._issue, conversation_id, lock_lifetime)
            return int(number), TicketLock.from_dict(json.loads(stored))
        except Exception as error:  # as Rasa's: the caller answers a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._run(self._finish, conversation_id, ticket_number)

    def update_lock(self, conversation_id: str) -> None:
        self._run(self._prune, conversation_id)

    def _run(self, script: Any, conversation_id: str, *args: float) -> Any:
        key = self.key_prefix + conversation_id
        return script(keys=[key], args=[conversation_id, repr(time.time()), *map(repr, args)])
