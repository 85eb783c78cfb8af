"""SentencePiece's unigram tokenizer as XLM-RoBERTa uses it: a per-character normalisation
map, "▁" for spaces, then the most probable split into vocabulary pieces (Viterbi)."""

import re

import numpy as np

SPACE = "\u2581"  # SentencePiece's mark for a space


class Unigram:
    def __init__(
        self,
        pieces: list[str],
        scores: np.ndarray,
        normalised: dict[str, str],
        specials: tuple[int, int, int],
    ) -> None:
        self.ids = {piece: index for index, piece in enumerate(pieces) if piece}
        self.scores = scores.astype(np.float64)
        self.normalised = normalised
        self.bos, self.eos, self.unknown = specials
        self.unknown_score = float(self.scores.min()) - 10.0
        self.longest = max(len(piece) for piece in pieces)

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """<s> pieces... </s>, at most ``max_tokens`` ids in all."""
        # No piece is longer than ``longest``: the text past what the kept pieces can cover is
        # not split at all, so an oversized message costs no more than a long one.
        kept = text[: max_tokens * self.longest]
        return [self.bos, *self.pieces(kept)[: max_tokens - 2], self.eos]

    def pieces(self, text: str) -> list[int]:
        chars = self.normalise(text)
        best = [0.0] + [-np.inf] * len(chars)
        back: list[tuple[int, int]] = [(0, 0)] * (len(chars) + 1)  # (start, piece id)
        for start in range(len(chars)):
            for end in range(start + 1, min(len(chars), start + self.longest) + 1):
                piece = self.ids.get(chars[start:end])
                if piece is not None and piece != self.unknown:
                    score = best[start] + self.scores[piece]
                    if score > best[end]:
                        best[end], back[end] = score, (start, piece)
            unknown = best[start] + self.unknown_score  # the character alone, as <unk>
            if unknown > best[start + 1]:
                best[start + 1], back[start + 1] = unknown, (start, self.unknown)
        ids, end = [], len(chars)
        while end > 0:
            end, piece = back[end]
            ids.append(piece)
        return ids[::-1]

    def normalise(self, text: str) -> str:
        """The mapped characters, runs of spaces as one, and "▁" for every space."""
        text = "".join(self.normalised.get(char, char) for char in text)
        text = re.sub(" {2,}", " ", text)
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", SPACE)
