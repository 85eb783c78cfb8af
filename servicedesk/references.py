"""Ticket numbers in what employees write ("what about SD-1042?")."""

import re

_REFERENCE = re.compile(r"\bSD[-\s]?(\d{1,9})\b", re.IGNORECASE)


def parse_reference(text: str) -> int | None:
    """The ticket number in "what about SD-1042?", or None."""
    match = _REFERENCE.search(text or "")
    return int(match.group(1)) if match else None
