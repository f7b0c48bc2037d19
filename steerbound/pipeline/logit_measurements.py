"""Measurements of the logit sweep of ``steerbound empirical sweep`` (one forward per row).

Behavior datasets record ``behavior`` (``tanh(gap/2)``, normalised over the two answer-token
sets), ``behavior_full`` (``P(positive) - P(negative)`` over the vocabulary) and ``logit_gap``;
this is the **one-token proxy** of the behavior (for the bias settings the paper's answer "100%"
is several tokens, so the configs read ``Yes``/``No``); the judged generations of
:mod:`steerbound.empirical.judged_behavior` are the primary behavior measurement. MMLU records
``p_correct_options``, ``p_correct_full``, ``correct_options`` and ``correct_greedy``; with a
baseline, every dataset also records ``final_hidden_change_norm`` (hidden units) and
``logit_change_norm`` (logit units).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from steerbound.empirical.config import DatasetConfig
from steerbound.empirical.metrics import behavior_from_logits, multiple_choice_metrics
from steerbound.empirical.sweep import (
    Measurement,
    SweepBatch,
    final_hidden_change_norm,
    logit_change_norm,
    row_measurement,
)


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


def dataset_measurements(dataset: DatasetConfig, baseline: bool) -> dict[str, Measurement]:
    """The measurements recorded for ``dataset`` (see the module docstring)."""
    chosen: dict[str, Measurement] = {
        "main": multiple_choice_measurement if dataset.kind == "mmlu" else behavior_measurement
    }
    if baseline:
        chosen["change"] = row_measurement(
            "final_hidden_change_norm", final_hidden_change_norm, needs_baseline=True
        )
        chosen["logit_change"] = row_measurement(
            "logit_change_norm", logit_change_norm, needs_baseline=True
        )
    return chosen
