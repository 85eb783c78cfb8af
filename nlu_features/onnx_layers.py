"""A sentence encoder's layers and mean pooling as an ONNX graph, run by ONNX Runtime.

The graph is built from the encoder's NumPy weights (trained tensors included), so it computes
what nlu_features.minilm's layers compute; the word lookup and the first LayerNorm stay in
NumPy (e5's word table stays packed). On one core ONNX Runtime runs a short message's pass
two to three times faster than NumPy (docs/BENCHMARKS.md, "Speed of a whole turn").
"""

import math

import numpy as np

from nlu_features.minilm import MiniLM, layer_prefix

OPSET = 17  # LayerNormalization


class OnnxPooled:
    """``pooled(texts)`` of ``model``, with its encoder layers in ONNX Runtime.

    With ``branch`` (the same encoder with other weights in its top layers, such as the
    untrained original of a fine-tuned one), ``pooled_with_branch`` also gives the branch's
    pooled vectors; the layers both share run once.
    """

    def __init__(self, model: MiniLM, threads: int = 1, branch: MiniLM | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = threads
        self.model = model
        graph = encoder_graph(model, branch)
        self.has_branch = len(graph.graph.output) > 1
        self._session = onnxruntime.InferenceSession(
            graph.SerializeToString(),
            options,
            providers=["CPUExecutionProvider"],
        )

    def pooled(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return self._run(texts, ["pooled"], batch_size)[0]

    def pooled_with_branch(
        self, texts: list[str], batch_size: int = 64
    ) -> tuple[np.ndarray, np.ndarray]:
        """(the model's pooled vectors, the branch's), one row per text each."""
        model, branch = self._run(texts, ["pooled", BRANCH_OUTPUT], batch_size)
        return model, branch

    def _run(self, texts: list[str], outputs: list[str], batch_size: int) -> list[np.ndarray]:
        rows = [np.zeros((len(texts), self.model.dimension), dtype=np.float32) for _ in outputs]
        for chosen, tokens, mask in self.model.batches(texts, batch_size):
            embedded = self.model.embed(tokens).astype(np.float32)
            results = self._session.run(outputs, {"embedded": embedded, "mask": mask})
            for row, result in zip(rows, results, strict=True):
                row[chosen] = result
        return rows


BRANCH_OUTPUT = "branch_pooled"


def encoder_graph(model: MiniLM, branch: MiniLM | None = None):
    """The ONNX model: (embedded, mask) -> the mean of the last hidden states ("pooled"); with
    ``branch``, also the mean of the branch's ("branch_pooled"), which leaves the model's
    layers where their weights first differ."""
    from onnx import TensorProto, helper

    graph = _Graph(model)
    blocked = graph.node(
        "Unsqueeze", graph.node("Mul", graph.node("Sub", "one", "mask"), "minus_big"), "axes_1_2"
    )
    fork = first_differing_layer(model, branch) if branch is not None else None
    x, forked = "embedded", None
    for layer in range(model.layer_count):
        if layer == fork:
            forked = x
        x = graph.layer(x, blocked, layer_prefix(layer))
    graph.pool(x, "pooled")
    outputs = ["pooled"]
    if forked is not None:
        for layer in range(fork, model.layer_count):
            forked = graph.layer(forked, blocked, layer_prefix(layer), branch.weights, "branch.")
        outputs.append(graph.pool(forked, BRANCH_OUTPUT))
    inputs = [
        helper.make_tensor_value_info(
            "embedded", TensorProto.FLOAT, ["batch", "length", model.dimension]
        ),
        helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "length"]),
    ]
    output_info = [
        helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", model.dimension])
        for name in outputs
    ]
    onnx_graph = helper.make_graph(graph.nodes, "encoder", inputs, output_info, graph.initializers)
    return helper.make_model(onnx_graph, opset_imports=[helper.make_opsetid("", OPSET)])


def first_differing_layer(model: MiniLM, branch: MiniLM) -> int | None:
    """The first encoder layer whose weights differ between ``model`` and ``branch``."""
    for layer in range(model.layer_count):
        prefix = layer_prefix(layer)
        names = [n for n in model.weights if n.startswith(prefix)]
        if any(not np.array_equal(model.weights[n], branch.weights[n]) for n in names):
            return layer
    return None


class _Graph:
    """Nodes and initialisers of the graph being built."""

    def __init__(self, model: MiniLM) -> None:
        from onnx import numpy_helper

        self.model, self.nodes, self.initializers = model, [], []
        self._from_array, self._count = numpy_helper.from_array, 0
        per_head = model.dimension // model.head_count
        constants = {
            "one": np.float32(1.0),
            "minus_big": np.float32(-1e9),
            "half": np.float32(0.5),
            "root_half": np.float32(1 / math.sqrt(2)),
            "scale": np.float32(1 / math.sqrt(per_head)),
            "axes_1_2": np.array([1, 2], dtype=np.int64),
            "axis_1": np.array([1], dtype=np.int64),
            "axis_2": np.array([2], dtype=np.int64),
            "heads": np.array([0, 0, model.head_count, per_head], dtype=np.int64),
            "merged": np.array([0, 0, model.dimension], dtype=np.int64),
        }
        for name, value in constants.items():
            self.constant(name, np.asarray(value))

    def constant(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(self._from_array(value, name))
        return name

    def node(self, op: str, *inputs: str, output: str | None = None, **attributes) -> str:
        from onnx import helper

        self._count += 1
        output = output or f"{op.lower()}_{self._count}"
        self.nodes.append(helper.make_node(op, list(inputs), [output], **attributes))
        return output

    def linear(self, x: str, name: str, weights: dict[str, np.ndarray], tag: str = "") -> str:
        weight = self.constant(
            f"{tag}{name}.weight.T", np.ascontiguousarray(weights[f"{name}.weight"].T)
        )
        bias = self.constant(f"{tag}{name}.bias", weights[f"{name}.bias"])
        return self.node("Add", self.node("MatMul", x, weight), bias)

    def layer_norm(self, x: str, name: str, weights: dict[str, np.ndarray], tag: str = "") -> str:
        scale = self.constant(f"{tag}{name}.weight", weights[f"{name}.weight"])
        bias = self.constant(f"{tag}{name}.bias", weights[f"{name}.bias"])
        return self.node(
            "LayerNormalization", x, scale, bias, axis=-1, epsilon=self.model.layer_norm_eps
        )

    def pool(self, x: str, output: str) -> str:
        """The mean of ``x`` over the real tokens."""
        kept = self.node("Unsqueeze", "mask", "axis_2")
        total = self.node("ReduceSum", self.node("Mul", x, kept), "axis_1", keepdims=0)
        count = self.node("ReduceSum", "mask", "axis_1", keepdims=1)
        return self.node("Div", total, count, output=output)

    def layer(
        self,
        x: str,
        blocked: str,
        name: str,
        weights: dict[str, np.ndarray] | None = None,
        tag: str = "",
    ) -> str:
        """Encoder layer ``name`` with ``weights`` (the model's by default); ``tag`` keeps its
        initialisers apart from another copy's."""
        weights = self.model.weights if weights is None else weights

        def linear(y: str, part: str) -> str:
            return self.linear(y, f"{name}{part}", weights, tag)

        def layer_norm(y: str, part: str) -> str:
            return self.layer_norm(y, f"{name}{part}", weights, tag)

        def heads(projection: str, order: list[int]) -> str:
            split = self.node("Reshape", linear(x, f"attention.self.{projection}"), "heads")
            return self.node("Transpose", split, perm=order)

        scores = self.node(
            "Mul",
            self.node("MatMul", heads("query", [0, 2, 1, 3]), heads("key", [0, 2, 3, 1])),
            "scale",
        )
        probabilities = self.node("Softmax", self.node("Add", scores, blocked), axis=-1)
        context = self.node("MatMul", probabilities, heads("value", [0, 2, 1, 3]))
        merged = self.node("Reshape", self.node("Transpose", context, perm=[0, 2, 1, 3]), "merged")
        attended = layer_norm(
            self.node("Add", linear(merged, "attention.output.dense"), x),
            "attention.output.LayerNorm",
        )
        inner = linear(attended, "intermediate.dense")
        erf = self.node("Erf", self.node("Mul", inner, "root_half"))
        gelu = self.node("Mul", self.node("Mul", inner, "half"), self.node("Add", erf, "one"))
        return layer_norm(
            self.node("Add", linear(gelu, "output.dense"), attended), "output.LayerNorm"
        )
