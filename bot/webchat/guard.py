"""What the web chat refuses before a message reaches the conversation: other sites' pages
(by Origin and Host, against cross-site requests and DNS rebinding) and floods (a sliding
window per chat session and per client address, shared by every replica through Redis when
one is configured)."""

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from functools import partial
from urllib.parse import urlsplit

from aiohttp import web
from redis.asyncio import Redis

from ops.shared_limits import SharedOrLocal, windows

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class SameSite:
    """The origins and Host names the web chat answers: its own address (and loopback's names
    for it) and any the deployment adds (a reverse proxy's public address)."""

    def __init__(self, host: str, port: int, extra_origins: Iterable[str] = ()) -> None:
        names = {host, *LOOPBACK_NAMES} if host in LOOPBACK_NAMES else {host}
        self.hosts = {f"{name}:{port}" for name in names}
        self.origins = {f"http://{h}" for h in self.hosts}
        for origin in extra_origins:
            self.origins.add(origin.rstrip("/"))
            self.hosts.add(urlsplit(origin).netloc)

    def refusal(self, request: web.Request) -> str | None:
        """Why ``request`` comes from somewhere else, or None when it may go on."""
        if request.host not in self.hosts:
            return "unknown Host"
        origin = request.headers.get("Origin")
        if origin is not None and origin not in self.origins:
            return "cross-site request"
        if request.headers.get("Sec-Fetch-Site", "same-origin") == "cross-site":
            return "cross-site request"
        return None


class SlidingWindow:
    """At most ``limit`` events per key in any ``window_s`` seconds, for the ``max_keys`` keys
    seen most recently (older keys are forgotten, so the memory stays bounded)."""

    def __init__(
        self,
        limit: int,
        window_s: float = 60.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit, self._window_s, self._max_keys = limit, window_s, max_keys
        self._clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    async def take(self, key: str) -> float:
        """0 when an event for ``key`` may happen now (and it is counted), else the wait."""
        now = self._clock()
        events = self._events.pop(key, None) or deque()
        while events and events[0] <= now - self._window_s:
            events.popleft()
        self._events[key] = events
        if len(self._events) > self._max_keys:
            self._events.popitem(last=False)
        if len(events) >= self._limit:
            return events[0] + self._window_s - now
        events.append(now)
        return 0.0


class SharedSlidingWindow(SlidingWindow):
    """The same window kept in Redis for every gateway replica; this process's own while
    Redis is unreachable."""

    def __init__(self, client: Redis, name: str, limit: int, window_s: float = 60.0) -> None:
        super().__init__(limit, window_s)
        self._shared, self._prefix = SharedOrLocal(client), f"deskbot:webchat:{name}:"

    async def take(self, key: str) -> float:
        span = (self._prefix + key, self._limit, self._window_s)
        return await self._shared.call(
            lambda client: windows(client, "take", [span]), partial(super().take, key)
        )
