"""steered_forward: readouts at the last real token, padding-independent, per-row coefficients."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from steerbound.empirical.model.forward import (
    SteeredOutputs,
    position_ids_from_mask,
    readout_positions,
    steered_forward,
)

from ..conftest import PROMPTS, encode, random_vector


@torch.no_grad()
def test_readouts_match_a_plain_forward(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    vector = random_vector(model, [0, 1])
    ids, mask = encode(tok, PROMPTS)
    out = steered_forward(model, ids, mask, vector, torch.zeros(len(PROMPTS)))
    assert isinstance(out, SteeredOutputs) and out.logits.dtype == torch.float32
    for i, prompt in enumerate(PROMPTS):
        one = tok([prompt], return_tensors="pt")["input_ids"]
        result = model(one, output_hidden_states=True)
        torch.testing.assert_close(out.logits[i], result.logits[0, -1], rtol=0, atol=1e-5)
        final = result.hidden_states[-1][0, -1]  # transformers ties it to the LM-head input
        torch.testing.assert_close(out.final_hidden[i], final, rtol=0, atol=1e-5)


def test_left_right_padding_and_batching_agree(model_and_tokenizer: tuple[Any, Any]) -> None:
    model, tok = model_and_tokenizer
    vector = random_vector(model, [0, 1], norm=0.5)
    coefficients = torch.tensor([0.0, 1.0, -2.0, 4.0])
    right = steered_forward(model, *encode(tok, PROMPTS, "right"), vector, coefficients)
    left = steered_forward(model, *encode(tok, PROMPTS, "left"), vector, coefficients)
    torch.testing.assert_close(left.logits, right.logits, rtol=0, atol=1e-5)
    torch.testing.assert_close(left.final_hidden, right.final_hidden, rtol=0, atol=1e-5)
    for i, prompt in enumerate(PROMPTS):
        single = steered_forward(model, *encode(tok, [prompt]), vector, coefficients[i : i + 1])
        torch.testing.assert_close(single.logits[0], right.logits[i], rtol=0, atol=1e-5)
    baseline = steered_forward(model, *encode(tok, PROMPTS), None, torch.zeros(4))
    assert torch.equal(baseline.logits[0], right.logits[0])  # r_e = 0 row is exact
    assert (baseline.logits[1:] - right.logits[1:]).abs().amax() > 1e-3  # steering acts


def test_helpers_and_errors(llama: tuple[Any, Any]) -> None:
    model, tok = llama
    mask = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 0], [1, 0, 0, 0]])
    assert readout_positions(mask).tolist() == [3, 2, 0]
    assert position_ids_from_mask(mask).tolist() == [[0, 0, 0, 1], [0, 1, 2, 2], [0, 0, 0, 0]]
    ids, m = encode(tok, PROMPTS)
    with pytest.raises(ValueError, match="coefficients has 2 values for 4 rows"):
        steered_forward(model, ids, m, random_vector(model, [0]), torch.zeros(2))
