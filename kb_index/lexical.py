"""BM25 over two fields (title + keywords, and body), with an idf-weighted coverage score."""

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from kb_index.articles import Article
from kb_index.spelling import correct, has_cyrillic, russian_layout
from kb_index.text import LATIN_DEFAULT, is_dictionary_word, terms, token_terms, tokens

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2.0


@dataclass(frozen=True)
class LexicalScores:
    """How well each article matches a query lexically, in index order."""

    bm25: np.ndarray
    coverage: np.ndarray  # idf-weighted share of the query's terms found in the article, 0..1


def _field_weights(documents: list[list[str]]) -> list[Counter[str]]:
    """Each document's BM25 term-frequency part, tf * (K1 + 1) / (tf + norm), by term."""
    lengths = [len(doc) or 1 for doc in documents]
    average = sum(lengths) / max(len(lengths), 1)
    weights = []
    for doc, length in zip(documents, lengths, strict=True):
        norm = K1 * (1 - B + B * length / average)
        weights.append(Counter({t: tf * (K1 + 1) / (tf + norm) for t, tf in Counter(doc).items()}))
    return weights


class LexicalIndex:
    """A BM25F-style index held as postings (a sparse term x article matrix), so a query
    touches only the articles that share a term with it."""

    def __init__(self, articles: list[Article]) -> None:
        titles = _field_weights(
            [terms(f"{a.title} {' '.join(a.keywords)}", a.language) for a in articles]
        )
        bodies = _field_weights([terms(a.body, a.language) for a in articles])
        self._count = len(articles)
        self._frequency: Counter[str] = Counter()
        for title, body in zip(titles, bodies, strict=True):
            self._frequency.update(set(title) | set(body))
        self._row = {term: row for row, term in enumerate(self._frequency)}
        self._idf = np.array(
            [
                math.log(1 + (self._count - df + 0.5) / (df + 0.5))
                for df in self._frequency.values()
            ],
            dtype=np.float32,
        )
        rows, columns, values = [], [], []
        for column, (title, body) in enumerate(zip(titles, bodies, strict=True)):
            for term in set(title) | set(body):
                rows.append(self._row[term])
                columns.append(column)
                values.append(TITLE_WEIGHT * title.get(term, 0.0) + body.get(term, 0.0))
        shape = (len(self._row), self._count)
        self._postings = sparse.csr_matrix(
            (np.array(values, dtype=np.float32), (rows, columns)), shape=shape
        )

    def query_terms(self, query: str, language: str = LATIN_DEFAULT) -> set[str]:
        """The terms of ``query`` written in ``language``, read on the Russian layout when that
        makes more of them known; a misspelt word's term is replaced by a known term a typo
        away."""
        if not has_cyrillic(query):
            switched = russian_layout(query)
            if self._known_share(set(terms(switched))) > self._known_share(
                set(terms(query, language))
            ):
                query = switched
        return {
            self._spelled(term, token)
            for token in tokens(query)
            for term in token_terms(token, language)
        }

    def score_all(self, query: str, language: str = LATIN_DEFAULT) -> LexicalScores:
        """BM25F and coverage of every article for ``query`` written in ``language``."""
        query_terms = self.query_terms(query, language)
        known = [self._row[t] for t in query_terms if t in self._row]
        unknown = len(query_terms) - len(known)
        total_idf = float(self._idf[known].sum()) + unknown * self._unknown_idf()
        bm25 = np.zeros(self._count, dtype=np.float32)
        matched = np.zeros(self._count, dtype=np.float32)
        postings = self._postings
        for row in known:
            start, end = postings.indptr[row], postings.indptr[row + 1]
            articles = postings.indices[start:end]
            bm25[articles] += self._idf[row] * postings.data[start:end]
            matched[articles] += self._idf[row]
        coverage = matched / total_idf if total_idf else matched
        return LexicalScores(bm25, coverage)

    def _spelled(self, term: str, token: str) -> str:
        if term in self._row or is_dictionary_word(token):
            return term
        return correct(term, self._frequency.__getitem__) or term

    def _known_share(self, words: set[str]) -> float:
        return sum(w in self._row for w in words) / len(words) if words else 0.0

    def _unknown_idf(self) -> float:
        return math.log(1 + (self._count + 0.5) / 0.5)
