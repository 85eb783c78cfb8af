"""Fused search: a dense channel (embeddings) and a lexical channel, weighed by query language."""

from dataclasses import dataclass

import numpy as np

from kb_index.articles import Article
from kb_index.dense import DenseIndex
from kb_index.embedder import Embedder
from kb_index.lexical import LexicalIndex, LexicalScore
from servicedesk.language import detect

# How much each channel counts (dense, lexical), by the query's language. The English weights
# were chosen on the stackfaq rephrasings; the packaged English model is weak on Russian, so
# Russian queries lean on the stemmed lexical channel.
CHANNEL_WEIGHTS = {"en": (0.8, 0.2), "ru": (0.2, 0.8)}
SAME_LANGUAGE_BONUS = 0.05
BM25_SHARE = 0.3
# A suggestion far weaker than the best one is noise: keep hits scoring at least this share of it.
RELATIVE_CUTOFF = 0.6


@dataclass(frozen=True)
class SearchHit:
    """One suggested article."""

    article_id: str
    score: float
    title: str
    excerpt: str
    language: str


class KnowledgeSearch:
    """Search the knowledge base; ``search`` returns hits above the threshold, best first."""

    def __init__(
        self,
        articles: list[Article],
        dense_fields: tuple[DenseIndex, ...],
        embedder: Embedder,
        threshold: float,
    ) -> None:
        """``dense_fields`` hold one vector per article each (title, passage), in article order."""
        if any(len(articles) != len(field) for field in dense_fields):
            raise ValueError("index and articles disagree; rebuild the index")
        self.articles = articles
        self._by_id = {a.id: a for a in articles}
        self._dense_fields = dense_fields
        self._lexical = LexicalIndex(articles)
        self._languages = np.array([a.language for a in articles])
        self._embedder = embedder
        self.threshold = threshold

    def article(self, article_id: str) -> Article | None:
        return self._by_id.get(article_id)

    def search(self, query: str, limit: int = 3, language: str | None = None) -> list[SearchHit]:
        """The best ``limit`` articles for ``query``: none when the best misses the threshold,
        and only those close enough to the best one.

        Args:
            query: the employee's words.
            limit: at most this many hits.
            language: the query's language; detected from the text when None.
        Returns:
            Hits sorted by score, possibly empty ("no good match").
        """
        hits = self.rank(query, limit, language)
        if not hits or hits[0].score < self.threshold:
            return []
        floor = max(self.threshold, RELATIVE_CUTOFF * hits[0].score)
        return [hit for hit in hits if hit.score >= floor]

    def rank(self, query: str, limit: int = 10, language: str | None = None) -> list[SearchHit]:
        """The best ``limit`` articles whatever their score."""
        if not query.strip() or not self.articles:
            return []
        language = language or detect(query)
        scores = self._fused_scores(query, language)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [self._hit(int(i), float(scores[i])) for i in order]

    def _fused_scores(self, query: str, language: str) -> np.ndarray:
        dense_weight, lexical_weight = CHANNEL_WEIGHTS.get(language, CHANNEL_WEIGHTS["en"])
        vector = self._embedder.encode([query])[0]
        # An article is as close as its closest field: a short title often matches best.
        dense = np.maximum.reduce([field.similarities(vector) for field in self._dense_fields])
        lexical = lexical_scores(self._lexical.score_all(query))
        same_language = (self._languages == language).astype(np.float32)
        return (
            dense_weight * dense + lexical_weight * lexical + SAME_LANGUAGE_BONUS * same_language
        )

    def _hit(self, index: int, score: float) -> SearchHit:
        article = self.articles[index]
        return SearchHit(
            article.id, round(score, 4), article.title, article.excerpt(), article.language
        )


def lexical_scores(scores: list[LexicalScore]) -> np.ndarray:
    """Coverage, scaled by BM25F relative to the best article so that title hits win ties.

    Coverage bounds the result, so a query whose words the KB lacks still scores low.
    """
    coverage = np.array([s.coverage for s in scores], dtype=np.float32)
    bm25 = np.array([s.bm25 for s in scores], dtype=np.float32)
    relative = bm25 / bm25.max() if bm25.size and bm25.max() > 0 else bm25
    return coverage * (1 - BM25_SHARE + BM25_SHARE * relative)
