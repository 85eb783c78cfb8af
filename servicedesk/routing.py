"""Which messages reach the knowledge-base search. A described problem or a question does,
whatever else the NLU reads in it; a command (my tickets, reopen, mute, rate, open a ticket…)
needs clear evidence, and is otherwise offered beside the search's answer. A greeting, "help",
"are you a bot?" or an out-of-scope message is searched too when it is long, unsure or a
question; when the search finds nothing, it gets the answer it would have had."""

import re
from dataclasses import dataclass

from servicedesk.references import parse_reference

SEARCHED = frozenset({"describe_problem", "nlu_fallback"})
# The parse data's key for the reading a search replaced: {"name": intent, "confidence": …}.
INSTEAD_OF = "searched_instead_of"
# Intents that act on the employee's tickets, ratings, profile or subscriptions, or hand the
# conversation on.
COMMANDS = frozenset(
    {
        "request_ticket",
        "human_handoff",
        "check_status",
        "reply_ticket",
        "reopen_ticket",
        "rate",
        "my_profile",
        "mute",
        "unmute",
        "contest_standings",
    }
)
# Small talk, answered with a fixed response when the search finds nothing.
SMALL_TALK = frozenset({"out_of_scope", "greet", "goodbye", "help", "bot_challenge"})
# Said in a few words; a long message with one of these readings is a question in disguise.
# (Answers to deskbot's own questions, "Solved" and "No", stay what they are at any length.)
SHORT_FORMS = COMMANDS | SMALL_TALK
TICKET_COMMANDS = frozenset({"check_status", "reply_ticket", "reopen_ticket"})
# 95 % of deskbot's training examples of commands have at most this many words.
COMMAND_WORDS = 7
# Below this confidence a short command is not taken as said.
CLEAR_CONFIDENCE = 0.9
_WORD = re.compile(r"\w+")
_STARS = re.compile(r"(?<!\d)[1-5](?!\d)|⭐")


@dataclass(frozen=True)
class Route:
    """The intent the dialogue gets, and the one the NLU read when the search replaced it."""

    intent: str
    instead_of: str | None = None


def route(intent: str, confidence: float, text: str) -> Route:
    """Send ``text`` to the search unless the NLU's ``intent`` is clearly what was meant.

    Args:
        intent: the NLU's intent for ``text``.
        confidence: its confidence.
        text: what the employee wrote.
    Returns:
        ``Route(intent)`` to keep it, or ``Route("describe_problem", intent)`` to search.
    """
    if intent not in SHORT_FORMS or has_evidence(intent, text):
        return Route(intent)
    said_plainly = confidence >= CLEAR_CONFIDENCE and len(_WORD.findall(text)) <= COMMAND_WORDS
    if said_plainly and not (intent in SMALL_TALK and "?" in text):
        return Route(intent)
    return Route("describe_problem", intent)


def has_evidence(intent: str, text: str) -> bool:
    """Whether ``text`` carries what the command acts on: a ticket number, a star rating."""
    if intent in TICKET_COMMANDS:
        return parse_reference(text) is not None
    if intent == "rate":
        return bool(_STARS.search(text))
    return False
