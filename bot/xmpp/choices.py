"""Numbered choices: XMPP has no buttons, so deskbot numbers them and maps the answer back."""

from dataclasses import dataclass

from bot.messages import Button, Reply

SEPARATOR = " · "


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

    def __init__(self) -> None:
        self._offered: dict[str, list[Button]] = {}

    def offer(self, person: str, buttons: list[Button]) -> None:
        if buttons:
            self._offered[person] = list(buttons)
        else:
            self._offered.pop(person, None)

    def pick(self, person: str, answer: str) -> str | NoSuchChoice | None:
        """The token the answer chose (by number or by title); None when it is just text."""
        offered = self._offered.get(person, [])
        words = answer.strip()
        if offered and words.isdigit() and len(words) <= 6:
            number = int(words)
            if 1 <= number <= len(offered):
                return offered[number - 1].token
            return NoSuchChoice(number, len(offered))
        chosen = [b for b in offered if b.title.casefold() == words.casefold()]
        return chosen[0].token if chosen else None
