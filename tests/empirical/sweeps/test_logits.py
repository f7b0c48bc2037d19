"""The sweep engine: batched per-row coefficients, measurements, resume after a crash."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import torch

from steerbound.empirical.model.forward import steered_forward
from steerbound.empirical.sweeps.logits import (
    SweepBatch,
    SweepPrompt,
    coefficient_grid,
    final_hidden_change_norm,
    logit_change_norm,
    row_measurement,
    run_sweep,
)
from steerbound.empirical.sweeps.store import SweepStore

from ..conftest import PROMPTS, encode, random_vector

GRID = [-1.0, -0.5, 0.0, 0.5, 1.0]


def _measurements(fail_after: int | None = None) -> dict[str, Any]:
    calls = {"n": 0}

    def top_logit(batch: SweepBatch) -> list[dict[str, Any]]:
        calls["n"] += 1
        if fail_after is not None and calls["n"] > fail_after:
            raise RuntimeError("crash inside a measurement")
        best = batch.outputs.logits.max(dim=1)
        return [
            {
                "prompt_id": r.prompt.prompt_id,
                "coefficient": r.coefficient,
                "value": float(v),
                "token": int(t),
            }
            for r, v, t in zip(batch.rows, best.values, best.indices, strict=True)
        ]

    return {
        "top_logit": top_logit,
        "change": row_measurement("hidden_change", final_hidden_change_norm, needs_baseline=True),
        "logit_change": row_measurement("logit_change", logit_change_norm, needs_baseline=True),
    }


def test_resumed_sweep_equals_uninterrupted(llama: tuple[Any, Any], tmp_path: Path) -> None:
    model, tok = llama
    vector = random_vector(model, [1, 2])
    config = {"test": "resume"}
    full = run_sweep(
        model,
        tok,
        PROMPTS,
        vector,
        GRID,
        _measurements(),
        SweepStore(tmp_path / "full.jsonl", config),
        batch_size=3,
        progress=False,
    )
    assert full.computed_units == len(PROMPTS) * len(GRID) and full.skipped_units == 0
    path = tmp_path / "crash.jsonl"
    with pytest.raises(RuntimeError, match="crash"):
        run_sweep(
            model,
            tok,
            PROMPTS,
            vector,
            GRID,
            _measurements(fail_after=3),
            SweepStore(path, config),
            batch_size=3,
            progress=False,
        )
    partial = SweepStore(path, config)
    assert len(partial.completed) == 9  # three committed batches of 3 units
    resumed = run_sweep(
        model, tok, PROMPTS, vector, GRID, _measurements(), partial, batch_size=3, progress=False
    )
    assert resumed.skipped_units == 9 and resumed.computed_units == 11
    assert resumed.rows == full.rows  # identical table, same order, no duplicates
    again = run_sweep(
        model,
        tok,
        PROMPTS,
        vector,
        GRID,
        _measurements(fail_after=0),
        SweepStore(path, config),
        batch_size=3,
        progress=False,
    )
    assert again.computed_units == 0 and again.rows == full.rows
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    resumed.store.to_csv(a)
    full.store.to_csv(b)
    assert a.read_text() == b.read_text()
    assert len(list(csv.DictReader(a.open()))) == 3 * len(PROMPTS) * len(GRID)


def test_sweep_rows_match_the_reference_forward(llama: tuple[Any, Any], tmp_path: Path) -> None:
    model, tok = llama
    vector = random_vector(model, [1])
    prompts = [SweepPrompt("q", PROMPTS[2], {"answer": 1})]
    seen: list[Any] = []

    def spy(model: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(args[3])
        return steered_forward(model, *args, **kwargs)

    result = run_sweep(
        model,
        tok,
        prompts,
        vector,
        GRID,
        _measurements(),
        SweepStore(tmp_path / "s.jsonl", {}),
        batch_size=10,
        forward=spy,
        progress=False,
    )
    assert len(seen) == 1 and seen[0].tolist() == [*GRID, 0.0]  # the grid, then the baseline
    reference = steered_forward(model, *encode(tok, [PROMPTS[2]] * 5), vector, torch.tensor(GRID))
    top = [r for r in result.rows if r["measurement"] == "top_logit"]
    assert [r["value"] for r in top] == pytest.approx(reference.logits.max(dim=1).values.tolist())
    change = {
        r["coefficient"]: r["value"] for r in result.rows if r["measurement"] == "hidden_change"
    }
    assert change[0.0] == 0.0 and change[1.0] > 0


def test_grid_and_errors(llama: tuple[Any, Any], tmp_path: Path) -> None:
    grid = coefficient_grid(-5.0, 5.0, 0.2)
    assert len(grid) == 51 and grid[0] == -5.0 and grid[-1] == 5.0 and 0.0 in grid
    assert 0.2 in grid and 1.4 in grid  # rounded, so no 1.4000000000000001
    assert len(coefficient_grid(-10, 10, 0.25)) == 81
    with pytest.raises(ValueError, match="invalid grid"):
        coefficient_grid(1.0, 0.0, 0.1)
    model, tok = llama
    store = SweepStore(tmp_path / "s.jsonl", {})
    vector = random_vector(model, [0])
    with pytest.raises(ValueError, match="distinct"):
        run_sweep(model, tok, PROMPTS, vector, [1.0, 1.0], _measurements(), store)
    with pytest.raises(ValueError, match="prompt ids"):
        run_sweep(
            model,
            tok,
            [SweepPrompt("a", "x"), SweepPrompt("a", "y")],
            vector,
            [1.0],
            _measurements(),
            store,
        )
