"""Hypothesis against deskbot's running entry points, and what every input must leave behind:
no 5xx, no crash, no error in any process's log.

``make fuzz`` runs 10,000 inputs per entry point (DESKBOT_FUZZ_EXAMPLES); ``make test`` runs
the same tests with fewer, so that they stay in every run.
"""

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ_EXAMPLES = int(os.environ.get("DESKBOT_FUZZ_EXAMPLES", "150"))
WATCHED_LOGGERS = ("", "uvicorn")  # uvicorn's loggers do not pass records on to the root
ERROR_MARKS = ("Traceback (most recent call last)", " ERROR ", "Exception occurred")

# Text as employees (and attackers) type it: any character, markup, payload look-alikes.
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "/",
        '/ /rate{"stars":"5","ticket":"1e20"}',
        "/\n/rate{}",
        "<b>bold</b><script>alert(1)</script>",
        "{{7*7}}",
        "'; DROP TABLE tickets; --",
        "SD-99999999999999999999",
        "\u202eevil",
        "\x00",
        "не печатает принтер",
        "my vpn keeps dropping",
    ]
)
TEXT = st.one_of(TRICKY, st.text(max_size=300), st.text(min_size=3900, max_size=4200))
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)


def as_json(value: Any) -> bytes:
    """``value`` as JSON bytes; lone surrogates travel as \\ud800 escapes."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


async def fuzz(
    strategy: st.SearchStrategy, check: Callable[[Any], Awaitable[None]], examples: int
) -> int:
    """Runs ``check`` (a coroutine, on the running loop) on ``examples`` inputs that Hypothesis
    generates from ``strategy``, shrinking a failing one; returns how many inputs ran."""
    loop, ran = asyncio.get_running_loop(), 0

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def one(value: Any) -> None:
        nonlocal ran
        ran += 1
        asyncio.run_coroutine_threadsafe(check(value), loop).result(timeout=120)

    await asyncio.to_thread(one)
    return ran


class LogWatch:
    """New lines in process logs (Rasa, the action server) since it was made, and errors
    logged in this process."""

    def __init__(self, *paths: Path) -> None:
        self._starts = {p: p.stat().st_size if p.exists() else 0 for p in paths}
        self.records: list[logging.LogRecord] = []
        self._handler = _Keep(self.records)
        for logger in WATCHED_LOGGERS:
            logging.getLogger(logger).addHandler(self._handler)

    def errors(self) -> list[str]:
        for logger in WATCHED_LOGGERS:
            logging.getLogger(logger).removeHandler(self._handler)
        found = [f"{r.name}: {r.getMessage()}" for r in self.records]
        for path, start in self._starts.items():
            with path.open("rb") as log:
                log.seek(start)
                new = log.read().decode("utf-8", "replace")
            found += [f"{path.name}: {line}" for line in new.splitlines() if _is_error(line)]
        return found


class _Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self._records = records

    def emit(self, record: logging.LogRecord) -> None:
        self._records.append(record)


def _is_error(line: str) -> bool:
    return any(mark in line for mark in ERROR_MARKS)
