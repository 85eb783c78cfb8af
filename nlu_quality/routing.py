"""Which questions reach the knowledge-base search: every query of a dataset parsed by deskbot's
trained NLU (the model ``make run`` serves), as the Rasa server parses a typed message."""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from servicedesk.routing import INSTEAD_OF, SEARCHED

EXAMPLES = 3


def report(texts: Sequence[str], parsed: Sequence[dict], top: int = 10) -> dict:
    """The share of ``texts`` whose parse reaches the search, and the intents that keep the rest.

    Args:
        texts: the queries.
        parsed: the NLU's parse data for each.
        top: how many of the other intents to list.
    """
    reached = [p["intent"]["name"] in SEARCHED for p in parsed]
    others = Counter(p["intent"]["name"] for p, ok in zip(parsed, reached, strict=True) if not ok)
    replaced = Counter(p[INSTEAD_OF]["name"] for p in parsed if p.get(INSTEAD_OF))
    return {
        "queries": len(texts),
        "reach_search": round(sum(reached) / max(len(texts), 1), 4),
        "kept_by": [
            {
                "intent": intent,
                "queries": count,
                "examples": [
                    t for t, p in zip(texts, parsed, strict=True) if p["intent"]["name"] == intent
                ][:EXAMPLES],
            }
            for intent, count in others.most_common(top)
        ],
        "searched_instead_of": dict(replaced.most_common(top)),
    }


def parse_all(model: Path, texts: Sequence[str]) -> list[dict]:
    """Parse data for every text from the trained Rasa model at ``model``."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return asyncio.run(_parse(agent.parse_message, texts))


async def _parse(parse: Callable[[str], Awaitable[dict]], texts: Sequence[str]) -> list[dict]:
    return [await parse(text) for text in texts]
