"""Channel-qualified identities: sender ids look like ``tg:<user id>`` or ``xmpp:<bare jid>``."""

from dataclasses import dataclass

KNOWN_CHANNELS = frozenset({"tg", "xmpp", "web"})
MAX_EXTERNAL_ID_LENGTH = 200


class InvalidSenderId(ValueError):
    """The sender id is not ``<channel>:<id>`` with a known channel."""


@dataclass(frozen=True)
class SenderId:
    """A person as one channel knows them."""

    channel: str
    external_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"

    @classmethod
    def parse(cls, raw: str) -> "SenderId":
        """Split ``tg:123`` into its channel and id.

        Raises:
            InvalidSenderId: for an unknown channel, an empty or an overlong id.
        """
        channel, _, external_id = (raw or "").partition(":")
        if channel not in KNOWN_CHANNELS or not external_id:
            raise InvalidSenderId(raw)
        if len(external_id) > MAX_EXTERNAL_ID_LENGTH:
            raise InvalidSenderId(raw[:40])
        return cls(channel, external_id)

    @classmethod
    def parse_or_none(cls, raw: str) -> "SenderId | None":
        """``parse``, with None instead of the error (a sender outside any channel)."""
        try:
            return cls.parse(raw)
        except InvalidSenderId:
            return None
