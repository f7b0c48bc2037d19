"""The one read hook (``recording``) and the one steering delta shared with the prefix engine."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from steerbound.empirical.model.blocks import decoder_blocks
from steerbound.empirical.model.forward import forward_kwargs
from steerbound.empirical.model.hooks import recording, steering, steering_delta
from steerbound.empirical.sweeps import prefix_cache

from ..conftest import PROMPTS, encode, random_vector


@torch.no_grad()
def test_recording_reads_block_outputs_and_sees_steering(
    model_and_tokenizer: tuple[Any, Any],
) -> None:
    model, tok = model_and_tokenizer
    ids, mask = encode(tok, PROMPTS)
    blocks = decoder_blocks(model)
    layers = list(range(len(blocks)))
    kwargs = forward_kwargs(model, mask)
    vector = random_vector(model, [0], norm=0.5)
    model(input_ids=ids, output_hidden_states=True, **kwargs)  # transformers adds its own hooks
    before = [len(b._forward_hooks) for b in blocks]
    with recording({l: blocks[l] for l in layers}) as found:
        states = model(input_ids=ids, output_hidden_states=True, **kwargs).hidden_states
        for l in layers[:-1]:  # the last entry of hidden_states is after the final norm
            assert torch.equal(found[l], states[l + 1])
        with steering(model, vector, 2.0):
            steered = model(input_ids=ids, output_hidden_states=True, **kwargs).hidden_states
        assert torch.equal(found[0], steered[1]) and not torch.equal(found[0], states[1])
    model(input_ids=ids, output_hidden_states=True, **kwargs)
    assert [len(b._forward_hooks) for b in blocks] == before
    head = model.get_output_embeddings()
    head_hooks = len(head._forward_pre_hooks)
    with pytest.raises(RuntimeError), recording({"head": head}, inputs=True) as inputs:
        model(input_ids=ids, **kwargs)
        assert inputs["head"].shape[:2] == ids.shape
        raise RuntimeError("hooks are removed on error too")
    assert len(head._forward_pre_hooks) == head_hooks


def test_one_steering_delta_for_hooks_and_prefix_engine() -> None:
    assert prefix_cache.steering_delta is steering_delta
    like = torch.zeros(3, 2, 4, dtype=torch.float16)
    v = torch.arange(4, dtype=torch.float32)
    rows = steering_delta(v, torch.tensor([0.0, 1.0, -2.0]), like)
    assert rows.shape == (3, 1, 4) and rows.dtype == torch.float16
    assert torch.equal(rows[2, 0], (-2.0 * v).half())
    scalar = steering_delta(v, torch.tensor(0.5), like)
    assert scalar.shape == (1, 1, 4) and torch.equal(scalar[0, 0], (0.5 * v).half())
