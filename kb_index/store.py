"""Build an index folder from articles, and load it back."""

import fcntl
import json
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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
TITLES, PASSAGES = "titles.faiss", "passages.faiss"  # each channel's, as "<channel>.<file>"


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
    index_dir = Path(index_dir).resolve()  # one version, whatever is swapped in meanwhile
    if not (index_dir / ARTICLES_FILE).is_file() or built_with(index_dir) != encoders.record():
        return {}
    articles = read_articles(index_dir)
    known: Known = {}
    for channel in encoders.by_channel():
        fields = _load_fields(index_dir, channel)
        known[channel] = {
            **dict(zip(map(heading, articles), fields.titles.vectors(), strict=True)),
            **dict(zip(map(passage, articles), fields.passages.vectors(), strict=True)),
        }
    return known


def build(
    articles: list[Article], encoders: Encoders, out_dir: Path, known: Known | None = None
) -> None:
    """Embed ``articles`` (those of ``known`` texts excepted) and write the index folder:
    written into a folder of its own, then swapped in (see ``_swap_in``), so that builds at
    the same moment do not share files and a reader never sees half of one."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.building-", dir=out_dir.parent))
    staging.chmod(0o755)  # readable as a folder built in place was
    try:
        for channel, fields in embed_fields(articles, encoders, known).items():
            fields.titles.save(staging / f"{channel}.{TITLES}")
            fields.passages.save(staging / f"{channel}.{PASSAGES}")
        (staging / MODELS_FILE).write_text(json.dumps(encoders.record()), encoding="utf-8")
        (staging / ARTICLES_FILE).write_text(
            json.dumps([asdict(a) for a in articles], ensure_ascii=False), encoding="utf-8"
        )
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Make ``out_dir`` (a symbolic link to a version folder beside it) point at ``staging``,
    in one atomic rename, under a lock shared by every build of ``out_dir``. The version it
    replaces stays for readers still loading it; older ones are removed."""
    with locked(out_dir.with_name(f".{out_dir.name}.lock")):
        version = staging.rename(staging.with_name(staging.name.replace(".building-", ".v-")))
        previous = out_dir.resolve() if out_dir.is_symlink() else None
        if out_dir.is_dir() and not out_dir.is_symlink():  # an older deskbot's plain folder
            previous = out_dir.rename(out_dir.with_name(f"{out_dir.name}.v-{uuid.uuid4().hex}"))
        link = out_dir.with_name(f".{out_dir.name}.link-{uuid.uuid4().hex}")
        link.symlink_to(version.name)
        os.replace(link, out_dir)
        kept = {version.name, previous.name if previous else None}
        for stale in out_dir.parent.glob(f"{out_dir.name}.v-*"):
            if stale.name not in kept:
                shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the file ``path`` (made if missing), across threads and processes."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load(index_dir: Path, encoders: Encoders, cutoffs: Cutoffs) -> KnowledgeSearch:
    """Open an index folder written by ``build``; rebuilt first, from its own articles, when
    other models built it."""
    if built_with(index_dir) != encoders.record():
        log.warning("%s was built with other models; re-embedding its articles", index_dir)
        build(read_articles(index_dir), encoders, index_dir)
    index_dir = Path(index_dir).resolve()  # one version, whatever is swapped in meanwhile
    articles = read_articles(index_dir)
    fields = {channel: _load_fields(index_dir, channel) for channel in encoders.by_channel()}
    return KnowledgeSearch(articles, fields, encoders, cutoffs)


def read_articles(index_dir: Path) -> list[Article]:
    raw = json.loads((Path(index_dir) / ARTICLES_FILE).read_text(encoding="utf-8"))
    return [Article(**{**a, "keywords": tuple(a["keywords"])}) for a in raw]


def _load_fields(index_dir: Path, channel: str) -> DenseFields:
    return DenseFields(
        DenseIndex.load(index_dir / f"{channel}.{TITLES}"),
        DenseIndex.load(index_dir / f"{channel}.{PASSAGES}"),
    )


def built_with(index_dir: Path) -> dict[str, str] | None:
    """The models recorded in an index folder; None for a folder that records none."""
    try:
        return json.loads((Path(index_dir) / MODELS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
