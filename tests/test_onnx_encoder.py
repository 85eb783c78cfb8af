"""The embedding model run by ONNX Runtime gives PyTorch's vectors, exported once."""

import numpy as np
import pytest

from kb_index.embedder import Embedder
from kb_index.settings import PACKAGED_MODEL

TEXTS = [
    "my laptop does not turn on",
    "забыл пароль от учётки",
    "<script>alert(1)</script> & printer\u200b",
    "",
    "🙂🙂🙂",
    "word " * 600,  # longer than the model's token limit
]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("encoder")


def test_onnx_gives_the_vectors_pytorch_gives(onnx_dir):
    onnx = Embedder(PACKAGED_MODEL, threads=1, onnx_cache_dir=onnx_dir)
    ours = onnx.encode(TEXTS)
    reference = Embedder(PACKAGED_MODEL).encode(TEXTS)

    assert onnx._onnx is not None  # really ran in ONNX Runtime
    assert ours.shape == reference.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    np.testing.assert_allclose((ours * reference).sum(axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert onnx.encode([]).shape == (0, 384)


def test_the_export_is_made_once_and_reused(onnx_dir):
    Embedder(PACKAGED_MODEL, onnx_cache_dir=onnx_dir).encode(["first"])
    exported = sorted(onnx_dir.iterdir())
    stamp = exported[0].stat().st_mtime_ns

    Embedder(PACKAGED_MODEL, onnx_cache_dir=onnx_dir).encode(["second"])

    assert [p.name for p in sorted(onnx_dir.iterdir())] == [p.name for p in exported]
    assert len(exported) == 1 and exported[0].suffix == ".onnx"
    assert exported[0].stat().st_mtime_ns == stamp


def test_an_unusable_cache_falls_back_to_pytorch(tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    embedder = Embedder(PACKAGED_MODEL, onnx_cache_dir=blocked)

    vectors = embedder.encode(["printer jam"])

    assert embedder._onnx is None and vectors.shape == (1, 384)
    assert "embedding with PyTorch" in caplog.text
