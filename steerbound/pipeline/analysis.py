"""Config-driven analyses behind ``steerbound empirical assumptions | fit | plot``.

* ``run_assumptions``: for every dataset, the final hidden states (LM-head input, readout
  position) for each ``r_e`` of its grid, then Assumption 1 (``||delta||`` in hidden units and
  ``||U delta||`` in logit units, fitted per side), Assumption 3 (MMLU datasets: top-10 unsteered
  tokens against the correct letter) and Assumption 2 (behavior datasets: the answer tokens,
  chosen from the unsteered model). Writes ``assumptions-<dataset>.json``.
* ``run_fits``: fits the per-coefficient means of the sweep CSVs (behavior proxy to ``tanh``,
  MMLU ``p_correct_options`` to the parabolic and ``1/k``-floor forms, ``p_correct_full`` to the
  parabolic form) and the generation summaries (judged behavior to ``tanh``, HumanEval pass rate
  to the parabolic form). Writes ``fits.json``, ``fits.csv`` and ``fits.config.json``; a fit
  without enough finite, non-constant points is skipped with its reason, never faked.
* ``run_plots``: every figure, from :mod:`steerbound.empirical.pipeline_plots`.
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from steerbound.empirical.config import ExperimentConfig
from steerbound.empirical.fits import FitResult
from steerbound.empirical.forward import encode_prompts, steered_forward
from steerbound.empirical.results_io import jsonable
from steerbound.empirical.sweep import SweepPrompt
from steerbound.empirical.vectors import SteeringVector


@torch.no_grad()
def collect_final_hidden(
    model: Any,
    tokenizer: Any,
    prompts: list[SweepPrompt],
    vector: SteeringVector,
    grid: list[float],
    *,
    batch_size: int = 32,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(h_steered (n_r, n_q, d), h0 (n_q, d), unsteered logits (n_q, vocab))``, float32."""
    rows = [(q, r) for q in range(len(prompts)) for r in range(len(grid))]
    hidden = np.zeros((len(grid), len(prompts), 0), dtype=np.float32)
    for start in tqdm(range(0, len(rows), batch_size), desc="hidden", disable=not progress):
        batch = rows[start : start + batch_size]
        ids, mask = encode_prompts(tokenizer, [prompts[q].text for q, _ in batch])
        out = steered_forward(model, ids, mask, vector, torch.tensor([grid[r] for _, r in batch]))
        if hidden.shape[2] == 0:
            hidden = np.zeros((len(grid), len(prompts), out.final_hidden.shape[1]), np.float32)
        for (q, r), h in zip(batch, out.final_hidden.numpy(), strict=True):
            hidden[r, q] = h
    h0_list, logits0 = [], []
    for start in range(0, len(prompts), batch_size):
        chunk = [p.text for p in prompts[start : start + batch_size]]
        out = steered_forward(
            model, *encode_prompts(tokenizer, chunk), None, torch.zeros(len(chunk))
        )
        h0_list.append(out.final_hidden.numpy())
        logits0.append(out.logits.numpy())
    return hidden, np.concatenate(h0_list), np.concatenate(logits0)


def run_assumptions(
    config: ExperimentConfig,
    model: Any,
    tokenizer: Any,
    vector: SteeringVector,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Measure the assumptions on every dataset; returns and writes ``{dataset: results}``."""
    from steerbound.empirical.answer_geometry import measure_assumption2, select_answer_tokens
    from steerbound.empirical.assumptions import measure_assumption1, measure_assumption3
    from steerbound.empirical.experiment import build_prompts

    out = out_dir or config.output_dir
    out.mkdir(parents=True, exist_ok=True)
    unembedding = model.get_output_embeddings().weight.detach().float().cpu()
    results: dict[str, Any] = {}
    for dataset in config.datasets:
        prompts = build_prompts(config, dataset, tokenizer)
        grid = config.grid(dataset)
        h, h0, logits0 = collect_final_hidden(
            model,
            tokenizer,
            prompts,
            vector,
            grid,
            batch_size=config.sweep.batch_size,
            progress=progress,
        )
        r = np.asarray(grid)
        found: dict[str, Any] = {"assumption1": measure_assumption1(r, h, h0, unembedding)}
        if dataset.kind == "mmlu":
            correct = [p.data["option_ids"][p.data["correct"]] for p in prompts]
            found["assumption3"] = measure_assumption3(
                r, h, h0, unembedding, correct, unsteered_logits=logits0
            )
        else:
            positive = sorted({t for p in prompts for t in p.data["positive_ids"]})
            negative = sorted({t for p in prompts for t in p.data["negative_ids"]})
            tokens = select_answer_tokens(logits0, positive, negative)
            found["assumption2"] = measure_assumption2(r, h, h0, unembedding, tokens)
        path = out / f"assumptions-{dataset.name}.json"
        path.write_text(json.dumps(jsonable(found), indent=1) + "\n", encoding="utf-8")
        results[dataset.name] = found
    return results


def sweep_means(csv_path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{measurement: (coefficients, mean over prompts)}`` from a tidy sweep CSV."""
    values: dict[str, dict[float, list[float]]] = defaultdict(lambda: defaultdict(list))
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["value"] not in ("", "None"):
                values[row["measurement"]][float(row["coefficient"])].append(float(row["value"]))
    result = {}
    for name, by_r in values.items():
        grid = np.array(sorted(by_r))
        result[name] = (grid, np.array([np.mean(by_r[r]) for r in grid]))
    return result


def summary_points(csv_path: Path) -> dict[str, np.ndarray]:
    """Columns ``coefficient``, ``value``, ``ci_low``, ``ci_high`` of a generation summary CSV
    (``gen-<name>-summary.csv``) as float arrays (NaN where a value is empty)."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = ("coefficient", "value", "ci_low", "ci_high")

    def number(text: str | None) -> float:
        return float(text) if text not in (None, "", "None") else math.nan

    return {c: np.array([number(r.get(c)) for r in rows], dtype=np.float64) for c in columns}


def _try_fit(
    fit: Callable[..., FitResult], r: np.ndarray, y: np.ndarray, **kwargs: Any
) -> FitResult | str:
    """The fit, or why it was skipped (fewer than 3 finite points, constant data, no
    convergence)."""
    keep = np.isfinite(r) & np.isfinite(y)
    if keep.sum() < 3:
        return f"skipped: {int(keep.sum())} finite points (need 3)"
    if np.ptp(y[keep]) == 0:
        return f"skipped: every point equals {y[keep][0]:g}, nothing to fit"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # covariance warnings: stderr is then inf, reported
            return fit(r[keep], y[keep], **kwargs)
    except (RuntimeError, ValueError) as error:
        return f"skipped: {error}"


def _fit_summary(fit: Callable[..., FitResult], summary: Path) -> FitResult | str:
    """``fit`` of a generation summary's values against ``r_e``, or why it was skipped."""
    if not summary.is_file():
        return f"skipped: {summary.name} does not exist; run `sweep`"
    points = summary_points(summary)
    return _try_fit(fit, points["coefficient"], points["value"])


def run_fits(config: ExperimentConfig, *, out_dir: Path | None = None) -> dict[str, Any]:
    """Fit every swept dataset's means; returns ``{name: {fit name: FitResult}}``.

    Logit sweeps (``sweep-<dataset>.csv``, required): behavior to ``tanh`` (``behavior_tanh``),
    MMLU ``p_correct_options`` to the parabolic and ``1/k``-floor forms, ``p_correct_full`` to
    the parabolic form. Generation summaries (when present): judged behavior to ``tanh``
    (``judged_behavior_tanh``) and the HumanEval pass rate to the parabolic form
    (``pass_rate_parabolic``). Writes ``fits.json`` (the fits), ``fits.csv`` (tidy: one row per
    parameter) and ``fits.config.json`` (the config and the skipped fits with their reasons).
    """
    from steerbound.empirical.fits import (
        fit_behavior_tanh,
        fit_helpfulness_floor,
        fit_helpfulness_parabolic,
    )

    out = out_dir or config.output_dir
    found: dict[str, dict[str, FitResult | str]] = {}
    for dataset in config.datasets:
        csv_path = out / f"sweep-{dataset.name}.csv"
        if not csv_path.is_file():
            raise FileNotFoundError(f"{csv_path} does not exist; run `sweep` first")
        means = sweep_means(csv_path)
        mine = found.setdefault(dataset.name, {})
        if dataset.kind == "mmlu":
            r, h = means["p_correct_options"]
            rf, hf = means["p_correct_full"]
            mine["helpfulness_parabolic"] = _try_fit(fit_helpfulness_parabolic, r, h)
            mine["helpfulness_floor"] = _try_fit(fit_helpfulness_floor, r, h, k=4)
            mine["full_vocabulary_parabolic"] = _try_fit(fit_helpfulness_parabolic, rf, hf)
        else:
            r, b = means["behavior"]
            mine["behavior_tanh"] = _try_fit(fit_behavior_tanh, r, b)
        if dataset.generation is not None:
            summary = out / f"gen-{dataset.name}-summary.csv"
            mine["judged_behavior_tanh"] = _fit_summary(fit_behavior_tanh, summary)
    if config.humaneval is not None:
        summary = out / f"gen-{config.humaneval.name}-summary.csv"
        fit = _fit_summary(fit_helpfulness_parabolic, summary)
        found[config.humaneval.name] = {"pass_rate_parabolic": fit}
    results = {
        name: {form: f for form, f in fits.items() if isinstance(f, FitResult)}
        for name, fits in found.items()
    }
    skipped = {
        name: {form: f for form, f in fits.items() if isinstance(f, str)}
        for name, fits in found.items()
    }
    _write_fits(out, config, results, {k: v for k, v in skipped.items() if v})
    return results


def _write_fits(
    out: Path,
    config: ExperimentConfig,
    results: dict[str, dict[str, FitResult]],
    skipped: dict[str, dict[str, str]],
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "fits.json").write_text(json.dumps(jsonable(results), indent=1) + "\n", "utf-8")
    with (out / "fits.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "form", "parameter", "value", "stderr", "r2", "n"])
        for name, fits in results.items():
            for form, fit in fits.items():
                values = {k: (v, fit.stderr[k]) for k, v in fit.params.items()}
                values.update(fit.derived)
                for param, (value, err) in values.items():
                    writer.writerow([name, form, param, value, err, fit.r2, fit.n])
    sidecar = {"csv": "fits.csv", "config": config.to_dict(), "skipped": skipped}
    text = json.dumps(jsonable(sidecar), indent=2, sort_keys=True) + "\n"
    (out / "fits.config.json").write_text(text, encoding="utf-8")


def run_plots(config: ExperimentConfig, *, out_dir: Path | None = None) -> list[Path]:
    """Every plot of the run (see :func:`steerbound.empirical.pipeline_plots.run_plots`)."""
    from steerbound.empirical.pipeline_plots import run_plots as draw

    return draw(config, out_dir=out_dir)
