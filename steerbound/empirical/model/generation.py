"""Steered generation of many (prompt, coefficient) rows in one batch, with the KV cache.

Each row is one prompt paired with one ``r_e``; a batch holds rows with different coefficients
(per-row coefficients of :func:`steerbound.empirical.steering`). Prompts are left-padded, the
model's ``generate`` runs with the KV cache, and the steering vector is added at every position
(prompt and generated tokens, as in the paper) unless ``from_token`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from tqdm.auto import tqdm

from steerbound.empirical.model.forward import encode_prompts, model_device
from steerbound.empirical.model.hooks import steering

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


if TYPE_CHECKING:  # the model layer takes vectors, never builds them
    from steerbound.empirical.vectors.vector import SteeringVector


@dataclass(frozen=True)
class GenerationRow:
    """One generated completion: ``prompt_index`` into the prompts, its ``coefficient`` (r_e),
    the decoded ``completion`` (special tokens removed) and its token ids (pads removed)."""

    prompt_index: int
    prompt: str
    coefficient: float
    completion: str
    completion_ids: list[int]


@torch.no_grad()
def steered_generate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    vector: SteeringVector | None,
    coefficients: Sequence[float],
    *,
    max_new_tokens: int = 64,
    do_sample: bool = False,
    temperature: float = 1.0,
    seed: int = 0,
    batch_size: int = 16,
    layers: Sequence[int] | None = None,
    steer_prompt: bool = True,
    block_template: str | None = None,
    progress: bool = False,
) -> list[GenerationRow]:
    """Generate a completion for every (prompt, coefficient) row, prompt-major order.

    Greedy unless ``do_sample``; sampled rows are seeded with ``torch.manual_seed(seed + batch
    index)`` per batch, so sampled text depends on ``batch_size``. ``steer_prompt=False`` steers
    only the generated tokens. ``vector=None`` generates unsteered (coefficients still label rows).
    """
    if isinstance(prompts, str) or not prompts:
        raise ValueError("prompts must be a non-empty sequence of strings")
    if not coefficients:
        raise ValueError("coefficients must be a non-empty sequence")
    if max_new_tokens < 1 or batch_size < 1:
        raise ValueError("max_new_tokens and batch_size must be >= 1")
    if do_sample and temperature <= 0:
        raise ValueError(f"temperature must be positive when sampling, got {temperature}")
    rows = [(i, float(c)) for i in range(len(prompts)) for c in coefficients]
    pad_id = tokenizer.pad_token_id
    eos_id = tokenizer.eos_token_id
    device = model_device(model)
    generator: Any = model  # GenerationMixin.generate (not typed on PreTrainedModel)
    results: list[GenerationRow] = []
    starts = list(range(0, len(rows), batch_size))
    for batch_index, start in enumerate(tqdm(starts, desc="generate", disable=not progress)):
        batch = rows[start : start + batch_size]
        input_ids, mask = encode_prompts(
            tokenizer, [prompts[i] for i, _ in batch], padding_side="left"
        )
        input_ids, mask = input_ids.to(device), mask.to(device)
        options: dict[str, Any] = {
            "attention_mask": mask,
            "max_new_tokens": max_new_tokens,
            "do_sample": do_sample,
            "pad_token_id": pad_id,
            "eos_token_id": eos_id,
        }
        if do_sample:
            options.update(temperature=temperature, top_k=0, top_p=1.0)
            torch.manual_seed(seed + batch_index)
        if vector is None:
            output = generator.generate(input_ids, **options)
        else:
            coefficient = torch.tensor([c for _, c in batch], dtype=torch.float32)
            from_token = None if steer_prompt else input_ids.shape[1]
            with steering(
                model,
                vector,
                coefficient,
                layers=layers,
                from_token=from_token,
                block_template=block_template,
            ):
                output = generator.generate(input_ids, **options)
        new_tokens = output[:, input_ids.shape[1] :].cpu()
        for (prompt_index, coefficient_value), tokens in zip(batch, new_tokens, strict=True):
            ids = [int(t) for t in tokens.tolist()]
            if eos_id is not None and eos_id in ids:
                ids = ids[: ids.index(eos_id) + 1]
            text = str(tokenizer.decode(ids, skip_special_tokens=True))
            results.append(
                GenerationRow(prompt_index, prompts[prompt_index], coefficient_value, text, ids)
            )
    return results
