"""Numbered choices: XMPP has no buttons, so deskbot numbers them and maps the answer back.

The choices last offered to each person live in the database (``offered_choices``), so any
gateway process, and one restarted, reads "2" as the same choice.
"""

from dataclasses import dataclass

from bot.messages import Button, Reply
from servicedesk.db import Database
from servicedesk.db.models import OfferedChoices as OfferedRow
from servicedesk.db.models import utcnow

SEPARATOR = " · "
SENDER_PREFIX = "xmpp:"  # rows are keyed by sender id, as everywhere else


@dataclass(frozen=True)
class NoSuchChoice:
    """The employee answered with a number deskbot did not offer."""

    number: int
    offered: int


def render(replies: list[Reply]) -> tuple[list[str], list[Button]]:
    """The replies as texts, their buttons numbered across the whole batch ("1 - Solved")."""
    texts, offered = [], []
    for reply in replies:
        numbered = [f"{len(offered) + n} - {b.title}" for n, b in enumerate(reply.buttons, 1)]
        offered += reply.buttons
        texts.append("\n".join(filter(None, [reply.text, SEPARATOR.join(numbered)])))
    return [t for t in texts if t], offered


class OfferedChoices:
    """The last choices offered to each person, kept until new replies replace them."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def offer(self, person: str, buttons: list[Button]) -> None:
        with self._db.unit_of_work() as session:
            row = session.get(OfferedRow, SENDER_PREFIX + person)
            if not buttons:
                if row is not None:
                    session.delete(row)
                return
            offered = [[b.title, b.token] for b in buttons]
            if row is None:
                session.add(OfferedRow(sender_id=SENDER_PREFIX + person, buttons=offered))
            else:
                row.buttons, row.offered_at = offered, utcnow()

    def pick(self, person: str, answer: str) -> str | NoSuchChoice | None:
        """The token the answer chose (by number or by title); None when it is just text."""
        offered = self._offered(person)
        words = answer.strip()
        if offered and words.isdigit() and len(words) <= 6:
            number = int(words)
            if 1 <= number <= len(offered):
                return offered[number - 1].token
            return NoSuchChoice(number, len(offered))
        chosen = [b for b in offered if b.title.casefold() == words.casefold()]
        return chosen[0].token if chosen else None

    def _offered(self, person: str) -> list[Button]:
        with self._db.unit_of_work() as session:
            row = session.get(OfferedRow, SENDER_PREFIX + person)
            return [Button(title, token) for title, token in row.buttons] if row else []
