"""Fine-tunes the top layers of the MiniLM encoder and a softmax head on labelled texts.

Training runs in TensorFlow, which Rasa already ships; answering runs in NumPy
(nlu_features.minilm) with the trained tensors swapped in. The lower layers stay frozen, so
their output is computed once, and each training step runs only the layers being trained: on
two cores that is what keeps CLINC150's 15,100 examples within minutes.
"""

import math
from dataclasses import dataclass

import numpy as np

from nlu_features.minilm import MiniLM, layer_prefix

FROZEN_BATCH = 64
SHUFFLE_WINDOW = 50  # batches: shuffle, then sort each window by length to pad little


@dataclass(frozen=True)
class Training:
    trainable_layers: int = 3
    epochs: int = 4
    min_steps: int = 400  # small data runs more epochs, to this many updates at least
    batch_size: int = 32
    learning_rate: float = 1e-4  # the encoder layers'
    head_learning_rate: float = 1e-3
    dropout: float = 0.1
    random_seed: int = 7


@dataclass(frozen=True)
class FineTuned:
    replaced: dict[str, np.ndarray]  # tensor name -> trained value, for MiniLM(replaced=...)
    head_weight: np.ndarray  # (dimension, classes)
    head_bias: np.ndarray  # (classes,)

    def scores(self, pooled: np.ndarray) -> np.ndarray:
        """One row of class scores per sentence vector of the fine-tuned encoder."""
        return pooled @ self.head_weight + self.head_bias


def fine_tune(
    model: MiniLM, texts: list[str], labels: list[int], classes: int, training: Training
) -> FineTuned:
    """Train the top ``training.trainable_layers`` layers and a head to tell ``labels`` apart."""
    import tensorflow as tf

    tf.random.set_seed(training.random_seed)
    first = model.layer_count - training.trainable_layers
    trained_names = [
        name
        for name in model.weights
        if any(name.startswith(layer_prefix(layer)) for layer in range(first, model.layer_count))
    ]
    encoder = {name: tf.Variable(model.weights[name]) for name in trained_names}
    limit = math.sqrt(6 / (model.dimension + classes))
    rng = np.random.default_rng(training.random_seed)
    head_weight = tf.Variable(
        rng.uniform(-limit, limit, (model.dimension, classes)).astype(np.float32)
    )
    head_bias = tf.Variable(np.zeros(classes, dtype=np.float32))
    layers = TensorFlowLayers(model, encoder, range(first, model.layer_count), training.dropout)
    frozen = frozen_hidden_states(model, texts, first)
    batches = math.ceil(len(texts) / training.batch_size)
    epochs = max(training.epochs, math.ceil(training.min_steps / batches))
    steps = epochs * batches
    encoder_optimizer = tf.keras.optimizers.Adam(_decaying(training.learning_rate, steps))
    head_optimizer = tf.keras.optimizers.Adam(_decaying(training.head_learning_rate, steps))

    @tf.function(reduce_retracing=True, autograph=False)
    def step(x, mask, y):
        with tf.GradientTape() as tape:
            pooled = tf_mean_pool(layers(x, mask, training=True), mask)
            pooled = tf.nn.dropout(pooled, training.dropout)
            logits = tf.matmul(pooled, head_weight) + head_bias
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            )
        encoder_variables, head_variables = list(encoder.values()), [head_weight, head_bias]
        gradients = tape.gradient(loss, [*encoder_variables, *head_variables])
        for optimizer, variables, grads in (
            (encoder_optimizer, encoder_variables, gradients[: len(encoder_variables)]),
            (head_optimizer, head_variables, gradients[len(encoder_variables) :]),
        ):
            optimizer.apply_gradients(zip(grads, variables, strict=True))
        return loss

    targets = np.asarray(labels, dtype=np.int32)
    for _ in range(epochs):
        for chosen in shuffled_batches(frozen, training.batch_size, rng):
            x, mask = padded([frozen[i] for i in chosen])
            step(tf.constant(x), tf.constant(mask), tf.constant(targets[chosen]))
    return FineTuned(
        {name: variable.numpy() for name, variable in encoder.items()},
        head_weight.numpy(),
        head_bias.numpy(),
    )


def frozen_hidden_states(model: MiniLM, texts: list[str], first: int) -> list[np.ndarray]:
    """Each text's hidden states (tokens x dimension) after the frozen layers below ``first``."""
    states: list[np.ndarray] = [np.empty(0)] * len(texts)
    for chosen, tokens, mask in model.batches(texts, FROZEN_BATCH):
        hidden = model.layers(model.embed(tokens), mask, range(first))
        for row, index in enumerate(chosen):
            states[index] = hidden[row, : int(mask[row].sum())]
    return states


def shuffled_batches(
    states: list[np.ndarray], batch_size: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Indices in random batches; within a window of batches, texts of similar length go
    together."""
    order = rng.permutation(len(states))
    window = batch_size * SHUFFLE_WINDOW
    batches = []
    for start in range(0, len(order), window):
        part = sorted(order[start : start + window], key=lambda i: len(states[i]))
        batches += [np.asarray(part[i : i + batch_size]) for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def padded(states: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Hidden states padded with zeros to the longest, and the mask of the real tokens."""
    width = max(len(s) for s in states)
    x = np.zeros((len(states), width, states[0].shape[1]), dtype=np.float32)
    mask = np.zeros((len(states), width), dtype=np.float32)
    for row, state in enumerate(states):
        x[row, : len(state)] = state
        mask[row, : len(state)] = 1.0
    return x, mask


class TensorFlowLayers:
    """Encoder layers in TensorFlow, the same arithmetic as MiniLM.layers in NumPy (tests
    compare them), reading the trained tensors from ``variables``."""

    def __init__(self, model: MiniLM, variables: dict, which: range, dropout: float) -> None:
        self._variables, self._which, self._dropout = variables, which, dropout
        self._heads, self._eps = model.head_count, model.layer_norm_eps

    def __call__(self, x, mask, training: bool = False):
        import tensorflow as tf

        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in self._which:
            x = self._layer(tf, x, blocked, layer_prefix(layer), training)
        return x

    def _layer(self, tf, x, blocked, name: str, training: bool):
        w, heads = self._variables, self._heads
        batch, length, size = tf.shape(x)[0], tf.shape(x)[1], x.shape[-1]
        per_head = size // heads

        def linear(y, tensor: str):
            weight = w[f"{tensor}.weight"]
            flat = tf.matmul(tf.reshape(y, [-1, y.shape[-1]]), weight, transpose_b=True)
            return tf.reshape(flat + w[f"{tensor}.bias"], [batch, length, weight.shape[0]])

        def norm(y, tensor: str):
            mean, variance = tf.nn.moments(y, axes=[-1], keepdims=True)
            scaled = (y - mean) / tf.sqrt(variance + self._eps)
            return scaled * w[f"{tensor}.weight"] + w[f"{tensor}.bias"]

        def drop(y):
            return tf.nn.dropout(y, self._dropout) if training and self._dropout else y

        def split(projection: str):
            y = linear(x, f"{name}attention.self.{projection}")
            return tf.transpose(tf.reshape(y, [batch, length, heads, per_head]), [0, 2, 1, 3])

        scores = tf.matmul(split("query"), split("key"), transpose_b=True)
        probabilities = drop(tf.nn.softmax(scores / math.sqrt(per_head) + blocked, axis=-1))
        context = tf.transpose(tf.matmul(probabilities, split("value")), [0, 2, 1, 3])
        context = tf.reshape(context, [batch, length, size])
        attended = norm(
            drop(linear(context, f"{name}attention.output.dense")) + x,
            f"{name}attention.output.LayerNorm",
        )
        inner = tf.nn.gelu(linear(attended, f"{name}intermediate.dense"), approximate=False)
        return norm(
            drop(linear(inner, f"{name}output.dense")) + attended, f"{name}output.LayerNorm"
        )


def tf_mean_pool(hidden, mask):
    """mean_pool in TensorFlow."""
    import tensorflow as tf

    return tf.reduce_sum(hidden * mask[:, :, None], axis=1) / tf.reduce_sum(
        mask, axis=1, keepdims=True
    )


def _decaying(rate: float, steps: int):
    import tensorflow as tf

    return tf.keras.optimizers.schedules.PolynomialDecay(rate, max(steps, 1), end_learning_rate=0)
