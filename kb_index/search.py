"""Fused search: a dense channel (embeddings) and a lexical channel, weighed by query language."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from kb_index.articles import Article
from kb_index.dense import DenseIndex
from kb_index.embedder import Embedder
from kb_index.lexical import LexicalIndex, LexicalScores
from kb_index.settings import ANY_LANGUAGE
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
        threshold: float | Mapping[str, float],
    ) -> None:
        """``dense_fields`` hold one vector per article each (title, passage), in article order.
        ``threshold`` is one number, or one per query language with ``ANY_LANGUAGE`` for the
        rest: fused scores of Russian queries run lower than English ones."""
        if any(len(articles) != len(field) for field in dense_fields):
            raise ValueError("index and articles disagree; rebuild the index")
        self.articles = articles
        self._by_id = {a.id: a for a in articles}
        self._dense_fields = dense_fields
        self._lexical = LexicalIndex(articles)
        self._languages = np.array([a.language for a in articles])
        self._embedder = embedder
        self.thresholds = (
            dict(threshold) if isinstance(threshold, Mapping) else {ANY_LANGUAGE: threshold}
        )

    def article(self, article_id: str) -> Article | None:
        return self._by_id.get(article_id)

    def threshold_for(self, language: str) -> float:
        return self.thresholds.get(language, self.thresholds[ANY_LANGUAGE])

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
        language = language or detect(query)
        return self.shown(self.rank(query, limit, language), language)

    def shown(self, ranked: list[SearchHit], language: str) -> list[SearchHit]:
        """Of ranked hits, those worth suggesting: none when the best misses the threshold."""
        threshold = self.threshold_for(language)
        if not ranked or ranked[0].score < threshold:
            return []
        floor = max(threshold, RELATIVE_CUTOFF * ranked[0].score)
        return [hit for hit in ranked if hit.score >= floor]

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


def lexical_scores(scores: LexicalScores) -> np.ndarray:
    """Coverage, scaled by BM25F relative to the best article so that title hits win ties.

    Coverage bounds the result, so a query whose words the KB lacks still scores low.
    """
    bm25, best = scores.bm25, scores.bm25.max(initial=0.0)
    relative = bm25 / best if best > 0 else bm25
    return scores.coverage * (1 - BM25_SHARE + BM25_SHARE * relative)
