"""Repeated failed sign-ins are slowed down: after a few, each attempt must wait longer.
``LoginThrottle`` counts in this process; ``SharedLoginThrottle`` in Redis, for every console
replica at once."""

import time
from collections.abc import Callable
from functools import partial

from redis.asyncio import Redis

from ops.shared_limits import SharedOrLocal, failures, record_failure

FREE_FAILURES = 3
MAX_WAIT_S = 300.0
REDIS_PREFIX = "deskbot:signin:"


def wait_after(count: int, last: float, now: float) -> float:
    """Seconds still to wait after ``count`` failures, the last at ``last``."""
    if count < FREE_FAILURES:
        return 0.0
    delay = min(2.0 ** (count - FREE_FAILURES + 1), MAX_WAIT_S)
    return max(0.0, last + delay - now)


class LoginThrottle:
    """Counts failures per key (a username, a client address) in this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}

    async def wait_s(self, *keys: str) -> float:
        """Seconds before another attempt is allowed for any of ``keys``; 0 when allowed."""
        now = self._clock()
        return max((wait_after(*self._failures.get(k, (0, 0.0)), now) for k in keys), default=0.0)

    async def failed(self, *keys: str) -> None:
        for key in keys:
            count, _ = self._failures.get(key, (0, 0.0))
            self._failures[key] = (count + 1, self._clock())

    async def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)


class SharedLoginThrottle(LoginThrottle):
    """The same arithmetic on counts kept in Redis; this process's own while it is down."""

    def __init__(self, client: Redis) -> None:
        super().__init__()
        self._shared = SharedOrLocal(client)

    async def wait_s(self, *keys: str) -> float:
        async def shared(client: Redis) -> float:
            waits = [wait_after(*await failures(client, REDIS_PREFIX + k)) for k in keys]
            return max(waits, default=0.0)

        return await self._shared.call(shared, partial(super().wait_s, *keys))

    async def failed(self, *keys: str) -> None:
        async def shared(client: Redis) -> None:
            for key in keys:
                await record_failure(client, REDIS_PREFIX + key, keep_s=int(MAX_WAIT_S * 2))

        await self._shared.call(shared, partial(super().failed, *keys))

    async def succeeded(self, *keys: str) -> None:
        async def shared(client: Redis) -> None:
            await client.delete(*(REDIS_PREFIX + k for k in keys))

        await self._shared.call(shared, partial(super().succeeded, *keys))
