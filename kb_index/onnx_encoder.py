"""A sentence-transformers model whose transformer runs in ONNX Runtime.

The transformer (the model's first module) is exported to ONNX once and cached; tokenising,
pooling and normalising stay sentence-transformers' own modules, so the vectors are the same
(to float precision). On one core a short query embeds about twice as fast as in PyTorch
(docs/BENCHMARKS.md, "Speed of a whole turn").
"""

import hashlib
import inspect
import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
OPSET = 17


class OnnxEncoder:
    """``encode`` gives the sentence embeddings ``model.encode`` would (for one text or more)."""

    def __init__(self, model, cache_dir: Path, threads: int | None = None) -> None:
        import onnxruntime

        self._model = model
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(exported(model, cache_dir)), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = [i.name for i in self._session.get_inputs()]

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return np.concatenate(
            [
                self._encode_batch(texts[start : start + batch_size])
                for start in range(0, len(texts), batch_size)
            ]
        )

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        import torch

        features = self._model.preprocess(texts)
        feed = {name: features[name].numpy().astype(np.int64) for name in self._inputs}
        (tokens,) = self._session.run(None, feed)
        output = {**features, "token_embeddings": torch.from_numpy(tokens)}
        with torch.inference_mode():
            for module in list(self._model)[1:]:
                output = module(output)
        return output["sentence_embedding"].numpy().astype(np.float32)


def exported(model, cache_dir: Path) -> Path:
    """The model's transformer as an ONNX file in ``cache_dir``, exported on first use."""
    target = cache_dir / f"transformer-{_model_key(model)}.onnx"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    log.info("exporting the embedding model's transformer to %s", target)
    handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".onnx.part")
    os.close(handle)
    try:
        _export(model, Path(temporary))
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)  # atomic: another process may export at the same time
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def _export(model, path: Path) -> None:
    import torch

    transformer = model[0].auto_model.eval()
    features = model.preprocess(["an example sentence", "another one"])
    accepted = inspect.signature(transformer.forward).parameters
    names = [
        n
        for n in ("input_ids", "attention_mask", "token_type_ids")
        if n in features and n in accepted
    ]

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    # The TorchScript exporter needs only onnx (the newer one also needs onnxscript); it warns
    # that it is no longer the default, and about the tracing it does.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(),
            tuple(features[n] for n in names),
            str(path),
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "token_embeddings"]},
            opset_version=OPSET,
            dynamo=False,
        )


def _model_key(model) -> str:
    """Changes when the weights or PyTorch's exporter change."""
    import torch

    weights = sorted(
        (name, tensor.shape, float(tensor.float().abs().sum()))
        for name, tensor in model[0].auto_model.state_dict().items()
    )
    digest = hashlib.sha256(repr((weights, torch.__version__, OPSET)).encode())
    return digest.hexdigest()[:16]
