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


# The languages employees write in and articles may be written in. deskbot answers in
# ``SUPPORTED``; French and Hungarian messages get English answers, but are searched as what
# they are.
WRITTEN = ("en", "ru", "fr", "hu")
_WORD = re.compile(r"[^\W\d_]+")
# Short words frequent in one of the Latin-script languages and rare in the others ("a", "is",
# "de", "on", "me" are left out: two of them share each).
_MARKERS = {
    "en": frozenset(
        "the my i to and not how do does can it of in with for what why where doesn don won "
        "cannot again you your need please this that there have has get".split()
    ),
    "fr": frozenset(
        "le la les je j mon ma mes est pas ne n un une des du et pour avec sur dans comment c "
        "l d qu que ce il vous nous mot plus ça ai oublié fonctionne marche bonjour merci "
        "impossible".split()
    ),
    "hu": frozenset(
        "az egy nem hogy és meg van vagy mi hogyan kell nincs már még miért hol tudok tudom "
        "szeretném kérem szia köszönöm működik elfelejtettem jelszó jelszavam jelszavamat "
        "nekem".split()
    ),
}
# Letters that English does not write (é both French and Hungarian do).
_LETTERS = {"fr": frozenset("àâçèéêëîïôœùûÿ"), "hu": frozenset("őűáéíóúöü")}


def written_language(text: str, fallback: str | None = None) -> str:
    """The language of ``WRITTEN`` that ``text`` is in: Russian as ``detect`` says; Latin-script
    text is French or Hungarian when more of its words and letters say so than say English.

    Args:
        text: what the employee wrote.
        fallback: as for ``detect``, for text that says too little.
    Returns:
        A language code from ``WRITTEN``.
    """
    if detect(text, fallback) == "ru":
        return "ru"
    words = _WORD.findall((text or "").lower())
    letters = "".join(words)
    votes = {
        language: sum(w in markers for w in words)
        + 2 * sum(ch in _LETTERS.get(language, ()) for ch in letters)
        for language, markers in _MARKERS.items()
    }
    best = max(votes, key=votes.__getitem__)  # on a tie, the first: French before Hungarian
    return best if votes[best] > votes["en"] else "en"
