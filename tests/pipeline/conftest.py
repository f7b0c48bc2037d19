"""The pipeline tests share the tiny saved models of ``tests/empirical/conftest.py``."""

from ..empirical.conftest import family, llama, model_and_tokenizer, model_dirs, tiny_models

__all__ = ["family", "llama", "model_and_tokenizer", "model_dirs", "tiny_models"]
