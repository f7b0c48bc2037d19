"""``steering(from_token=...)`` with a KV cache: positions never depend on a keyword name.

Regression for a transformers release that renamed the forward's ``past_key_values`` argument:
the steering hooks read nothing, counted every cached step as position 0 and steered the wrong
tokens. Here the cache travels under a keyword no transformers release uses (a wrapper module),
so a name-based implementation fails these tests whatever transformers version is installed;
the cached, steered greedy loop must equal the token-by-token uncached loop, for Llama, GPT-2
and Qwen2, with left and right padding. Positions that cannot be known raise instead.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import torch
from torch import nn

from steerbound.empirical.model.blocks import KNOWN_BLOCK_PATHS, decoder_blocks
from steerbound.empirical.model.forward import position_ids_from_mask, readout_positions
from steerbound.empirical.model.generation import steered_generate
from steerbound.empirical.model.hooks import steering

from ..conftest import PROMPTS, encode, random_vector

STEPS = 5


def _cache_keyword(model: nn.Module) -> str:
    """The name this transformers release gives the forward's cache argument (test side only)."""
    names = inspect.signature(model.forward).parameters
    for name in ("cache", "past_key_values"):
        if name in names:
            return name
    raise AssertionError(f"no cache argument in {list(names)}")


def _block_path(model: nn.Module) -> str:
    for path in KNOWN_BLOCK_PATHS:
        try:
            model.get_submodule(path)
        except AttributeError:
            continue
        return path
    raise AssertionError("no known block path")


class RenamedCacheLM(nn.Module):
    """A causal LM whose forward takes its KV cache as ``kv_state`` (a name no release uses)."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.keyword = _cache_keyword(inner)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        kv_state: Any,
    ) -> Any:
        return self.inner(
            input_ids=input_ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            use_cache=True,
            **{self.keyword: kv_state},
        )


def _uncached_logits(
    model: nn.Module, vector: Any, ids: torch.Tensor, mask: torch.Tensor, from_token: int
) -> torch.Tensor:
    with steering(model, vector, 1.5, from_token=from_token):
        return model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=position_ids_from_mask(mask),
            use_cache=False,
        ).logits


@pytest.mark.parametrize("side", ["left", "right"])
@torch.no_grad()
def test_cached_greedy_loop_equals_uncached(
    model_and_tokenizer: tuple[Any, Any], side: str
) -> None:
    from transformers import DynamicCache

    model, tok = model_and_tokenizer
    n_blocks = len(decoder_blocks(model))
    vector = random_vector(model, list(range(1, n_blocks)), norm=0.5)
    wrapped = RenamedCacheLM(model)
    template = f"inner.{_block_path(model)}"
    ids, mask = encode(tok, PROMPTS[:2], side=side)
    width = ids.shape[1]
    for from_token in (2, width):  # inside the prompt, and the generated tokens only
        cache = DynamicCache()
        cached_ids, cached_mask = ids, mask
        columns = readout_positions(mask)
        step_ids, step_mask, step_positions = ids, mask, position_ids_from_mask(mask)
        reference_ids, reference_mask = ids, mask
        for step in range(STEPS):
            with steering(wrapped, vector, 1.5, from_token=from_token, block_template=template):
                logits = wrapped(step_ids, step_mask, step_positions, cache).logits
            rows = torch.arange(2)
            cached_logits = logits[rows, columns] if step == 0 else logits[:, -1]
            reference = _uncached_logits(model, vector, reference_ids, reference_mask, from_token)
            reference_logits = reference[rows, columns] if step == 0 else reference[:, -1]
            assert torch.allclose(cached_logits, reference_logits, atol=1e-5, rtol=1e-5), (
                side,
                from_token,
                step,
                float((cached_logits - reference_logits).abs().max()),
            )
            token = reference_logits.argmax(-1, keepdim=True)
            assert torch.equal(cached_logits.argmax(-1, keepdim=True), token)
            cached_ids = torch.cat([cached_ids, token], dim=1)
            cached_mask = torch.cat([cached_mask, torch.ones_like(token)], dim=1)
            step_ids, step_mask = token, cached_mask
            step_positions = position_ids_from_mask(cached_mask)[:, -1:]
            reference_ids, reference_mask = cached_ids, cached_mask
        assert cache.get_seq_length() == width + STEPS - 1


@torch.no_grad()
def test_generate_with_from_token_equals_uncached_loop(
    model_and_tokenizer: tuple[Any, Any],
) -> None:
    """``steered_generate(steer_prompt=False)`` on a left-padded batch of two prompts of
    different lengths: each row equals its own unpadded, uncached, token-by-token loop."""
    model, tok = model_and_tokenizer
    vector = random_vector(model, [1], norm=0.6)
    prompts = [PROMPTS[0], PROMPTS[1]]
    rows = steered_generate(
        model, tok, prompts, vector, [2.0], max_new_tokens=STEPS, steer_prompt=False
    )
    for row in rows:
        ids = tok([row.prompt], return_tensors="pt")["input_ids"]
        start = ids.shape[1]
        for _ in range(len(row.completion_ids)):
            with steering(model, vector, 2.0, from_token=start):
                token = model(ids, use_cache=False).logits[:, -1].argmax(-1, keepdim=True)
            ids = torch.cat([ids, token], dim=1)
        assert row.completion_ids == ids[0, start:].tolist()


class HiddenCacheLM(nn.Module):
    """Keeps its KV cache as internal state, out of the call's arguments: positions unknown."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.keyword = _cache_keyword(inner)
        self.state: Any = None

    def forward(self, input_ids: torch.Tensor) -> Any:
        from transformers import DynamicCache

        if self.state is None:
            self.state = DynamicCache()
        return self.inner(input_ids=input_ids, use_cache=True, **{self.keyword: self.state})


@torch.no_grad()
def test_unknowable_positions_raise(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    vector = random_vector(model, [1])
    ids = tok([PROMPTS[0]], return_tensors="pt")["input_ids"]
    hidden = HiddenCacheLM(model)
    template = f"inner.{_block_path(model)}"
    with steering(hidden, vector, 1.0, from_token=ids.shape[1], block_template=template):
        hidden(ids)  # first call: nothing cached yet, columns 0.. are right
        with pytest.raises(RuntimeError, match="positions are unknown"):
            hidden(ids[:, -1:])
    legacy = tuple((torch.zeros(1, 2, 3, 4), torch.zeros(1, 2, 3, 4)) for _ in range(2))

    class LegacyLM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids: torch.Tensor, past: Any) -> Any:
            return self.inner(input_ids=input_ids, use_cache=False)

    legacy_lm = LegacyLM()
    with (
        steering(legacy_lm, vector, 1.0, from_token=1, block_template=template),
        pytest.raises(RuntimeError, match="legacy tuple"),
    ):
        legacy_lm(ids, legacy)
    with steering(model, vector, 1.0, from_token=1), pytest.raises(RuntimeError, match="mask"):
        model(input_ids=ids, attention_mask=torch.ones(1, ids.shape[1] + 2, dtype=torch.long))
    assert not any(len(b._forward_hooks) for b in decoder_blocks(model))
