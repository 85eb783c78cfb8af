"""Group similar questions: the embedding's cosine, or the share of stemmed words two questions
have in common (which carries Russian where the packaged English model is weak)."""

from collections.abc import Sequence

import numpy as np

from kb_index.embedder import Embedder
from kb_index.text import terms, word_overlap

SIMILAR = 0.6  # cosine or word overlap from which two questions are the same gap


def cluster(texts: Sequence[str], embedder: Embedder, similar: float = SIMILAR) -> list[list[int]]:
    """Indexes of ``texts`` grouped by similarity, largest group first (greedy, single pass:
    each question joins the first group whose first question it resembles)."""
    if not texts:
        return []
    vectors = np.asarray(embedder.encode(list(texts)))
    words = [set(terms(t)) for t in texts]
    groups: list[list[int]] = []
    for index in range(len(texts)):
        for group in groups:
            leader = group[0]
            cosine = float(vectors[index] @ vectors[leader])
            if max(cosine, word_overlap(words[index], words[leader])) >= similar:
                group.append(index)
                break
        else:
            groups.append([index])
    return sorted(groups, key=len, reverse=True)
