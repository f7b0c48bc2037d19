"""Config-driven analyses behind ``steerbound empirical assumptions | fit | plot``.

* ``run_assumptions``: for every dataset, the final hidden states (LM-head input, readout
  position) for each ``r_e`` of its grid, then Assumption 1 (``||delta||`` in hidden units and
  ``||U delta||`` in logit units, fitted per side), Assumption 3 (MMLU datasets: top-10 unsteered
  tokens against the correct letter) and Assumption 2 (behavior datasets: the answer tokens,
  chosen from the unsteered model). Writes ``assumptions-<dataset>.json``.
* ``run_fits``: fits the per-coefficient means of the sweep CSVs — behavior to ``tanh``,
  helpfulness (``p_correct_options``) to the parabolic and ``1/k``-floor forms, and
  ``p_correct_full`` to the parabolic form. Writes ``fits.json``.
* ``run_plots``: the same fits drawn against the data, as ``plots/<dataset>.png``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from steerbound.empirical.config import ExperimentConfig
from steerbound.empirical.forward import encode_prompts, steered_forward
from steerbound.empirical.sweep import SweepPrompt
from steerbound.empirical.vectors import SteeringVector


def jsonable(value: Any) -> Any:
    """Dataclasses, arrays and numpy scalars as JSON values (non-finite floats as None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


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


def run_fits(config: ExperimentConfig, *, out_dir: Path | None = None) -> dict[str, Any]:
    """Fit every swept dataset's means; returns ``{dataset: {fit name: FitResult}}``."""
    from steerbound.empirical.fits import (
        fit_behavior_tanh,
        fit_helpfulness_floor,
        fit_helpfulness_parabolic,
    )

    out = out_dir or config.output_dir
    results: dict[str, Any] = {}
    for dataset in config.datasets:
        csv_path = out / f"sweep-{dataset.name}.csv"
        if not csv_path.is_file():
            raise FileNotFoundError(f"{csv_path} does not exist; run `sweep` first")
        means = sweep_means(csv_path)
        if dataset.kind == "mmlu":
            r, h = means["p_correct_options"]
            rf, hf = means["p_correct_full"]
            results[dataset.name] = {
                "helpfulness_parabolic": fit_helpfulness_parabolic(r, h),
                "helpfulness_floor": fit_helpfulness_floor(r, h, k=4),
                "full_vocabulary_parabolic": fit_helpfulness_parabolic(rf, hf),
            }
        else:
            r, b = means["behavior"]
            results[dataset.name] = {"behavior_tanh": fit_behavior_tanh(r, b)}
    (out / "fits.json").write_text(json.dumps(jsonable(results), indent=1) + "\n", "utf-8")
    return results


def run_plots(config: ExperimentConfig, *, out_dir: Path | None = None) -> list[Path]:
    """PNG plots of the data with their fits (refitted; ``fits.json`` rewritten); returns paths."""
    from steerbound.report import empirical_plots as plots

    out = out_dir or config.output_dir
    fits = run_fits(config, out_dir=out)
    folder = out / "plots"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for dataset in config.datasets:
        means = sweep_means(out / f"sweep-{dataset.name}.csv")
        found = fits[dataset.name]
        if dataset.kind == "mmlu":
            r, h = means["p_correct_options"]
            fig = plots.plot_helpfulness_fits(
                r,
                h,
                [found["helpfulness_parabolic"], found["helpfulness_floor"]],
                k=4,
                title=f"{dataset.name}: helpfulness over the options",
            )
        else:
            r, b = means["behavior"]
            fig = plots.plot_behavior_fit(r, b, found["behavior_tanh"], title=dataset.name)
        path = folder / f"{dataset.name}.png"
        fig.savefig(path, dpi=120)
        written.append(path)
    return written
