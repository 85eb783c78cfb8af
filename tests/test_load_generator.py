"""The whole-turn load generator on tiny load, against the real stack and gateway."""

import asyncio
import time

from benchmarks.load import LoadResult, ReplyWatch, run_load
from tests.support.fake_telegram import Call, FakeTelegram


async def test_every_turn_is_timed_until_the_bot_answers(gateway, telegram):
    users = [910_001, 910_002]
    messages = [("the printer is not printing", "en"), ("забыл пароль", "ru")]

    result = await run_load(telegram, users, messages, turns_each=2, warmup_each=1, think_s=0.8)

    assert result.employees == 2 and result.turns == 4 and result.timeouts == 0
    assert result.seconds >= 0.4  # each employee paused at least half the think time once
    assert all(latency > 0 for latency in result.latencies_ms)
    for user in users:  # an answer for each of the 3 turns, warm-up included
        assert len(telegram.calls_of("sendMessage", user)) >= 3
    summary = result.summary()
    assert summary["turns"] == 4 and summary["turns_per_s"] > 0
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]


def test_summary_percentiles_by_hand():
    result = LoadResult(2, 4, 2.0, (10.0, 20.0, 30.0, 40.0), timeouts=1, think_s=0.5)
    assert result.summary() == {
        "employees": 2,
        "think_s": 0.5,
        "turns": 4,
        "turns_per_s": 2.0,
        "p50_ms": 25.0,
        "p95_ms": 38.5,
        "p99_ms": 39.7,
        "timeouts": 1,
    }


async def test_a_turn_ends_with_the_last_message_of_the_answer():
    watch = ReplyWatch(FakeTelegram())
    first = watch.expect(7)
    watch.seen(Call("sendMessage", {"chat_id": 7, "text": "Here is what I found"}))
    await asyncio.sleep(0.05)
    watch.seen(Call("sendMessage", {"chat_id": 8, "text": "someone else's answer"}))
    watch.seen(Call("sendChatAction", {"chat_id": 7}))
    await asyncio.sleep(0.05)
    before_last = time.perf_counter()
    watch.seen(Call("sendMessage", {"chat_id": 7, "text": "Did that solve your problem?"}))
    after_last = time.perf_counter()

    ended = await watch.answer_end(7, quiet_s=0.2)

    assert first.done() and first.result() < before_last
    assert before_last <= ended <= after_last
