"""Simulated employees talking to the bot through a Bot-API-compatible server, timed per turn.

A turn is one message an employee sends, timed from the moment it is queued on the server
until the last message of the bot's answer arrives back (an answer is often two messages: the
articles found, then "Did that solve your problem?"). The answer is over when no further message
comes into the chat for ``QUIET_S``; that wait is not counted in the latency. Each employee reads
the whole answer, pauses ("think time", ``think_s`` on average, at least ``QUIET_S``) and writes
again: a closed loop, so N employees keep at most N turns in flight. With ``think_s=0`` the
employees write as fast as the bot answers, which measures the stack's capacity.
"""

import asyncio
import itertools
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from tests.support.fake_telegram import Call, FakeTelegram

QUIET_S = 0.3  # messages of one answer come milliseconds apart


@dataclass(frozen=True)
class LoadResult:
    employees: int
    turns: int
    seconds: float
    latencies_ms: tuple[float, ...]
    timeouts: int
    think_s: float = 0.0

    def summary(self) -> dict:
        """Turns per second and p50/p95/p99 latency in milliseconds."""
        lat = np.array(self.latencies_ms) if self.latencies_ms else np.zeros(1)
        return {
            "employees": self.employees,
            "think_s": self.think_s,
            "turns": self.turns,
            "turns_per_s": round(self.turns / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(float(np.percentile(lat, 50)), 1),
            "p95_ms": round(float(np.percentile(lat, 95)), 1),
            "p99_ms": round(float(np.percentile(lat, 99)), 1),
            "timeouts": self.timeouts,
        }


class ReplyWatch:
    """When the bot's messages into each chat arrive: the first of an answer, and the last."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self._first: dict[int, asyncio.Future] = {}
        self._last_at: dict[int, float] = {}
        telegram.listeners.append(self.seen)

    def expect(self, chat_id: int) -> asyncio.Future:
        """A future resolved by the next message into ``chat_id``."""
        future = asyncio.get_running_loop().create_future()
        self._first[chat_id] = future
        return future

    async def answer_end(self, chat_id: int, quiet_s: float = QUIET_S) -> float:
        """When the last message arrived, once ``quiet_s`` has passed with no other."""
        while True:
            last = self._last_at[chat_id]
            await asyncio.sleep(max(0.0, last + quiet_s - time.perf_counter()))
            if self._last_at[chat_id] == last:
                return last

    def seen(self, call: Call) -> None:
        if call.method != "sendMessage":
            return
        chat_id, now = int(call.params.get("chat_id", 0)), time.perf_counter()
        self._last_at[chat_id] = now
        future = self._first.pop(chat_id, None)
        if future is not None and not future.done():
            future.set_result(now)


async def run_load(
    telegram: FakeTelegram,
    user_ids: Sequence[int],
    messages: Sequence[tuple[str, str]],
    turns_each: int,
    warmup_each: int = 1,
    timeout_s: float = 30,
    think_s: float = 0.0,
) -> LoadResult:
    """Each employee sends ``warmup_each`` untimed then ``turns_each`` timed messages.

    Args:
        telegram: the Bot API server the gateway polls.
        user_ids: one Telegram user id per simulated employee.
        messages: (text, language) pairs, cycled through, each employee from its own offset.
        turns_each: timed turns per employee.
        warmup_each: untimed turns first (model and connection warm-up).
        timeout_s: a turn with no reply by then counts as a timeout, not a latency.
        think_s: mean pause between an answer and the employee's next message (uniform between
            half and one and a half times it, seeded per employee); the timed turns start
            staggered over one such pause.
    """
    watch = ReplyWatch(telegram)
    conversations = [
        itertools.islice(itertools.cycle(messages), index * 7, None)
        for index in range(len(user_ids))
    ]
    latencies: list[float] = []
    timeouts = 0

    async def employee(
        user_id: int, said: Iterator[tuple[str, str]], turns: int, think_s: float
    ) -> None:
        nonlocal timeouts
        pauses = random.Random(user_id)
        await asyncio.sleep(pauses.uniform(0, think_s))
        for turn in range(turns):
            if turn:  # the answer is known to be over QUIET_S after it; then the rest of the pause
                await asyncio.sleep(max(0.0, pauses.uniform(0.5, 1.5) * think_s - QUIET_S))
            text, language = next(said)
            replied = watch.expect(user_id)
            await telegram.push(telegram.message(user_id, language, text=text))
            sent = time.perf_counter()
            try:
                await asyncio.wait_for(replied, timeout_s)
            except TimeoutError:
                timeouts += 1
                continue
            latencies.append((await watch.answer_end(user_id) - sent) * 1000)

    async def everyone(turns: int, think_s: float) -> None:
        await asyncio.gather(
            *(employee(u, c, turns, think_s) for u, c in zip(user_ids, conversations, strict=True))
        )

    await everyone(warmup_each, think_s=0.0)
    latencies.clear()
    timeouts = 0
    started = time.perf_counter()
    await everyone(turns_each, think_s)
    seconds = time.perf_counter() - started
    return LoadResult(len(user_ids), len(latencies), seconds, tuple(latencies), timeouts, think_s)
