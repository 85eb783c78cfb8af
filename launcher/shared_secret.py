"""The secret on the wires between deskbot's processes (the gateway's to Rasa, Rasa's to the
action server): the header that carries it, and how a presented one is checked."""

import hmac

HEADER = "X-Deskbot-Token"  # nlu/endpoints.yml names it too, for Rasa's calls


def matches(presented: str, secret: str) -> bool:
    """Whether ``presented`` is ``secret``, in constant time; any text (non-ASCII, which a
    text comparison refuses with an error) is compared as bytes."""
    return hmac.compare_digest(presented.encode("utf-8", "surrogateescape"), secret.encode())
