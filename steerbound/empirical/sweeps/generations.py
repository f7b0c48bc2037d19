"""Resumable generation sweeps: prompts x a coefficient grid, generated in batches, scored,
stored.

A *unit* is one (prompt, ``r_e``) pair, keyed ``(prompt_id, r_e)`` in the
:class:`~steerbound.empirical.sweeps.store.SweepStore` (the same append-only JSONL store, keyed by a
config hash, as the logit sweep). Units are grouped prompt-major into fixed **blocks** that are
cartesian products (``m`` prompts x the whole grid when ``batch_size >= len(grid)``, else one
prompt x ``batch_size`` coefficients), so each block is one
:func:`~steerbound.empirical.model.generation.steered_generate` batch with per-row coefficients
and the
KV cache. Sampled blocks are seeded with ``seed + block index``, so a resumed sweep reproduces an
uninterrupted one (for a fixed ``batch_size``). A *scorer* turns a block's generations into result
rows (judged answers, sandbox results), committed with the block's units: a sweep killed at any
point resumes without recomputing or duplicating rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from steerbound.empirical.model.generation import steered_generate
from steerbound.empirical.sweeps.logits import (
    SweepPrompt,
    SweepResult,
    as_sweep_prompts,
    distinct_coefficients,
)
from steerbound.empirical.sweeps.store import SweepStore
from steerbound.empirical.vectors.vector import SteeringVector

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


@dataclass(frozen=True)
class GeneratedText:
    """One generation of a sweep: its ``prompt``, ``coefficient`` (r_e), the continuation
    ``text`` (decoded from prompt + new tokens, minus the decoded prompt, so leading spaces
    survive SentencePiece decoding), ``n_new_tokens`` and whether it ``stopped`` at EOS."""

    prompt: SweepPrompt
    coefficient: float
    text: str
    n_new_tokens: int
    stopped: bool


Scorer = Callable[[list[GeneratedText]], list[dict[str, Any]]]


@dataclass(frozen=True)
class GenerationOptions:
    """Decoding options of a generation sweep (see ``steered_generate``)."""

    max_new_tokens: int = 64
    do_sample: bool = False
    temperature: float = 1.0
    seed: int = 0
    batch_size: int = 16
    steer_prompt: bool = True
    layers: Sequence[int] | None = None
    block_template: str | None = None


def product_blocks(
    n_prompts: int, grid: Sequence[float], batch_size: int
) -> list[tuple[list[int], list[float]]]:
    """Prompt-major blocks ``(prompt indices, coefficients)`` of at most ``batch_size`` rows, each
    a product: ``batch_size // len(grid)`` prompts x the whole grid, or one prompt x
    ``batch_size`` coefficients when the grid is longer than a batch."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    values = [float(c) for c in grid]
    if len(values) <= batch_size:
        m = batch_size // len(values)
        return [(list(range(i, min(i + m, n_prompts))), values) for i in range(0, n_prompts, m)]
    chunks = [values[j : j + batch_size] for j in range(0, len(values), batch_size)]
    return [([i], chunk) for i in range(n_prompts) for chunk in chunks]


def continuation_text(
    tokenizer: PreTrainedTokenizerBase, prompt: str, new_ids: Sequence[int]
) -> str:
    """The text the new tokens add to ``prompt``: ``decode(prompt + new) - decode(prompt)``
    (special tokens skipped); falls back to ``decode(new)`` if the prompt's decoding is not a
    prefix (tokenizers that normalise text)."""
    prompt_ids = list(tokenizer(prompt)["input_ids"])
    full = str(tokenizer.decode([*prompt_ids, *new_ids], skip_special_tokens=True))
    head = str(tokenizer.decode(prompt_ids, skip_special_tokens=True))
    if full.startswith(head):
        return str(full[len(head) :])
    return str(tokenizer.decode(list(new_ids), skip_special_tokens=True))


def _generate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    vector: SteeringVector,
    prompts: list[SweepPrompt],
    coefficients: list[float],
    options: GenerationOptions,
    seed: int,
) -> list[GeneratedText]:
    rows = steered_generate(
        model,
        tokenizer,
        [p.text for p in prompts],
        vector,
        coefficients,
        max_new_tokens=options.max_new_tokens,
        do_sample=options.do_sample,
        temperature=options.temperature,
        seed=seed,
        batch_size=len(prompts) * len(coefficients),
        layers=options.layers,
        steer_prompt=options.steer_prompt,
        block_template=options.block_template,
    )
    eos = tokenizer.eos_token_id
    out = []
    for row in rows:
        ids = row.completion_ids
        stopped = eos is not None and bool(ids) and ids[-1] == eos
        text = continuation_text(tokenizer, row.prompt, ids)
        out.append(
            GeneratedText(prompts[row.prompt_index], row.coefficient, text, len(ids), stopped)
        )
    return out


def run_generation_sweep(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[SweepPrompt],
    vector: SteeringVector,
    coefficients: Sequence[float],
    score: Scorer,
    store: SweepStore,
    options: GenerationOptions | None = None,
    *,
    progress: bool = True,
) -> SweepResult:
    """Generate, score and commit every (prompt, coefficient) unit not yet in ``store``."""
    opts = options or GenerationOptions()
    grid = distinct_coefficients(coefficients)
    prompts = as_sweep_prompts(prompts)
    ids = [p.prompt_id for p in prompts]
    blocks = product_blocks(len(prompts), grid, opts.batch_size)
    total = len(prompts) * len(grid)
    skipped = sum((p, c) in store.completed for p in ids for c in grid)
    computed = 0
    bar = tqdm(total=total, initial=skipped, desc="generate", disable=not progress)
    try:
        for index, (members, chunk) in enumerate(blocks):
            todo = [(i, c) for i in members for c in chunk if (ids[i], c) not in store.completed]
            if not todo:
                continue
            seed = opts.seed + index
            if len(todo) == len(members) * len(chunk):
                block = [prompts[i] for i in members]
                generated = _generate(model, tokenizer, vector, block, chunk, opts, seed)
            else:  # a block left half-done by another batch layout: finish it prompt by prompt
                generated = []
                for i in members:
                    mine = [c for j, c in todo if j == i]
                    if mine:
                        generated += _generate(
                            model, tokenizer, vector, [prompts[i]], mine, opts, seed
                        )
            rows = score(generated)
            store.commit([(g.prompt.prompt_id, g.coefficient) for g in generated], rows)
            computed += len(generated)
            bar.update(len(generated))
    finally:
        bar.close()
    return SweepResult(store.rows(), computed, skipped, store)


def write_table(path: Path, rows: Sequence[Mapping[str, Any]], config: Mapping[str, Any]) -> Path:
    """Write ``rows`` as a tidy CSV (columns in first-seen order) and ``config`` next to it as
    ``<stem>.config.json``; returns the CSV path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    sidecar = path.with_name(path.stem + ".config.json")
    payload = {"csv": path.name, **json.loads(json.dumps(dict(config), default=str))}
    sidecar.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
