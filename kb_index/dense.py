"""The FAISS index behind a two-method interface; exact or approximate by size."""

from pathlib import Path

import faiss
import numpy as np

# Up to this many vectors the index is exact (a flat scan); above it, approximate (HNSW).
# docs/BENCHMARKS.md ("Scale") has the measurements behind the number.
EXACT_LIMIT = 20_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
# An approximate index scores this many nearest vectors; the others get the lowest of those
# scores, so they can still surface through the lexical channel but never above a dense match.
CANDIDATES = 200


class DenseIndex:
    """Inner-product search over unit vectors (cosine similarity)."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        if self.approximate:
            index.hnsw.efSearch = CANDIDATES

    @classmethod
    def build(cls, vectors: np.ndarray, exact_limit: int = EXACT_LIMIT) -> "DenseIndex":
        """A flat index for up to ``exact_limit`` vectors, an HNSW graph above."""
        if len(vectors) <= exact_limit:
            index = faiss.IndexFlatIP(vectors.shape[1])
        else:
            index = faiss.IndexHNSWFlat(
                vectors.shape[1], HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT
            )
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.add(vectors)
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @property
    def approximate(self) -> bool:
        return hasattr(self._index, "hnsw")

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def vectors(self) -> np.ndarray:
        """The stored vectors, in index order."""
        return self._index.reconstruct_n(0, len(self))

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of ``query`` (one unit row) to every stored vector, in index order
        (beyond an approximate index's candidates, the lowest candidate's similarity)."""
        count = min(CANDIDATES, len(self)) if self.approximate else len(self)
        scores, ids = self._index.search(query.reshape(1, -1), count)
        valid = ids[0] >= 0
        floor = float(scores[0][valid].min()) if valid.any() else -1.0
        result = np.full(len(self), floor if self.approximate else -1.0, dtype=np.float32)
        result[ids[0][valid]] = scores[0][valid]
        return result
