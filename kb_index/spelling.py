"""Typing slips in a query: a Russian message typed on the English layout, and one-letter typos."""

import re
from collections.abc import Callable

_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_RUSSIAN_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюё"
_TO_RUSSIAN_LAYOUT = str.maketrans(_LATIN_KEYS + _LATIN_KEYS.upper(), _RUSSIAN_KEYS * 2)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_ALPHABETS = {
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщъыьэюя",
    "latin": "abcdefghijklmnopqrstuvwxyz",
}
# Shorter words are too easily one letter away from another real word.
MIN_CORRECTABLE_LENGTH = 4


def russian_layout(text: str) -> str:
    """``text`` as it would read had it been typed on the Russian layout ("ghbdtn" -> "привет")."""
    return text.translate(_TO_RUSSIAN_LAYOUT)


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def one_edit_away(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away from ``word``."""
    alphabet = _ALPHABETS["cyrillic" if has_cyrillic(word) else "latin"]
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in alphabet}
    inserts = {a + c + b for a, b in splits for c in alphabet}
    return (deletes | transposes | replaces | inserts) - {word}


def correct(term: str, frequency: Callable[[str], int]) -> str | None:
    """The most frequent known term one edit away from an unknown ``term``, if any.

    Args:
        term: a stemmed query term the index does not know.
        frequency: how many articles hold a term (0 for unknown terms).
    """
    if len(term) < MIN_CORRECTABLE_LENGTH or not term.isalpha():
        return None
    candidates = [(frequency(c), c) for c in one_edit_away(term)]
    best = max((c for c in candidates if c[0] > 0), default=None)
    return best[1] if best else None
