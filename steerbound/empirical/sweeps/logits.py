"""The logit sweep: prompts x a coefficient grid, batched with per-row coefficients.

A *unit* is one (prompt, coefficient ``r_e``) pair. Units are enumerated prompt-major and cut
into fixed batches of ``batch_size``; each batch runs one steered forward (the ``forward``
strategy, :func:`~steerbound.empirical.model.forward.steered_forward` by default, or the
prefix-cached engine of :mod:`steerbound.empirical.sweeps.fast`); with ``baseline=True`` the
batch's distinct prompts ride along in the same forward with ``r_e = 0`` (the unsteered
baseline). Every measurement turns the batch into result rows, committed to the
:class:`~steerbound.empirical.sweeps.store.SweepStore` a batch at a time; committed units are
skipped on resume, and because batches are fixed, a resumed sweep reproduces an uninterrupted
one exactly.

Generic measurements: :func:`behavior_measurement` (``behavior`` = ``tanh(gap/2)`` normalised
over the two answer-token sets, ``behavior_full`` = ``P(positive) - P(negative)`` over the
vocabulary, ``logit_gap``; a **one-token proxy** of the behavior), and
:func:`multiple_choice_measurement` (``p_correct_options``, ``p_correct_full``,
``correct_options``, ``correct_greedy``); with a baseline, :func:`final_hidden_change_norm`
(hidden units) and :func:`logit_change_norm` (logit units).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import torch
from tqdm.auto import tqdm

from steerbound.empirical.measure.metrics import behavior_from_logits, multiple_choice_metrics
from steerbound.empirical.model.forward import (
    ForwardStrategy,
    SteeredOutputs,
    encode_prompts,
    steered_forward,
)
from steerbound.empirical.model.hooks import check_finite_coefficients
from steerbound.empirical.sweeps.store import SweepStore
from steerbound.empirical.vectors.vector import SteeringVector

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


@dataclass(frozen=True)
class SweepPrompt:
    """A prompt with a stable id and any data its measurements need (answer, token ids ...)."""

    prompt_id: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SweepRow:
    """One unit of a batch: ``prompt`` steered with ``coefficient`` (r_e)."""

    prompt: SweepPrompt
    coefficient: float


@dataclass
class SweepBatch:
    """What a measurement sees: the batch's rows, their steered readouts and (if computed) the
    unsteered readouts of the same prompts, aligned row by row."""

    rows: list[SweepRow]
    outputs: SteeredOutputs
    baseline: SteeredOutputs | None
    tokenizer: PreTrainedTokenizerBase


class Measurement(Protocol):
    """Turns a :class:`SweepBatch` into result rows: dicts with ``prompt_id``, ``coefficient``
    (of the row they describe) and ``value``, optionally ``measurement`` (the engine fills in
    the measurement's name if absent), ``item`` (to key several values of one row, e.g. one per
    token) and further fields."""

    def __call__(self, batch: SweepBatch) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class RowView:
    """One row's readouts, as given to :func:`row_measurement` functions (float32, CPU)."""

    row: SweepRow
    logits: torch.Tensor
    final_hidden: torch.Tensor
    baseline_logits: torch.Tensor | None
    baseline_hidden: torch.Tensor | None


RowFunction = Callable[[RowView], float | Mapping[str, float]]


def row_measurement(name: str, fn: RowFunction, *, needs_baseline: bool = False) -> Measurement:
    """Adapt a per-row function to a :class:`Measurement`.

    ``fn(view)`` returns a float (one row named ``name``) or a mapping ``{suffix: value}``
    (rows named ``name.suffix``).
    """

    def measure(batch: SweepBatch) -> list[dict[str, Any]]:
        if needs_baseline and batch.baseline is None:
            raise ValueError(f"measurement {name!r} needs the baseline; run with baseline=True")
        results: list[dict[str, Any]] = []
        for i, row in enumerate(batch.rows):
            base = batch.baseline
            view = RowView(
                row,
                batch.outputs.logits[i],
                batch.outputs.final_hidden[i],
                base.logits[i] if base is not None else None,
                base.final_hidden[i] if base is not None else None,
            )
            value = fn(view)
            named = (
                [(f"{name}.{k}", v) for k, v in value.items()]
                if isinstance(value, Mapping)
                else [(name, value)]
            )
            results += [
                {
                    "prompt_id": row.prompt.prompt_id,
                    "coefficient": row.coefficient,
                    "measurement": label,
                    "value": float(v),
                }
                for label, v in named
            ]
        return results

    return measure


def final_hidden_change_norm(view: RowView) -> float:
    """``||h_final(r_e) - h_final(0)||`` at the readout position (hidden-state units)."""
    assert view.baseline_hidden is not None
    return float((view.final_hidden - view.baseline_hidden).double().norm())


def logit_change_norm(view: RowView) -> float:
    """``||logits(r_e) - logits(0)||`` at the readout position (logit units, not hidden)."""
    assert view.baseline_logits is not None
    return float((view.logits - view.baseline_logits).double().norm())


@dataclass
class SweepResult:
    """Rows of the store after the sweep, and how many units were computed or skipped."""

    rows: list[dict[str, Any]]
    computed_units: int
    skipped_units: int
    store: SweepStore


def coefficient_grid(start: float, stop: float, step: float, *, decimals: int = 10) -> list[float]:
    """``start, start + step, ..., stop`` inclusive (within step/1000), rounded to ``decimals``."""
    if step <= 0 or not all(math.isfinite(x) for x in (start, stop, step)) or stop < start:
        raise ValueError(f"invalid grid start={start}, stop={stop}, step={step}")
    count = math.floor((stop - start) / step + 1e-3) + 1
    return [round(start + i * step, decimals) + 0.0 for i in range(count)]


def as_sweep_prompts(prompts: Sequence[SweepPrompt | str]) -> list[SweepPrompt]:
    """``prompts`` as :class:`SweepPrompt` (a plain string ``i`` gets the id ``p{i}``); a
    ``ValueError`` if there are none or two share an id."""
    result = [
        p if isinstance(p, SweepPrompt) else SweepPrompt(f"p{i}", p) for i, p in enumerate(prompts)
    ]
    ids = [p.prompt_id for p in result]
    if not ids or len(set(ids)) != len(ids):
        raise ValueError("prompts must be non-empty with distinct prompt ids")
    return result


def distinct_coefficients(coefficients: Sequence[float]) -> list[float]:
    """The grid as floats; a ``ValueError`` if it is empty, repeats a value or is not finite."""
    grid = [float(c) for c in coefficients]
    check_finite_coefficients(grid)
    if not grid or len(set(grid)) != len(grid):
        raise ValueError("coefficients must be non-empty and distinct")
    return grid


def run_sweep(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[SweepPrompt | str],
    vector: SteeringVector,
    coefficients: Sequence[float],
    measurements: Mapping[str, Measurement],
    store: SweepStore,
    *,
    batch_size: int = 32,
    layers: Sequence[int] | None = None,
    forward: ForwardStrategy = steered_forward,
    baseline: bool = True,
    progress: bool = True,
) -> SweepResult:
    """Evaluate every (prompt, coefficient) unit not yet committed in ``store``."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if not measurements:
        raise ValueError("run_sweep needs at least one measurement")
    clean = as_sweep_prompts(prompts)
    grid = distinct_coefficients(coefficients)
    units = [SweepRow(p, c) for p in clean for c in grid]
    batches = [units[i : i + batch_size] for i in range(0, len(units), batch_size)]
    skipped = sum((r.prompt.prompt_id, r.coefficient) in store.completed for r in units)
    computed = 0
    bar = tqdm(total=len(units), initial=skipped, desc="sweep", disable=not progress)
    try:
        for batch in batches:
            todo = [r for r in batch if (r.prompt.prompt_id, r.coefficient) not in store.completed]
            if not todo:
                continue
            outputs, base = _evaluate(model, tokenizer, vector, todo, forward, layers, baseline)
            view = SweepBatch(todo, outputs, base, tokenizer)
            rows: list[dict[str, Any]] = []
            for name, measurement in measurements.items():
                for result in measurement(view):
                    result.setdefault("measurement", name)
                    rows.append(result)
            store.commit([(r.prompt.prompt_id, r.coefficient) for r in todo], rows)
            computed += len(todo)
            bar.update(len(todo))
    finally:
        bar.close()
    return SweepResult(store.rows(), computed, skipped, store)


def _evaluate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    vector: SteeringVector,
    rows: list[SweepRow],
    forward: ForwardStrategy,
    layers: Sequence[int] | None,
    baseline: bool,
) -> tuple[SteeredOutputs, SteeredOutputs | None]:
    """One forward of the batch's rows; with ``baseline``, each distinct prompt is appended once
    more with ``r_e = 0`` to the same forward (same padding; ``r_e = 0`` rows then match it up to
    the float rounding of a different batch row, about 1e-7 relative on CPU), and the unsteered
    readouts are expanded back to the rows."""
    by_id = {r.prompt.prompt_id: r.prompt for r in rows}
    distinct = list(by_id) if baseline else []
    texts = [r.prompt.text for r in rows] + [by_id[p].text for p in distinct]
    coefficients = [r.coefficient for r in rows] + [0.0] * len(distinct)
    ids, mask = encode_prompts(tokenizer, texts)
    out = forward(
        model, ids, mask, vector, torch.tensor(coefficients, dtype=torch.float32), layers=layers
    )
    n = len(rows)
    steered = SteeredOutputs(out.logits[:n], out.final_hidden[:n])
    if not baseline:
        return steered, None
    index = torch.tensor([n + distinct.index(r.prompt.prompt_id) for r in rows])
    return steered, SteeredOutputs(out.logits[index], out.final_hidden[index])


# ------------------------------------------------- measurements of one-token behavior and MMLU
def _per_row(
    batch: SweepBatch, values: Callable[[np.ndarray, Mapping[str, Any]], Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One result row per (batch row, named value): ``values(logits (1, vocab), prompt.data)``
    returns ``{measurement: array of shape (1,)}``."""
    rows: list[dict[str, Any]] = []
    for i, row in enumerate(batch.rows):
        found = values(batch.outputs.logits[i : i + 1].numpy(), row.prompt.data)
        key = {"prompt_id": row.prompt.prompt_id, "coefficient": row.coefficient}
        rows += [{**key, "measurement": k, "value": float(v[0])} for k, v in found.items()]
    return rows


def behavior_measurement(batch: SweepBatch) -> list[dict[str, Any]]:
    """Behavior expectation rows from ``prompt.data['positive_ids'/'negative_ids']``."""

    def values(logits: np.ndarray, info: Mapping[str, Any]) -> dict[str, Any]:
        b = behavior_from_logits(logits, info["positive_ids"], info["negative_ids"])
        return {"behavior": b.behavior, "behavior_full": b.behavior_full, "logit_gap": b.logit_gap}

    return _per_row(batch, values)


def multiple_choice_measurement(batch: SweepBatch) -> list[dict[str, Any]]:
    """Helpfulness rows from ``prompt.data['option_ids']`` and ``['correct']``."""

    def values(logits: np.ndarray, info: Mapping[str, Any]) -> dict[str, Any]:
        m = multiple_choice_metrics(logits, info["option_ids"], [info["correct"]])
        return {
            "p_correct_options": m.p_correct_options,
            "p_correct_full": m.p_correct_full,
            "correct_options": m.correct_options,
            "correct_greedy": m.correct_greedy,
        }

    return _per_row(batch, values)
