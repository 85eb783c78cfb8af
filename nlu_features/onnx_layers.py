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
    """``pooled(texts)`` of ``model``, with its encoder layers in ONNX Runtime."""

    def __init__(self, model: MiniLM, threads: int = 1) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = threads
        self.model = model
        self._session = onnxruntime.InferenceSession(
            encoder_graph(model).SerializeToString(),
            options,
            providers=["CPUExecutionProvider"],
        )

    def pooled(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        rows = np.zeros((len(texts), self.model.dimension), dtype=np.float32)
        for chosen, tokens, mask in self.model.batches(texts, batch_size):
            embedded = self.model.embed(tokens).astype(np.float32)
            (rows[chosen],) = self._session.run(None, {"embedded": embedded, "mask": mask})
        return rows


def encoder_graph(model: MiniLM):
    """The ONNX model: (embedded, mask) -> the mean of the last hidden states."""
    from onnx import TensorProto, helper

    graph = _Graph(model)
    blocked = graph.node(
        "Unsqueeze", graph.node("Mul", graph.node("Sub", "one", "mask"), "minus_big"), "axes_1_2"
    )
    x = "embedded"
    for layer in range(model.layer_count):
        x = graph.layer(x, blocked, layer_prefix(layer))
    kept = graph.node("Unsqueeze", "mask", "axis_2")
    total = graph.node("ReduceSum", graph.node("Mul", x, kept), "axis_1", keepdims=0)
    count = graph.node("ReduceSum", "mask", "axis_1", keepdims=1)
    graph.node("Div", total, count, output="pooled")
    inputs = [
        helper.make_tensor_value_info(
            "embedded", TensorProto.FLOAT, ["batch", "length", model.dimension]
        ),
        helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "length"]),
    ]
    output = helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", model.dimension])
    onnx_graph = helper.make_graph(graph.nodes, "encoder", inputs, [output], graph.initializers)
    return helper.make_model(onnx_graph, opset_imports=[helper.make_opsetid("", OPSET)])


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

    def linear(self, x: str, name: str) -> str:
        weights = self.model.weights
        weight = self.constant(
            f"{name}.weight.T", np.ascontiguousarray(weights[f"{name}.weight"].T)
        )
        bias = self.constant(f"{name}.bias", weights[f"{name}.bias"])
        return self.node("Add", self.node("MatMul", x, weight), bias)

    def layer_norm(self, x: str, name: str) -> str:
        weights = self.model.weights
        scale = self.constant(f"{name}.weight", weights[f"{name}.weight"])
        bias = self.constant(f"{name}.bias", weights[f"{name}.bias"])
        return self.node(
            "LayerNormalization", x, scale, bias, axis=-1, epsilon=self.model.layer_norm_eps
        )

    def layer(self, x: str, blocked: str, name: str) -> str:
        def heads(projection: str, order: list[int]) -> str:
            split = self.node(
                "Reshape", self.linear(x, f"{name}attention.self.{projection}"), "heads"
            )
            return self.node("Transpose", split, perm=order)

        scores = self.node(
            "Mul",
            self.node("MatMul", heads("query", [0, 2, 1, 3]), heads("key", [0, 2, 3, 1])),
            "scale",
        )
        probabilities = self.node("Softmax", self.node("Add", scores, blocked), axis=-1)
        context = self.node("MatMul", probabilities, heads("value", [0, 2, 1, 3]))
        merged = self.node("Reshape", self.node("Transpose", context, perm=[0, 2, 1, 3]), "merged")
        attended = self.layer_norm(
            self.node("Add", self.linear(merged, f"{name}attention.output.dense"), x),
            f"{name}attention.output.LayerNorm",
        )
        inner = self.linear(attended, f"{name}intermediate.dense")
        erf = self.node("Erf", self.node("Mul", inner, "root_half"))
        gelu = self.node("Mul", self.node("Mul", inner, "half"), self.node("Add", erf, "one"))
        return self.layer_norm(
            self.node("Add", self.linear(gelu, f"{name}output.dense"), attended),
            f"{name}output.LayerNorm",
        )
