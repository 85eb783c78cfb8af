"""Ticket priority from urgency cues in the employee's words, by explicit rules (en + ru).

Rules, first match wins:
  low       the employee says it can wait ("no rush", «не срочно»);
  critical  many people are affected ("the whole department", «у всех», «ничего не работает»);
  high      one person is blocked or it is urgent ("can't work", "urgent", «срочно»);
  normal    anything else.
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority
    cue: str | None  # the words that decided it, shown to agents


_CUES: list[tuple[Priority, tuple[str, ...]]] = [
    (
        Priority.LOW,
        (
            r"no rush",
            r"not urgent",
            r"when(?:ever)? you (?:have|get) (?:the )?time",
            r"low priority",
            r"no hurry",
            r"can wait",
            r"не срочно",
            r"несрочно",
            r"когда будет время",
            r"не горит",
            r"может подождать",
        ),
    ),
    (
        Priority.CRITICAL,
        (
            r"(?:the )?whole (?:department|team|office|floor|company|building)",
            r"entire (?:department|team|office|floor|company|building)",
            r"every(?:one|body)(?: in)?",
            r"all (?:users|employees|of us|colleagues|staff)",
            r"nobody can",
            r"no one can",
            r"(?:production|site|server|system) is down",
            r"весь отдел",
            r"всему отделу",
            r"всего отдела",
            r"весь офис",
            r"всем офисе",
            r"весь этаж",
            r"у всех",
            r"все сотрудники",
            r"никто не может",
            r"ничего не работает",
            r"вс[её] упало",
            r"лежит сервер",
            r"сервер упал",
        ),
    ),
    (
        Priority.HIGH,
        (
            r"urgent(?:ly)?",
            r"asap",
            r"a\.s\.a\.p",
            r"immediately",
            r"emergency",
            r"can'?t work",
            r"cannot work",
            r"unable to work",
            r"blocked",
            r"blocking",
            r"deadline",
            r"right now",
            r"critical",
            r"срочно",
            r"срочная",
            r"срочный",
            r"не могу работать",
            r"невозможно работать",
            r"немедленно",
            r"горит",
            r"блокирует",
            r"дедлайн",
            r"прямо сейчас",
            r"критично",
            r"работа стоит",
        ),
    ),
]
_COMPILED = [
    (priority, re.compile(r"(?<!\w)(?:" + "|".join(cues) + r")(?!\w)", re.IGNORECASE))
    for priority, cues in _CUES
]


def assess(text: str) -> PriorityDecision:
    """The priority the employee's words call for, and the cue that decided it."""
    folded = (text or "").replace("ё", "е").replace("Ё", "Е").replace("’", "'")
    for priority, pattern in _COMPILED:
        match = pattern.search(folded)
        if match:
            return PriorityDecision(priority, match.group(0))
    return PriorityDecision(Priority.NORMAL, None)
