"""BERT's uncased WordPiece tokenizer: lower-case, strip accents, split punctuation, then the
longest vocabulary pieces with "##" continuations."""

import unicodedata
from pathlib import Path

MAX_WORD_CHARS = 100


class WordPiece:
    def __init__(self, vocabulary_file: Path) -> None:
        words = Path(vocabulary_file).read_text(encoding="utf-8").splitlines()
        self.ids = {word: index for index, word in enumerate(words)}
        self.unknown, self.cls, self.sep = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """[CLS] pieces... [SEP], at most ``max_tokens`` ids in all."""
        pieces = [p for word in basic_words(text) for p in self._pieces(word)]
        return [self.cls, *pieces[: max_tokens - 2], self.sep]

    def _pieces(self, word: str) -> list[int]:
        if len(word) > MAX_WORD_CHARS:
            return [self.unknown]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    pieces.append(self.ids[piece])
                    break
                end -= 1
            else:
                return [self.unknown]
            start = end
        return pieces


def basic_words(text: str) -> list[str]:
    """Lower-cased, accent-free words and single punctuation marks."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn" and _kept(c))
    words: list[str] = []
    for chunk in text.split():
        current = ""
        for char in chunk:
            if _is_punctuation(char) or _is_cjk(char):
                words.extend([current, char] if current else [char])
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


def _kept(char: str) -> bool:
    return not (ord(char) in (0, 0xFFFD) or unicodedata.category(char) in ("Cc", "Cf")) or (
        char in "\t\n\r"
    )


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
