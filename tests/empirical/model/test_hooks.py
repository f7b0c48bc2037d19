"""The steering context manager's invariants (exact where exactness is possible)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from steerbound.empirical.model.blocks import decoder_blocks
from steerbound.empirical.model.forward import forward_kwargs
from steerbound.empirical.model.hooks import steering
from steerbound.empirical.model.loading import load_model

from ..conftest import PROMPTS, encode, random_vector


def _run(model: Any, ids: torch.Tensor, mask: torch.Tensor, **kw: Any) -> Any:
    return model(input_ids=ids, output_hidden_states=True, **forward_kwargs(model, mask), **kw)


def _hook_counts(model: Any) -> list[int]:
    blocks = decoder_blocks(model)
    return [len(model._forward_pre_hooks)] + [len(b._forward_hooks) for b in blocks]


@torch.no_grad()
def test_zero_coefficient_is_exactly_the_baseline(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    ids, mask = encode(tok, PROMPTS)
    vector = random_vector(model, list(range(len(decoder_blocks(model)))))
    base = _run(model, ids, mask).logits
    with steering(model, vector, 0.0):
        zero = _run(model, ids, mask).logits
    with steering(model, vector, torch.zeros(len(PROMPTS))):
        zero_rows = _run(model, ids, mask).logits
    assert torch.equal(base, zero)
    assert torch.equal(base, zero_rows)


@torch.no_grad()
def test_change_at_block_equals_coefficient_times_v(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    ids, mask = encode(tok, PROMPTS)
    n = len(decoder_blocks(model))
    base = _run(model, ids, mask).hidden_states
    for layer in range(n - 1):  # hidden_states[n] is after the final norm in transformers
        vector = random_vector(model, [layer], seed=layer)
        with steering(model, vector, 2.5):
            steered = _run(model, ids, mask).hidden_states
        expected = base[layer + 1] + 2.5 * vector.directions[layer]
        assert torch.equal(steered[layer + 1], expected)
        for earlier in range(layer + 1):
            assert torch.equal(steered[earlier], base[earlier])


@torch.no_grad()
def test_last_block_output_changes_by_coefficient_times_v(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    ids, mask = encode(tok, PROMPTS)
    last = decoder_blocks(model)[-1]
    seen: list[torch.Tensor] = []
    handle = last.register_forward_hook(lambda m, a, out: seen.append(out.clone()))
    try:
        vector = random_vector(model, [len(decoder_blocks(model)) - 1])
        _run(model, ids, mask)
        with steering(model, vector, -1.5):
            _run(model, ids, mask)
    finally:
        handle.remove()
    assert torch.equal(seen[1], seen[0] + -1.5 * vector.directions[vector.layers[0]])


@torch.no_grad()
def test_per_row_coefficients_equal_one_at_a_time(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    prompt = [PROMPTS[0]]
    coefficients = [0.0, 0.5, -1.0, 3.0]
    vector = random_vector(model, [0, 1])
    ids, mask = encode(tok, prompt * len(coefficients))
    with steering(model, vector, torch.tensor(coefficients)):
        batched = _run(model, ids, mask).logits
    one_ids, one_mask = encode(tok, prompt)
    for row, c in enumerate(coefficients):
        with steering(model, vector, c):
            single = _run(model, one_ids, one_mask).logits
        torch.testing.assert_close(batched[row : row + 1], single, rtol=0, atol=1e-5)


def test_hooks_removed_after_exception(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    ids, mask = encode(tok, PROMPTS)
    before = _hook_counts(model)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        base = _run(model, ids, mask).logits
    vector = random_vector(model, [0, 1])
    with pytest.raises(RuntimeError, match="boom"), steering(model, vector, 1.0, from_token=2):
        assert _hook_counts(model) != before
        raise RuntimeError("boom")
    assert _hook_counts(model) == before
    with torch.no_grad():
        assert torch.equal(_run(model, ids, mask).logits, base)
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


@torch.no_grad()
def test_from_token_steers_only_later_positions(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    ids, mask = encode(tok, [PROMPTS[0]])
    vector = random_vector(model, [1])
    base = _run(model, ids, mask).hidden_states[2]
    with steering(model, vector, 1.0, from_token=4):
        steered = _run(model, ids, mask).hidden_states[2]
    assert torch.equal(steered[:, :4], base[:, :4])
    assert torch.equal(steered[:, 4:], base[:, 4:] + vector.directions[1])


@torch.no_grad()
def test_bfloat16_and_errors(
    tiny_models: dict[str, tuple[Any, Any]], model_dirs: dict[str, Path]
) -> None:
    model, tok = tiny_models["qwen2"]
    ids, mask = encode(tok, PROMPTS)
    vector = random_vector(model, [0])
    with pytest.raises(ValueError, match="rows"), steering(model, vector, torch.ones(3)):
        _run(model, ids, mask)
    with pytest.raises(ValueError, match="not in the steering vector"):
        with steering(model, vector, 1.0, layers=[2]):
            pass
    with pytest.raises(ValueError, match="coefficient"):
        with steering(model, vector, torch.ones(2, 2)):
            pass
    half, _ = load_model(model_dirs["qwen2"], dtype="bfloat16")
    with steering(half, vector, 1.0):
        logits = _run(half, ids, mask).logits
    assert logits.dtype == torch.bfloat16 and torch.isfinite(logits).all()
