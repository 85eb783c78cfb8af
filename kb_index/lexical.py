"""BM25 over two fields (title + keywords, and body), with an idf-weighted coverage score."""

import math
from collections import Counter
from dataclasses import dataclass

from kb_index.articles import Article
from kb_index.text import terms

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2.0


@dataclass(frozen=True)
class LexicalScore:
    """How well one article matches a query lexically."""

    bm25: float
    coverage: float  # idf-weighted share of the query's terms found in the article, 0..1


class _Field:
    def __init__(self, documents: list[list[str]]) -> None:
        self.frequencies = [Counter(doc) for doc in documents]
        self.lengths = [len(doc) or 1 for doc in documents]
        self.average_length = sum(self.lengths) / max(len(self.lengths), 1)

    def score(self, index: int, term: str, idf: float) -> float:
        tf = self.frequencies[index].get(term, 0)
        if not tf:
            return 0.0
        norm = K1 * (1 - B + B * self.lengths[index] / self.average_length)
        return idf * tf * (K1 + 1) / (tf + norm)


class LexicalIndex:
    """A small BM25F-style index; built in memory from the articles."""

    def __init__(self, articles: list[Article]) -> None:
        titles = [terms(f"{a.title} {' '.join(a.keywords)}") for a in articles]
        bodies = [terms(a.body) for a in articles]
        self._title = _Field(titles)
        self._body = _Field(bodies)
        self._vocabulary = [set(t) | set(b) for t, b in zip(titles, bodies, strict=True)]
        document_frequency = Counter(term for vocab in self._vocabulary for term in vocab)
        count = len(articles)
        self._idf = {
            term: math.log(1 + (count - df + 0.5) / (df + 0.5))
            for term, df in document_frequency.items()
        }

    def score_all(self, query: str) -> list[LexicalScore]:
        """A score for every article, in index order."""
        query_terms = set(terms(query))
        known = [(t, self._idf[t]) for t in query_terms if t in self._idf]
        total_idf = sum(idf for _, idf in known) + sum(
            self._unknown_idf() for t in query_terms if t not in self._idf
        )
        return [self._score(i, known, total_idf) for i in range(len(self._vocabulary))]

    def _score(self, index: int, known: list[tuple[str, float]], total_idf: float) -> LexicalScore:
        bm25 = sum(
            TITLE_WEIGHT * self._title.score(index, t, idf) + self._body.score(index, t, idf)
            for t, idf in known
        )
        matched = sum(idf for t, idf in known if t in self._vocabulary[index])
        return LexicalScore(bm25, matched / total_idf if total_idf else 0.0)

    def _unknown_idf(self) -> float:
        count = len(self._vocabulary)
        return math.log(1 + (count + 0.5) / 0.5)
