"""Group similar questions: the multilingual embedding's cosine, or the share of stemmed words two
questions have in common."""

from collections.abc import Sequence

import numpy as np

from kb_index.embedder import Embedder
from kb_index.text import terms, word_overlap

# The multilingual-e5-small cosine from which two questions are the same gap: where telling
# pairs of questions with one answer from the rest is best (F1) on the public sets, 0.91 on
# rutube-dev and 0.92 on stackfaq (docs/BENCHMARKS.md, "Gap clusters").
SIMILAR = 0.91
SIMILAR_WORDS = 0.6  # the share of stemmed words from which two questions are the same gap


def cluster(texts: Sequence[str], embedder: Embedder, similar: float = SIMILAR) -> list[list[int]]:
    """Indexes of ``texts`` grouped by similarity, largest group first (greedy, single pass:
    each question joins the first group it resembles: by its mean cosine to the group's
    questions, or by the words it shares with the group's first one)."""
    if not texts:
        return []
    vectors = np.asarray(embedder.encode(list(texts)))
    words = [set(terms(t)) for t in texts]
    groups: list[list[int]] = []
    for index in range(len(texts)):
        for group in groups:
            cosine = float((vectors[group] @ vectors[index]).mean())
            overlap = word_overlap(words[index], words[group[0]])
            if cosine >= similar or overlap >= SIMILAR_WORDS:
                group.append(index)
                break
        else:
            groups.append([index])
    return sorted(groups, key=len, reverse=True)
