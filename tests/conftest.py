"""Root fixtures shared by the whole test suite.

``test_organism``: the built-in model organism at its ``"test"`` size (hidden 32, 2 layers),
trained once per test session into a temporary cache (set ``STEERBOUND_TEST_CACHE`` to a
directory to reuse one across sessions while developing) and returned as an
:class:`steerbound.organism.Organism` handle: ``.model_dir("base" | "aligned")`` are
real Hugging Face model directories, ``.load(variant)`` returns ``(model, tokenizer)``,
``.splits`` holds the held-out requests and evaluation questions.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def test_organism_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache directory the session's test organism lives in."""
    shared = os.environ.get("STEERBOUND_TEST_CACHE")
    return Path(shared) if shared else tmp_path_factory.mktemp("steerbound-cache")


@pytest.fixture(scope="session")
def test_organism(test_organism_cache: Path) -> Any:
    """The trained test-size organism (trained once per session, about 15 s on 2 cores)."""
    from steerbound.organism import get_organism

    return get_organism("test", cache_dir=test_organism_cache, progress=False)
