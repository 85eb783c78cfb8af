"""Make raw employee text safe to pass on: no control or invisible characters, bounded."""

import re
import unicodedata

MAX_MESSAGE_CHARS = 4000
_KEPT_CONTROLS = {"\n", "\t"}
_BLANK_LINES = re.compile(r"\n{3,}")
_LEADING_SLASHES = re.compile(r"^[\s/]+")


def clean(raw: str) -> str:
    """Text without control and format (zero-width) characters, trimmed.

    Leading slashes are dropped, however spaced ("/ /rate{...}"), so that typed text can never
    pose as a button payload.
    """
    kept = "".join(
        ch
        for ch in unicodedata.normalize("NFC", raw or "")
        if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return _LEADING_SLASHES.sub("", _BLANK_LINES.sub("\n\n", kept)).rstrip()


def truncate(text: str) -> tuple[str, bool]:
    """At most MAX_MESSAGE_CHARS characters; the flag says whether anything was cut."""
    if len(text) <= MAX_MESSAGE_CHARS:
        return text, False
    return text[:MAX_MESSAGE_CHARS], True
