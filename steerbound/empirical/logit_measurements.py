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

from typing import Any

from steerbound.empirical.config import DatasetConfig
from steerbound.empirical.sweep import (
    Measurement,
    SweepBatch,
    final_hidden_change_norm,
    logit_change_norm,
    row_measurement,
)


def behavior_measurement(batch: SweepBatch) -> list[dict[str, Any]]:
    """Behavior expectation rows from ``prompt.data['positive_ids'/'negative_ids']``."""
    from steerbound.empirical.metrics import behavior_from_logits

    rows: list[dict[str, Any]] = []
    for i, row in enumerate(batch.rows):
        info = row.prompt.data
        b = behavior_from_logits(
            batch.outputs.logits[i : i + 1].numpy(), info["positive_ids"], info["negative_ids"]
        )
        values = {
            "behavior": b.behavior,
            "behavior_full": b.behavior_full,
            "logit_gap": b.logit_gap,
        }
        key = {"prompt_id": row.prompt.prompt_id, "coefficient": row.coefficient}
        rows += [{**key, "measurement": k, "value": float(v[0])} for k, v in values.items()]
    return rows


def multiple_choice_measurement(batch: SweepBatch) -> list[dict[str, Any]]:
    """Helpfulness rows from ``prompt.data['option_ids']`` and ``['correct']``."""
    from steerbound.empirical.metrics import multiple_choice_metrics

    rows: list[dict[str, Any]] = []
    for i, row in enumerate(batch.rows):
        info = row.prompt.data
        m = multiple_choice_metrics(
            batch.outputs.logits[i : i + 1].numpy(), info["option_ids"], [info["correct"]]
        )
        values = {
            "p_correct_options": m.p_correct_options,
            "p_correct_full": m.p_correct_full,
            "correct_options": m.correct_options,
            "correct_greedy": m.correct_greedy,
        }
        key = {"prompt_id": row.prompt.prompt_id, "coefficient": row.coefficient}
        rows += [{**key, "measurement": k, "value": float(v[0])} for k, v in values.items()]
    return rows


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
