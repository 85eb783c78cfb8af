"""The NumPy MiniLM used inside Rasa gives the vectors sentence-transformers gives."""

import numpy as np

from kb_index.embedder import Embedder
from kb_index.settings import PACKAGED_MODEL
from nlu_features.minilm import MiniLM
from nlu_features.wordpiece import WordPiece, basic_words

TEXTS = [
    "my laptop does not turn on",
    "Café naïve — résumé, please!!",
    "забыл пароль от учётки",
    "<b>vpn</b> & printer\u200b",
    "",
    "x" * 300,
]


def test_numpy_minilm_matches_sentence_transformers():
    ours = MiniLM().encode(TEXTS)
    reference = Embedder(PACKAGED_MODEL).encode(TEXTS)
    assert ours.shape == reference.shape == (len(TEXTS), 384)
    np.testing.assert_allclose((ours * reference).sum(axis=1), 1.0, atol=1e-4)


def test_long_messages_are_cut_and_nothing_is_no_rows():
    model = MiniLM()
    assert len(model.tokenizer.encode("word " * 1000, 128)) == 128
    assert model.encode([]).shape == (0, 384)


def test_basic_words_split_punctuation_and_drop_accents():
    assert basic_words("Hello, Café!") == ["hello", ",", "cafe", "!"]


def test_unknown_words_become_unk(tmp_path):
    vocabulary = tmp_path / "vocab.txt"
    vocabulary.write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\nprint\n##er\n")
    pieces = WordPiece(vocabulary)
    assert pieces.encode("printer zzz", 10) == [2, 4, 5, 1, 3]


def test_onnx_layers_compute_what_numpy_computes():
    from nlu_features.e5 import E5Small
    from nlu_features.onnx_layers import OnnxPooled

    e5 = E5Small()
    trained = {
        "encoder.layer.11.output.dense.bias": e5.weights["encoder.layer.11.output.dense.bias"]
        + 0.5
    }
    for model in (MiniLM(), E5Small(replaced=trained)):
        onnx = OnnxPooled(model)
        np.testing.assert_allclose(onnx.pooled(TEXTS), model.pooled(TEXTS), atol=1e-4)
    assert OnnxPooled(MiniLM()).pooled([]).shape == (0, 384)
