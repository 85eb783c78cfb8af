"""How long to wait before the next proactive message, within a messenger's limits.

Telegram's: about 30 messages a second overall, one a second into one chat, 20 a minute into
one group. The clock is injected so the arithmetic is tested without sleeping.
"""

import time
from collections import defaultdict, deque
from collections.abc import Callable
from functools import partial

from redis.asyncio import Redis

from ops.shared_limits import SharedOrLocal, Window, windows

REDIS_PREFIX = "deskbot:telegram:"


class RateLimiter:
    def __init__(
        self,
        per_second: int = 30,
        chat_interval_s: float = 1.0,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_second, self._chat_interval = per_second, chat_interval_s
        self._group_per_minute, self._clock = group_per_minute, clock
        self._recent: deque[float] = deque()
        self._last_in_chat: dict[str, float] = {}
        self._group_recent: dict[str, deque[float]] = defaultdict(deque)

    async def delay(self, chat: str, is_group: bool = False) -> float:
        """Seconds to wait before a message to ``chat`` may go out (0 when it may go now)."""
        now = self._clock()
        _forget_older(self._recent, now - 1.0)
        waits = [0.0]
        if len(self._recent) >= self._per_second:
            waits.append(self._recent[0] + 1.0 - now)
        if chat in self._last_in_chat:
            waits.append(self._last_in_chat[chat] + self._chat_interval - now)
        if is_group:
            group = self._group_recent[chat]
            _forget_older(group, now - 60.0)
            if len(group) >= self._group_per_minute:
                waits.append(group[0] + 60.0 - now)
        return max(waits)

    async def record(self, chat: str, is_group: bool = False) -> None:
        """Note that a message to ``chat`` went out now."""
        now = self._clock()
        self._recent.append(now)
        self._last_in_chat[chat] = now
        if is_group:
            self._group_recent[chat].append(now)


def _forget_older(times: deque[float], horizon: float) -> None:
    while times and times[0] <= horizon:
        times.popleft()


class SharedRateLimiter(RateLimiter):
    """The same limits counted in Redis for every delivery worker of every replica (this
    process's own while Redis is unreachable). Two workers checking at the same instant may
    each send one message over a limit; Telegram's "retry after" then holds them back."""

    def __init__(self, client: Redis, **limits: int | float) -> None:
        super().__init__(**limits)
        self._shared = SharedOrLocal(client)

    async def delay(self, chat: str, is_group: bool = False) -> float:
        spans = self._spans(chat, is_group)
        return await self._shared.call(
            lambda client: windows(client, "check", spans), partial(super().delay, chat, is_group)
        )

    async def record(self, chat: str, is_group: bool = False) -> None:
        spans = self._spans(chat, is_group)
        await self._shared.call(
            lambda client: windows(client, "count", spans),
            partial(super().record, chat, is_group),
        )

    def _spans(self, chat: str, is_group: bool) -> list[Window]:
        spans: list[Window] = [
            (f"{REDIS_PREFIX}all", self._per_second, 1.0),
            (f"{REDIS_PREFIX}chat:{chat}", 1, self._chat_interval),
        ]
        if is_group:
            spans.append((f"{REDIS_PREFIX}group:{chat}", self._group_per_minute, 60.0))
        return spans
