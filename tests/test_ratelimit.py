"""Telegram's limits as arithmetic, on an injected clock (nothing sleeps here)."""

from bot.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_one_message_a_second_into_one_chat():
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    assert await limiter.delay("501") == 0
    await limiter.record("501")
    clock.now += 0.25
    assert await limiter.delay("501") == 0.75
    assert await limiter.delay("502") == 0, "another chat need not wait"


async def test_thirty_a_second_overall():
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for chat in range(30):
        await limiter.record(str(chat))
    assert await limiter.delay("999") == 1.0
    clock.now += 1.0
    assert await limiter.delay("999") == 0


async def test_twenty_a_minute_into_one_group():
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for _ in range(20):
        await limiter.record("-100200", is_group=True)
        clock.now += 1.5
    assert await limiter.delay("-100200", is_group=True) == 60.0 - 30.0
    assert await limiter.delay("-100300", is_group=True) == 0
