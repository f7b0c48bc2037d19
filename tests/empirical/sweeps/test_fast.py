"""The prefix-cached sweep engine equals the plain reference forward, bounds its chunks, falls
back cleanly, leaves the model untouched; batched steered generation equals one-at-a-time."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steerbound.empirical.model.blocks import decoder_blocks
from steerbound.empirical.model.forward import steered_forward
from steerbound.empirical.model.generation import steered_generate
from steerbound.empirical.sweeps.fast import PrefixCachedForward, row_bytes, sweep_grid
from steerbound.empirical.sweeps.logits import SweepBatch, run_sweep
from steerbound.empirical.sweeps.store import SweepStore

from ..conftest import PROMPTS, encode, random_vector

GRID = torch.tensor([-30.0, -4.0, -1.0, 0.0, 0.5, 2.0, 30.0])
TOLERANCE = 1e-5  # max abs difference of float32 log-probabilities (issue 6)


def _log_probs(logits: torch.Tensor) -> torch.Tensor:
    return logits.double().log_softmax(dim=-1)


def _reference(
    model: Any, ids: Any, mask: Any, vector: Any, grid: torch.Tensor, **kwargs: Any
) -> Any:
    n = grid.numel()
    rows = (ids.repeat_interleave(n, 0), mask.repeat_interleave(n, 0))
    return steered_forward(model, *rows, vector, grid.repeat(ids.shape[0]), **kwargs)


def _max_diff(fast: Any, plain: Any) -> float:
    return float((_log_probs(fast.logits) - _log_probs(plain.logits)).abs().max())


def _hook_state(model: Any) -> tuple[Any, ...]:
    """Hooks and patched forwards on the blocks and the LM head.

    Compared before/after rather than required empty: transformers 5 installs its own
    permanent output-capturing hooks the first time ``output_hidden_states`` is used.
    """
    blocks = decoder_blocks(model)
    head = model.get_output_embeddings()
    return (
        tuple("forward" in block.__dict__ for block in blocks),
        tuple(tuple(block._forward_hooks) for block in blocks),
        tuple(tuple(block._forward_pre_hooks) for block in blocks),
        tuple(head._forward_pre_hooks),
        tuple(head._forward_hooks),
    )


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("layers", [[1], [1, 2], [2]])
def test_grid_equals_reference(
    model_and_tokenizer: tuple[Any, Any], side: str, layers: list[int]
) -> None:
    model, tok = model_and_tokenizer
    before = _hook_state(model)
    vector = random_vector(model, layers, seed=3, norm=1.0)
    ids, mask = encode(tok, PROMPTS, side)
    engine = PrefixCachedForward()
    fast = sweep_grid(model, ids, mask, vector, GRID, engine=engine)
    plain = _reference(model, ids, mask, vector, GRID)
    assert engine.last_path == "prefix"
    assert fast.logits.shape == (len(PROMPTS) * GRID.numel(), model.config.vocab_size)
    assert _max_diff(fast, plain) <= TOLERANCE
    torch.testing.assert_close(fast.final_hidden, plain.final_hidden, rtol=1e-5, atol=1e-5)
    assert _hook_state(model) == before
    assert not any(_hook_state(model)[0])
    # the coefficients matter: rows of one prompt differ, and r_e = 0 is the unsteered model
    grid = fast.logits.view(len(PROMPTS), GRID.numel(), -1)
    assert (grid[:, 0] - grid[:, -1]).abs().max() > 1e-2
    unsteered = steered_forward(model, ids, mask, None, torch.zeros(len(PROMPTS)))
    zero = int((GRID == 0).nonzero())
    torch.testing.assert_close(grid[:, zero], unsteered.logits, rtol=1e-5, atol=1e-5)


def test_strategy_rows_with_repeats_and_mixed_padding(
    model_and_tokenizer: tuple[Any, Any],
) -> None:
    """As a ForwardStrategy: arbitrary rows; repeated prompts share one prefix."""
    model, tok = model_and_tokenizer
    vector = random_vector(model, [1, 2], seed=5)
    order = [2, 0, 2, 1, 3, 0, 2, 3, 1]
    coefficients = torch.tensor([1.0, -2.0, 0.0, 5.0, 1.0, 1.0, -7.0, 0.0, 3.0])
    ids, mask = encode(tok, [PROMPTS[i] for i in order], "left")
    plain = steered_forward(model, ids, mask, vector, coefficients)
    engine = PrefixCachedForward()
    fast = engine(model, ids, mask, vector, coefficients)
    assert engine.last_path == "prefix"
    assert _max_diff(fast, plain) <= TOLERANCE


def test_small_budget_chunks_and_matches(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    vector = random_vector(model, [1], seed=7)
    ids, mask = encode(tok, PROMPTS)
    per_row = row_bytes(model.config, ids.shape[1])
    small = PrefixCachedForward(memory_budget_bytes=3 * per_row)

    def chunk_sizes(n_coefficients: int) -> list[tuple[int, int]]:
        grid = torch.linspace(-3, 3, n_coefficients)
        index = torch.arange(len(PROMPTS)).repeat_interleave(n_coefficients)
        chunks = small.plan(model, ids, mask, index, grid.repeat(len(PROMPTS)), vector)
        return [(chunk.rows.numel(), chunk.state.hidden.shape[1]) for chunk in chunks]

    medium, long = chunk_sizes(41), chunk_sizes(81)
    assert sum(n for n, _ in long) == 81 * len(PROMPTS) and len(long) > len(medium) > 4
    for n, width in long:  # every chunk fits the budget (short prompts: more rows per chunk)
        assert n == 1 or n * row_bytes(model.config, width) <= small.memory_budget_bytes
    assert max(long) == max(medium)  # the chunk size does not grow with the grid
    fast = sweep_grid(model, ids, mask, vector, GRID, engine=small)
    whole = sweep_grid(model, ids, mask, vector, GRID, engine=PrefixCachedForward())
    assert _max_diff(fast, whole) <= TOLERANCE
    assert _max_diff(fast, _reference(model, ids, mask, vector, GRID)) <= TOLERANCE


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, len(PROMPTS) - 1), st.floats(-20, 20, width=32)),
        min_size=1,
        max_size=12,
    ),
    first=st.integers(0, 3),
)
def test_random_rows_match(
    llama: tuple[Any, Any], rows: list[tuple[int, float]], first: int
) -> None:
    model, tok = llama
    vector = random_vector(model, list(range(first, 4)), seed=first, norm=0.5)
    ids, mask = encode(tok, [PROMPTS[i] for i, _ in rows])
    coefficients = torch.tensor([c for _, c in rows])
    fast = PrefixCachedForward(memory_budget_bytes=4 * row_bytes(model.config, ids.shape[1]))
    out = fast(model, ids, mask, vector, coefficients)
    assert _max_diff(out, steered_forward(model, ids, mask, vector, coefficients)) <= TOLERANCE


class _ScaledLogits(torch.nn.Module):
    """A wrapper whose forward post-processes the logits (unknown to the engine)."""

    def __init__(self, model: Any) -> None:
        super().__init__()
        self.inner = model
        self.config = model.config

    @property
    def base_model(self) -> Any:
        return self.inner.model

    def get_output_embeddings(self) -> Any:
        return self.inner.get_output_embeddings()

    def get_input_embeddings(self) -> Any:
        return self.inner.get_input_embeddings()

    def forward(self, **kwargs: Any) -> Any:
        out = self.inner(**kwargs)
        out.logits = out.logits * 0.5
        return out


def test_fallback_is_logged_and_exact(
    llama: tuple[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    model, tok = llama
    before = _hook_state(model)
    wrapped = _ScaledLogits(model)
    vector = random_vector(model, [1], seed=2)
    ids, mask = encode(tok, PROMPTS)
    engine = PrefixCachedForward(block_template="inner.model.layers")
    with caplog.at_level(logging.WARNING, logger="steerbound.empirical.sweeps.fast"):
        fast = sweep_grid(wrapped, ids, mask, vector, GRID, engine=engine)
    assert engine.last_path.startswith("plain: replay differs")
    assert "prefix cache off" in caplog.text
    plain = _reference(wrapped, ids, mask, vector, GRID, block_template="inner.model.layers")
    assert torch.equal(fast.logits, plain.logits)
    assert _hook_state(model) == before
    assert not any(_hook_state(model)[0])
    unsteered = PrefixCachedForward()
    out = unsteered(model, ids, mask, None, torch.zeros(len(PROMPTS)))
    assert unsteered.last_path.startswith("plain: no steering vector")
    assert torch.equal(out.logits, steered_forward(model, ids, mask, None, torch.zeros(4)).logits)


def test_model_restored_after_an_error(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    before = _hook_state(model)
    vector = random_vector(model, [1])
    ids, mask = encode(tok, PROMPTS)
    blocks = decoder_blocks(model)

    def explode(module: Any, args: Any) -> None:
        raise RuntimeError("boom")

    handle = blocks[0].register_forward_pre_hook(explode)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            sweep_grid(model, ids, mask, vector, GRID)
    finally:
        handle.remove()
    assert _hook_state(model) == before
    assert not any(_hook_state(model)[0])


def test_bad_arguments(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    vector = random_vector(model, [1])
    ids, mask = encode(tok, PROMPTS)
    with pytest.raises(ValueError, match="memory_budget_bytes"):
        PrefixCachedForward(memory_budget_bytes=0)
    with pytest.raises(ValueError, match="coefficients must not be empty"):
        sweep_grid(model, ids, mask, vector, [])
    with pytest.raises(ValueError, match="coefficients has 3 values"):
        PrefixCachedForward()(model, ids, mask, vector, torch.zeros(3))
    with pytest.raises(ValueError, match="same"):
        PrefixCachedForward()(model, ids, mask[:, :-1], vector, torch.zeros(4))
    with pytest.raises(ValueError, match="not in the steering vector"):
        sweep_grid(model, ids, mask, vector, GRID, layers=[3])
    assert row_bytes(model.config, 20) > row_bytes(model.config, 10) > 0


def test_as_the_sweep_engines_forward(llama: tuple[Any, Any], tmp_path: Path) -> None:
    """run_sweep with the engine as its forward strategy gives the reference's rows."""
    model, tok = llama
    vector = random_vector(model, [1, 2], seed=9)

    def top(batch: SweepBatch) -> list[dict[str, Any]]:
        lp = batch.outputs.logits.log_softmax(dim=-1).max(dim=1).values
        return [
            {"prompt_id": r.prompt.prompt_id, "coefficient": r.coefficient, "value": float(v)}
            for r, v in zip(batch.rows, lp, strict=True)
        ]

    results = []
    for name, forward in (("plain", steered_forward), ("fast", PrefixCachedForward())):
        store = SweepStore(tmp_path / f"{name}.jsonl", {"forward": name})
        sweep = run_sweep(
            model,
            tok,
            PROMPTS,
            vector,
            GRID.tolist(),
            {"top": top},
            store,
            batch_size=14,
            forward=forward,
            progress=False,
        )
        results.append({(r["prompt_id"], r["coefficient"]): r["value"] for r in sweep.rows})
    assert results[0].keys() == results[1].keys() and len(results[0]) == 4 * GRID.numel()
    assert max(abs(results[0][k] - results[1][k]) for k in results[0]) <= TOLERANCE


def test_batched_generation_equals_one_at_a_time(llama: tuple[Any, Any]) -> None:
    """Many coefficients in one KV-cached batch (left padding, mixed prompt lengths) give the
    same greedy tokens as one row at a time, and the first token is the teacher-forced argmax."""
    model, tok = llama
    vector = random_vector(model, [1, 2], seed=4, norm=0.5)
    coefficients = [-6.0, -1.0, 0.0, 0.5, 3.0]
    batched = steered_generate(
        model,
        tok,
        PROMPTS,
        vector,
        coefficients,
        max_new_tokens=8,
        batch_size=len(PROMPTS) * len(coefficients),
    )
    assert len(batched) == len(PROMPTS) * len(coefficients)
    for row in batched:
        single = steered_generate(
            model, tok, [PROMPTS[row.prompt_index]], vector, [row.coefficient], max_new_tokens=8
        )[0]
        assert single.completion_ids == row.completion_ids
    ids, mask = encode(tok, PROMPTS)
    first = sweep_grid(model, ids, mask, vector, coefficients).logits.argmax(dim=1)
    assert [r.completion_ids[0] for r in batched] == first.tolist()
    distinct = {tuple(r.completion_ids) for r in batched if r.prompt_index == 0}
    assert len(distinct) > 1  # the coefficients change the generations
