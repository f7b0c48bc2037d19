"""steered_generate: batched per-row coefficients with the KV cache equal one-at-a-time runs."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from steerbound.empirical.model.generation import steered_generate
from steerbound.empirical.model.hooks import steering

from ..conftest import PROMPTS, random_vector


def test_batched_equals_one_at_a_time(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    vector = random_vector(model, [0, 1], norm=0.3)
    coefficients = [0.0, 1.0, -1.0]
    batched = steered_generate(
        model, tok, PROMPTS[:3], vector, coefficients, max_new_tokens=5, batch_size=9
    )
    assert [(r.prompt_index, r.coefficient) for r in batched] == [
        (i, c) for i in range(3) for c in coefficients
    ]
    for row in batched:
        single = steered_generate(
            model, tok, [PROMPTS[row.prompt_index]], vector, [row.coefficient], max_new_tokens=5
        )
        assert single[0].completion_ids == row.completion_ids
    unsteered = steered_generate(model, tok, PROMPTS[:3], None, [0.0], max_new_tokens=5)
    assert [r.completion_ids for r in unsteered] == [r.completion_ids for r in batched[::3]]


@torch.no_grad()
def test_cached_generation_matches_uncached_greedy(llama: tuple[Any, Any]) -> None:
    """With the KV cache, every generated token is steered and from_token counts cached
    positions: compare with a token-by-token loop without cache."""
    model, tok = llama
    vector = random_vector(model, [1], norm=0.4)
    for steer_prompt in (True, False):
        row = steered_generate(
            model, tok, [PROMPTS[0]], vector, [1.0], max_new_tokens=6, steer_prompt=steer_prompt
        )[0]
        ids = tok([PROMPTS[0]], return_tensors="pt")["input_ids"]
        start = None if steer_prompt else ids.shape[1]
        for _ in range(6):
            with steering(model, vector, 1.0, from_token=start):
                token = model(ids, use_cache=False).logits[:, -1].argmax(-1, keepdim=True)
            ids = torch.cat([ids, token], dim=1)
            if int(token) == tok.eos_token_id:
                break
        assert row.completion_ids == ids[0, -len(row.completion_ids) :].tolist()


def test_sampling_is_seeded_and_errors(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    vector = random_vector(model, [0])
    kw: dict[str, Any] = {"max_new_tokens": 4, "do_sample": True, "temperature": 1.0}
    a = steered_generate(model, tok, PROMPTS[:2], vector, [0.0, 2.0], seed=5, **kw)
    b = steered_generate(model, tok, PROMPTS[:2], vector, [0.0, 2.0], seed=5, **kw)
    assert [r.completion_ids for r in a] == [r.completion_ids for r in b]
    with pytest.raises(ValueError, match="temperature"):
        steered_generate(model, tok, PROMPTS, vector, [1.0], do_sample=True, temperature=0.0)
    with pytest.raises(ValueError, match="prompts"):
        steered_generate(model, tok, "one prompt", vector, [1.0])
