"""Repeated failed sign-ins are slowed down: after a few, each attempt must wait longer."""

import time
from collections.abc import Callable

FREE_FAILURES = 3
MAX_WAIT_S = 300.0


class LoginThrottle:
    """Counts failures per key (a username, a client address) in this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}

    def wait_s(self, *keys: str) -> float:
        """Seconds before another attempt is allowed for any of ``keys``; 0 when allowed."""
        return max((self._wait_for(k) for k in keys), default=0.0)

    def failed(self, *keys: str) -> None:
        for key in keys:
            count, _ = self._failures.get(key, (0, 0.0))
            self._failures[key] = (count + 1, self._clock())

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)

    def _wait_for(self, key: str) -> float:
        count, last = self._failures.get(key, (0, 0.0))
        if count < FREE_FAILURES:
            return 0.0
        delay = min(2.0 ** (count - FREE_FAILURES + 1), MAX_WAIT_S)
        return max(0.0, last + delay - self._clock())
