"""The pipeline tests share the tiny saved models of ``tests/empirical/conftest.py``; the hashes
of data files (store keys) are remembered in a temporary cache, not the user's."""

from pathlib import Path

import pytest

from ..empirical.conftest import family, llama, model_and_tokenizer, model_dirs, tiny_models

__all__ = ["family", "llama", "model_and_tokenizer", "model_dirs", "tiny_models"]


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    root = tmp_path_factory.mktemp("steerbound-cache")
    monkeypatch.setenv("STEERBOUND_CACHE", str(root))
    return root
