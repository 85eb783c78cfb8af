"""The FAISS index behind a two-method interface."""

from pathlib import Path

import faiss
import numpy as np


class DenseIndex:
    """Exact inner-product search over unit vectors (cosine similarity)."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> "DenseIndex":
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of ``query`` (one unit row) to every stored vector, in index order."""
        scores, ids = self._index.search(query.reshape(1, -1), len(self))
        result = np.full(len(self), -1.0, dtype=np.float32)
        valid = ids[0] >= 0
        result[ids[0][valid]] = scores[0][valid]
        return result
