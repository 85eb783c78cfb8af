"""Short-lived state every replica shares through Redis: rate-limit windows and sign-in
failures. Redis' own clock (TIME) is the clock, so replicas on several machines agree.

While Redis is unreachable each process falls back to its own limits (still limits, only per
process) and tries Redis again after ``RETRY_S``; a limit never makes a turn fail or hang.
"""

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic_settings import BaseSettings, SettingsConfigDict
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_S = 5.0  # after a failure, how long each process uses its own limits before retrying
TIMEOUT_S = 0.5  # a Redis that does not answer within this is treated as down


class RedisSettings(BaseSettings):
    """DESKBOT_REDIS_URL, e.g. redis://127.0.0.1:6379/0; unset: limits per process."""

    model_config = SettingsConfigDict(env_prefix="DESKBOT_REDIS_", env_file=".env", extra="ignore")

    url: str | None = None

    def client(self) -> Redis | None:
        if self.url is None:
            return None
        return Redis.from_url(self.url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)


class SharedOrLocal:
    """Runs a call on Redis, or its local stand-in while Redis is unreachable."""

    def __init__(self, client: Redis, clock: Callable[[], float] = time.monotonic) -> None:
        self.client, self._clock = client, clock
        self._down_until = 0.0

    async def call(
        self, shared: Callable[[Redis], Awaitable[T]], local: Callable[[], Awaitable[T]]
    ) -> T:
        if self._clock() < self._down_until:
            return await local()
        try:
            return await shared(self.client)
        except (RedisError, OSError) as error:
            log.warning(
                "Redis unreachable (%s): limits are per process for %.0f s",
                type(error).__name__,
                RETRY_S,
            )
            self._down_until = self._clock() + RETRY_S
            return await local()


# Sliding windows: KEYS are the windows; ARGV holds each one's limit and length in ms, then the
# mode and a member unique to this event. "take": the event is counted in every window if it
# fits all of them, else nothing is counted; "check": nothing is counted; "count": it is
# counted whatever the limits. Returns the wait in ms (0: it fits).
_WINDOWS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode, member = ARGV[2 * #KEYS + 1], ARGV[2 * #KEYS + 2]
local wait = 0
for i = 1, #KEYS do
  local limit, window = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if mode == 'check' or (mode == 'take' and wait > 0) then return wait end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, member)
  redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
end
return wait
"""

Window = tuple[str, int, float]  # a key, at most this many events, in this many seconds


async def windows(client: Redis, mode: str, spans: list[Window]) -> float:
    """``mode`` "take", "check" or "count" (see above) one event in every (key, limit,
    window_s) window; returns the seconds until it would fit, 0.0 when it does."""
    keys = [key for key, _, _ in spans]
    args: list[str | int] = []
    for _, limit, window_s in spans:
        args += [limit, max(1, round(window_s * 1000))]
    wait_ms = await client.eval(_WINDOWS, len(keys), *keys, *args, mode, uuid.uuid4().hex)
    return int(wait_ms) / 1000


# Sign-in failures: one hash per key with the count and the time of the last, in ms.
_FAIL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HSET', KEYS[1], 'last', now)
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 0
"""


async def record_failure(client: Redis, key: str, keep_s: int) -> None:
    await client.eval(_FAIL, 1, key, keep_s)


async def failures(client: Redis, key: str) -> tuple[int, float, float]:
    """How many failures, when the last was and what time it is now, on Redis' clock (s)."""
    count, last = await client.hmget(key, "count", "last")
    seconds, micros = await client.time()
    return int(count or 0), int(last or 0) / 1000, seconds + micros / 1_000_000
