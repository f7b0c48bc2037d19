"""decoder_blocks for the supported families and resolve_layers' specifications."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steerbound.empirical.model.blocks import decoder_blocks, resolve_layers

EXPECTED = {
    "llama": ("model.layers", 4),
    "gpt2": ("transformer.h", 3),
    "qwen2": ("model.layers", 3),
}


def test_known_families(model_and_tokenizer: tuple[Any, Any], family: str) -> None:
    model, _ = model_and_tokenizer
    path, n = EXPECTED[family]
    blocks = decoder_blocks(model)
    assert len(blocks) == n
    assert blocks[0] is model.get_submodule(f"{path}.0")


def test_templates(tiny_models: dict[str, tuple[Any, Any]]) -> None:
    model, _ = tiny_models["gpt2"]
    assert decoder_blocks(model, "transformer.h.{i}") == decoder_blocks(model)
    assert decoder_blocks(model, "transformer.h") == decoder_blocks(model)
    with pytest.raises(ValueError, match="block_template"):
        decoder_blocks(model, "model.layers.{i}")


def test_unknown_architecture() -> None:
    from torch import nn

    with pytest.raises(ValueError, match="block_template"):
        decoder_blocks(nn.Linear(2, 2))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (3, [3]),
        (-1, [39]),
        ([8, 9, 9, 10], [8, 9, 10]),
        (range(8, 16), list(range(8, 16))),
        ("8:16", list(range(8, 16))),
        ("0.2:0.4", list(range(8, 16))),
        (0.5, [20]),
        (1.0, [39]),
        ([0.0, 0.25], [0, 10]),
        (slice(-2, None), [38, 39]),
    ],
)
def test_resolve_layers(spec: Any, expected: list[int]) -> None:
    assert resolve_layers(spec, 40) == expected


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        (40, "out of range"),
        (-41, "out of range"),
        (1.5, r"\[0, 1\]"),
        ("9", "start:stop"),
        ("16:8", "selects no"),
        (True, "int index"),
        ([], "selects no"),
    ],
)
def test_resolve_layers_errors(spec: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolve_layers(spec, 40)


@given(st.integers(1, 80), st.floats(0.0, 1.0))
def test_fraction_always_in_range(n: int, f: float) -> None:
    (layer,) = resolve_layers(f, n)
    assert 0 <= layer < n
