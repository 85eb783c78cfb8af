"""Which language an employee writes in, from the text alone (offline, no model)."""

import re

SUPPORTED = ("en", "ru")
DEFAULT = "en"

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_MIN_LETTERS = 3


def detect(text: str, fallback: str | None = None) -> str:
    """Return "ru" or "en" for ``text``; ``fallback`` when the text says too little.

    Args:
        text: what the employee wrote.
        fallback: the language to keep for short or letterless text ("ok", "1", a payload).
    Returns:
        A language code from ``SUPPORTED``.
    """
    cyrillic = len(_CYRILLIC.findall(text or ""))
    latin = len(_LATIN.findall(text or ""))
    if cyrillic + latin < _MIN_LETTERS or (text or "").startswith("/"):
        return normalise(fallback)
    return "ru" if cyrillic >= latin else "en"


def normalise(code: str | None) -> str:
    """Map a Telegram-style language code ("ru-RU", "en", None) onto a supported language."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in SUPPORTED else DEFAULT
