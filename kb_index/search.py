"""Fused search: dense channels (embeddings) and a lexical channel, calibrated into one score."""

from dataclasses import dataclass, replace

import numpy as np

from kb_index.articles import Article, heading_key
from kb_index.calibration import Calibration, shipped, sigmoid
from kb_index.dense import DenseIndex
from kb_index.embedder import ENGLISH, Encoders, QueryVector
from kb_index.lexical import LexicalIndex, LexicalScores
from servicedesk.language import written_language

LEXICAL = "lexical"
# Taken from the log-odds of an article in another language than the employee writes in: of
# two articles that answer equally well (one translated from the other), theirs comes first.
# The calibration's data has one language, which this leaves as it was.
OTHER_LANGUAGE_PENALTY = 0.5
BM25_SHARE = 0.3
# A suggestion far weaker than the best one is noise: keep hits scoring at least this share of it.
RELATIVE_CUTOFF = 0.6


@dataclass(frozen=True)
class Cutoffs:
    """Where a calibrated score stops being worth suggesting."""

    no_match: float  # a best hit below this is "no good match"
    tentative: float  # a best hit from this up to ``no_match`` is shown alone, as "might help"

    @classmethod
    def at(cls, no_match: float) -> "Cutoffs":
        return cls(no_match, no_match)


@dataclass(frozen=True)
class SearchHit:
    """One suggested article."""

    article_id: str
    score: float
    title: str
    excerpt: str
    language: str
    tentative: bool = False  # below the "no good match" threshold, but close


@dataclass(frozen=True)
class DenseFields:
    """One dense channel's vectors: a title index and a passage index, in article order."""

    titles: DenseIndex
    passages: DenseIndex

    def __len__(self) -> int:
        return len(self.titles)


class KnowledgeSearch:
    """Search the knowledge base; ``search`` returns hits worth suggesting, best first."""

    def __init__(
        self,
        articles: list[Article],
        fields: dict[str, DenseFields],
        encoders: Encoders,
        cutoffs: Cutoffs,
        calibration: Calibration | None = None,
    ) -> None:
        """``fields`` hold each channel's vectors (by the names of ``encoders.by_channel()``)."""
        if any(len(articles) != len(f) for f in fields.values()):
            raise ValueError("index and articles disagree; rebuild the index")
        self.articles = articles
        self._by_id = {a.id: a for a in articles}
        self._fields = fields
        self._models = {c: m for c, m in encoders.by_channel().items() if c in fields}
        self._lexical = LexicalIndex(articles)
        self._languages = np.array([a.language for a in articles])
        self._headings = [heading_key(a.title) for a in articles]
        self.cutoffs = cutoffs
        self._calibration = calibration

    def article(self, article_id: str) -> Article | None:
        return self._by_id.get(article_id)

    def search(
        self,
        query: str,
        limit: int = 3,
        language: str | None = None,
        vector: QueryVector | None = None,
    ) -> list[SearchHit]:
        """The best ``limit`` articles for ``query``: none when the best misses the threshold,
        the best alone marked ``tentative`` when it misses it narrowly, and otherwise those
        close enough to the best one.

        Args:
            query: the employee's words.
            limit: at most this many hits.
            language: the conversation's language, a hint for short texts.
            vector: ``query`` already embedded (by the NLU); used when a channel's model
                made it.
        Returns:
            Hits sorted by score, possibly empty ("no good match").
        """
        return self.shown(self.rank(query, limit, language, vector))

    def shown(self, ranked: list[SearchHit]) -> list[SearchHit]:
        """Of ranked hits, those worth suggesting (see ``search``)."""
        if not ranked or ranked[0].score < self.cutoffs.tentative:
            return []
        best = ranked[0]
        if best.score < self.cutoffs.no_match:
            return [replace(best, tentative=True)]
        floor = max(self.cutoffs.no_match, RELATIVE_CUTOFF * best.score)
        return [hit for hit in ranked if hit.score >= floor]

    def rank(
        self,
        query: str,
        limit: int = 10,
        language: str | None = None,
        vector: QueryVector | None = None,
    ) -> list[SearchHit]:
        """The best ``limit`` articles whatever their score; of articles with one title (a
        variant per platform, say), only the best, so that no title is suggested twice."""
        if not query.strip() or not self.articles:
            return []
        written = written_language(query, language)
        calibration = self._calibration or shipped()
        log_odds = calibration.log_odds(self.channel_scores(query, written, vector))
        scores = sigmoid(log_odds - OTHER_LANGUAGE_PENALTY * (self._languages != written))
        return [self._hit(i, float(scores[i])) for i in self._distinct(scores, limit)]

    def _distinct(self, scores: np.ndarray, limit: int) -> list[int]:
        """The indices of the ``limit`` best-scored articles, one per title."""
        chosen, seen = [], set()
        for index in np.argsort(-scores, kind="stable"):
            heading = self._headings[index]
            if heading not in seen:
                seen.add(heading)
                chosen.append(int(index))
                if len(chosen) == limit:
                    break
        return chosen

    def channel_scores(
        self, query: str, written: str, vector: QueryVector | None = None
    ) -> dict[str, np.ndarray]:
        """Every channel's scores of every article for ``query`` written in ``written``, by
        channel name; the English channel only for English queries."""
        scores = {LEXICAL: lexical_scores(self._lexical.score_all(query, written))}
        for channel, model in self._models.items():
            if channel == ENGLISH and written != "en":
                continue
            embedded = vector.values if model.accepts(vector) else model.encode([query])[0]
            fields = self._fields[channel]
            scores[f"{channel}.title"] = fields.titles.similarities(embedded)
            scores[f"{channel}.passage"] = fields.passages.similarities(embedded)
        return scores

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
