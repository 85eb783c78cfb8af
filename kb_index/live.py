"""The index the bot answers from: the one the console published from the database's articles,
or, before any publication, the seed index built at set-up. A new publication is picked up on
the next search, without restarting anything."""

import logging
from pathlib import Path

from kb_index import store
from kb_index.articles import Article
from kb_index.embedder import Encoders
from kb_index.search import Cutoffs, KnowledgeSearch

log = logging.getLogger(__name__)


class LiveIndex:
    """``current()`` is the newest index; checking costs one ``stat``."""

    def __init__(
        self,
        seed_dir: Path,
        live_dir: Path,
        encoders: Encoders,
        cutoffs: Cutoffs,
    ):
        self._seed_dir, self._live_dir = Path(seed_dir), Path(live_dir)
        self._encoders, self._cutoffs = encoders, cutoffs
        self._stamp: tuple | None = None
        self._search: KnowledgeSearch | None = None

    def current(self) -> KnowledgeSearch:
        stamp = _stamp(self._live_dir)
        if self._search is None or stamp != self._stamp:
            folder = self._live_dir if stamp else self._seed_dir
            self._search = store.load(folder, self._encoders, self._cutoffs)
            self._stamp = stamp
            log.info(
                "search index loaded from %s: %d articles", folder, len(self._search.articles)
            )
        return self._search


def publish(
    articles: list[Article],
    encoders: Encoders,
    live_dir: Path,
    cutoffs: Cutoffs,
    seed_dir: Path | None = None,
) -> KnowledgeSearch:
    """Build the live index from ``articles`` (written aside, then swapped in); returns it as
    the bot will search it. Only articles whose texts are in neither the current live index
    nor the seed index are embedded."""
    known: store.Known = {}
    for folder in (seed_dir, live_dir):
        if folder is not None:
            for channel, vectors in store.known_vectors(folder, encoders).items():
                known.setdefault(channel, {}).update(vectors)
    store.build(articles, encoders, Path(live_dir), known)
    return store.load(Path(live_dir), encoders, cutoffs)


def _stamp(live_dir: Path) -> tuple | None:
    try:
        info = (Path(live_dir) / store.ARTICLES_FILE).stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)
