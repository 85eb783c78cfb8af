"""Core events passed between the conversation core and the channel adapters."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    """A choice offered to the employee; ``token`` is what the channel sends back."""

    title: str
    token: str


@dataclass(frozen=True)
class Reply:
    """One message for the employee."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    # The outbox row keeping it until the adapter has sent it (bot.conversation); None for a
    # reply that is not kept.
    kept_as: int | None = None
