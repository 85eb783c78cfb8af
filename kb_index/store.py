"""Build an index folder from articles, and load it back."""

import json
import logging
from dataclasses import asdict
from pathlib import Path

import numpy as np

from kb_index.articles import Article
from kb_index.dense import DenseIndex
from kb_index.embedder import Embedder, Encoders
from kb_index.search import Cutoffs, DenseFields, KnowledgeSearch

log = logging.getLogger(__name__)
ARTICLES_FILE = "articles.json"
MODELS_FILE = "models.json"  # which model built each channel


def heading(article: Article) -> str:
    """The title field: title and keywords."""
    return f"{article.title}. {', '.join(article.keywords)}".rstrip(". ")


def passage(article: Article) -> str:
    """The passage field: title, then the body."""
    return f"{article.title}. {article.body}"


# Vectors already made, by channel, then by the text they embed.
Known = dict[str, dict[str, np.ndarray]]


def embed_fields(
    articles: list[Article], encoders: Encoders, known: Known | None = None
) -> dict[str, DenseFields]:
    """Every channel's dense fields of ``articles``, by channel name; texts with a vector in
    ``known`` are not embedded again."""
    known = known or {}
    return {
        channel: _embed(articles, model, known.get(channel, {}))
        for channel, model in encoders.by_channel().items()
    }


def _embed(articles: list[Article], model: Embedder, known: dict[str, np.ndarray]) -> DenseFields:
    # A title is embedded as a passage too: e5 matched questions to titles better so
    # (docs/BENCHMARKS.md, "Retrieval quality").
    return DenseFields(
        DenseIndex.build(_passages([heading(a) for a in articles], model, known)),
        DenseIndex.build(_passages([passage(a) for a in articles], model, known)),
    )


def _passages(texts: list[str], model: Embedder, known: dict[str, np.ndarray]) -> np.ndarray:
    missing = sorted({t for t in texts if t not in known})
    made = dict(zip(missing, model.encode_passages(missing), strict=True))
    return np.stack([known[t] if t in known else made[t] for t in texts]).astype(np.float32)


def known_vectors(index_dir: Path, encoders: Encoders) -> Known:
    """The vectors of an index folder built with ``encoders``' models, by the texts they embed
    (none for a missing folder or one built with other models)."""
    index_dir = Path(index_dir)
    if not (index_dir / ARTICLES_FILE).is_file() or built_with(index_dir) != encoders.record():
        return {}
    articles = read_articles(index_dir)
    known: Known = {}
    for channel in encoders.by_channel():
        for field, text_of in (("titles", heading), ("passages", passage)):
            vectors = DenseIndex.load(index_dir / f"{channel}.{field}.faiss").vectors()
            texts = [text_of(a) for a in articles]
            known.setdefault(channel, {}).update(zip(texts, vectors, strict=True))
    return known


def build(
    articles: list[Article], encoders: Encoders, out_dir: Path, known: Known | None = None
) -> None:
    """Embed ``articles`` (those of ``known`` texts excepted) and write the index folder
    (written aside, then swapped in)."""
    out_dir = Path(out_dir)
    staging = out_dir.with_name(out_dir.name + ".building")
    staging.mkdir(parents=True, exist_ok=True)
    for channel, fields in embed_fields(articles, encoders, known).items():
        fields.titles.save(staging / f"{channel}.titles.faiss")
        fields.passages.save(staging / f"{channel}.passages.faiss")
    (staging / MODELS_FILE).write_text(json.dumps(encoders.record()), encoding="utf-8")
    (staging / ARTICLES_FILE).write_text(
        json.dumps([asdict(a) for a in articles], ensure_ascii=False), encoding="utf-8"
    )
    if out_dir.exists():
        retired = out_dir.with_name(out_dir.name + ".old")
        out_dir.rename(retired)
        staging.rename(out_dir)
        _remove_tree(retired)
    else:
        staging.rename(out_dir)


def load(index_dir: Path, encoders: Encoders, cutoffs: Cutoffs) -> KnowledgeSearch:
    """Open an index folder written by ``build``; rebuilt first, from its own articles, when
    other models built it."""
    index_dir = Path(index_dir)
    articles = read_articles(index_dir)
    if built_with(index_dir) != encoders.record():
        log.warning("%s was built with other models; re-embedding its articles", index_dir)
        build(articles, encoders, index_dir)
    fields = {
        channel: DenseFields(
            DenseIndex.load(index_dir / f"{channel}.titles.faiss"),
            DenseIndex.load(index_dir / f"{channel}.passages.faiss"),
        )
        for channel in encoders.by_channel()
    }
    return KnowledgeSearch(articles, fields, encoders, cutoffs)


def read_articles(index_dir: Path) -> list[Article]:
    raw = json.loads((Path(index_dir) / ARTICLES_FILE).read_text(encoding="utf-8"))
    return [Article(**{**a, "keywords": tuple(a["keywords"])}) for a in raw]


def built_with(index_dir: Path) -> dict[str, str] | None:
    """The models recorded in an index folder; None for a folder that records none."""
    try:
        return json.loads((Path(index_dir) / MODELS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _remove_tree(path: Path) -> None:
    for child in path.iterdir():
        child.unlink()
    path.rmdir()
