"""Simulated employees talking to the bot through a Bot-API-compatible server, timed per turn.

A turn is one message an employee sends, timed from the moment the server hands it out until
the bot's first reply to that employee arrives back at the server. Each employee waits for the
reply before writing again (a closed loop, no think time), so N employees keep at most N turns
in flight.
"""

import asyncio
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from tests.support.fake_telegram import Call, FakeTelegram


@dataclass(frozen=True)
class LoadResult:
    employees: int
    turns: int
    seconds: float
    latencies_ms: tuple[float, ...]
    timeouts: int

    def summary(self) -> dict:
        """Turns per second and p50/p95/p99 latency in milliseconds."""
        lat = np.array(self.latencies_ms) if self.latencies_ms else np.zeros(1)
        return {
            "employees": self.employees,
            "turns": self.turns,
            "turns_per_s": round(self.turns / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(float(np.percentile(lat, 50)), 1),
            "p95_ms": round(float(np.percentile(lat, 95)), 1),
            "p99_ms": round(float(np.percentile(lat, 99)), 1),
            "timeouts": self.timeouts,
        }


class ReplyWatch:
    """Futures resolved by the bot's next message into a chat."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self._waiting: dict[int, asyncio.Future] = {}
        telegram.listeners.append(self._seen)

    def expect(self, chat_id: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = future
        return future

    def _seen(self, call: Call) -> None:
        if call.method != "sendMessage":
            return
        future = self._waiting.pop(int(call.params.get("chat_id", 0)), None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())


async def run_load(
    telegram: FakeTelegram,
    user_ids: Sequence[int],
    messages: Sequence[tuple[str, str]],
    turns_each: int,
    warmup_each: int = 1,
    timeout_s: float = 30,
) -> LoadResult:
    """Each employee sends ``warmup_each`` untimed then ``turns_each`` timed messages.

    Args:
        telegram: the Bot API server the gateway polls.
        user_ids: one Telegram user id per simulated employee.
        messages: (text, language) pairs, cycled through, each employee from its own offset.
        turns_each: timed turns per employee.
        warmup_each: untimed turns first (model and connection warm-up).
        timeout_s: a turn with no reply by then counts as a timeout, not a latency.
    """
    watch = ReplyWatch(telegram)
    conversations = [
        itertools.islice(itertools.cycle(messages), index * 7, None)
        for index in range(len(user_ids))
    ]
    latencies: list[float] = []
    timeouts = 0

    async def employee(user_id: int, said: Iterator[tuple[str, str]], turns: int) -> None:
        nonlocal timeouts
        for _ in range(turns):
            text, language = next(said)
            replied = watch.expect(user_id)
            await telegram.push(telegram.message(user_id, language, text=text))
            sent = time.perf_counter()
            try:
                arrived = await asyncio.wait_for(replied, timeout_s)
            except TimeoutError:
                timeouts += 1
                continue
            latencies.append((arrived - sent) * 1000)

    async def everyone(turns: int) -> None:
        await asyncio.gather(
            *(employee(u, c, turns) for u, c in zip(user_ids, conversations, strict=True))
        )

    await everyone(warmup_each)
    latencies.clear()
    timeouts = 0
    started = time.perf_counter()
    await everyone(turns_each)
    seconds = time.perf_counter() - started
    return LoadResult(len(user_ids), len(latencies), seconds, tuple(latencies), timeouts)
