"""Ticket categories from an employee's words, over the same embeddings as the KB search.

Weighted k-nearest neighbours: the KB articles (with their categories) and labelled example
requests are the neighbours, found by the search's own dense + lexical fusion. A weak best
neighbour or a split vote means "Other" with a triage flag.
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb_index import store
from kb_index.articles import Article
from kb_index.embedder import Encoders
from kb_index.search import Cutoffs, KnowledgeSearch
from servicedesk.language import written_language

NEIGHBOURS = 5
MIN_VOTE_SHARE = 0.35  # chosen by leave-one-out on data/classifier/examples.yml
# The best neighbour's calibrated score below which a request is "Other"; chosen by
# leave-one-out on data/classifier/examples.yml from 0, 0.001, 0.01, 0.03, 0.1 and 0.3.
MIN_SIMILARITY = 0.001
FALLBACK = "Other"


@dataclass(frozen=True)
class Classification:
    category: str
    confidence: float  # the winning category's share of the neighbours' weighted vote
    needs_triage: bool


class CategoryClassifier:
    """``classify`` maps a request onto the catalogue."""

    def __init__(self, neighbours: KnowledgeSearch) -> None:
        self._neighbours = neighbours

    @classmethod
    def build(
        cls,
        articles: list[Article],
        examples: dict[str, list[str]],
        encoders: Encoders,
        catalogue: list[str],
    ) -> "CategoryClassifier":
        """Learn from the KB ``articles`` and ``examples`` ({category: [requests]})."""
        documents = [a for a in articles if a.category in catalogue] + [
            Article(f"example-{category}-{n}", text, category, written_language(text), text)
            for category, texts in examples.items()
            if category in catalogue
            for n, text in enumerate(texts)
        ]
        fields = store.embed_fields(documents, encoders)
        return cls(KnowledgeSearch(documents, fields, encoders, Cutoffs.at(0.0)))

    def classify(self, text: str, language: str | None = None) -> Classification:
        hits = self._neighbours.rank(text, NEIGHBOURS, language)
        votes: dict[str, float] = defaultdict(float)
        best_similarity: dict[str, float] = defaultdict(float)
        for hit in hits:
            category = self._neighbours.article(hit.article_id).category
            votes[category] += max(hit.score, 0.0)
            best_similarity[category] = max(best_similarity[category], hit.score)
        total = sum(votes.values())
        if not total:
            return Classification(FALLBACK, 0.0, needs_triage=True)
        winner = max(votes, key=votes.__getitem__)
        share = round(votes[winner] / total, 3)
        if share < MIN_VOTE_SHARE or best_similarity[winner] < MIN_SIMILARITY:
            return Classification(FALLBACK, share, needs_triage=True)
        return Classification(winner, share, needs_triage=False)


def load_examples(path: Path) -> dict[str, list[str]]:
    """Labelled example requests: a YAML mapping of category to a list of requests."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {str(category): [str(t) for t in texts or []] for category, texts in data.items()}
