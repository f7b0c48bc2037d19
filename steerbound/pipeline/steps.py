"""The steps of ``steerbound empirical extract | sweep | assumptions | fit | plot``.

* :func:`extract`: the contrast pairs of ``[pairs]``, the vector of ``[vector]`` (optionally
  rescaled to ``kappa`` x the residual norm), saved to ``<out_dir>/vector``.
* :func:`sweep`: every ``[[datasets]]`` entry over its grid (logit measurements: the one-token
  behavior proxy, or MMLU helpfulness; with ``baseline``, the hidden and logit change norms),
  stored resumably and exported as ``sweep-<dataset>.csv``.
* :func:`generate`: judged generations of every dataset with ``[datasets.generation]`` (the
  primary behavior measurement, :mod:`steerbound.pipeline.judged`) and the ``[humaneval]`` pass
  rate (:mod:`steerbound.pipeline.humaneval`).
* :func:`measure_assumptions`: per dataset, Assumption 1 (``||delta||`` in hidden units and
  ``||U delta||`` in logit units, fitted per side), Assumption 3 (MMLU: top-10 unsteered tokens
  against the correct letter) and Assumption 2 (behavior datasets: answer tokens chosen from the
  unsteered model), written to ``assumptions-<dataset>.json``.
* :func:`fit`: the per-coefficient means of the sweeps (behavior proxy to ``tanh``; MMLU
  ``p_correct_options`` to the parabolic and ``1/k``-floor forms, ``p_correct_full`` to the
  parabolic form) and the generation summaries (judged behavior to ``tanh``, pass rate to the
  parabolic form); a fit without enough finite, non-constant points is skipped with its reason.
* :func:`plot`: every figure, from the files the other steps wrote
  (:mod:`steerbound.pipeline.plots`).

Steps that need a model take a :class:`~steerbound.pipeline.inputs.Run`. Result files are
named and written by :mod:`steerbound.pipeline.artifacts`. The ``run_*``
functions keep the signatures of the previous release.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from steerbound.empirical.analysis.fits import (
    FitResult,
    fit_behavior_tanh,
    fit_helpfulness_floor,
    fit_helpfulness_parabolic,
)
from steerbound.empirical.measure.assumptions import (
    collect_final_hidden,
    measure_assumption1,
    measure_assumption2,
    measure_assumption3,
    select_answer_tokens,
)
from steerbound.empirical.model.blocks import decoder_blocks, resolve_layers
from steerbound.empirical.sweeps.logits import (
    Measurement,
    behavior_measurement,
    final_hidden_change_norm,
    logit_change_norm,
    multiple_choice_measurement,
    row_measurement,
    run_sweep,
)
from steerbound.empirical.sweeps.store import SweepStore
from steerbound.empirical.vectors.extraction import extract_vector
from steerbound.empirical.vectors.vector import SteeringVector
from steerbound.pipeline import artifacts, plots
from steerbound.pipeline.config import DatasetConfig, ExperimentConfig
from steerbound.pipeline.humaneval import humaneval_sweep
from steerbound.pipeline.inputs import Run, build_pairs, build_prompts, dataset_rows, pair_rows
from steerbound.pipeline.judged import GenerationOutputs, judged_generation


def extract(run: Run) -> tuple[SteeringVector, Path]:
    """Extract, optionally rescale (``kappa``), and save the vector; returns it and its folder.
    The run's vector becomes the new one."""
    config, v = run.config, run.config.vector
    n_blocks = len(decoder_blocks(run.model, config.model.block_template))
    built = build_pairs(config, run.tokenizer)
    vector = extract_vector(
        run.model,
        run.tokenizer,
        built,
        resolve_layers(v.layers, n_blocks),
        v.method,
        batch_size=v.batch_size,
        holdout_fraction=v.holdout_fraction,
        seed=v.seed,
        model_id=config.model.path,
        template=config.pairs.source if config.pairs else None,
        block_template=config.model.block_template,
        progress=run.progress,
    )
    if v.kappa is not None:
        vector = vector.scaled_to_residual_norm(v.kappa)
    run.vector_ = vector
    folder = vector.save(run.out / "vector")
    artifacts.write_json(folder / "extraction.json", {"pairs": pair_rows(config, len(built))})
    return vector, folder


def dataset_measurements(dataset: DatasetConfig, baseline: bool) -> dict[str, Measurement]:
    """The logit measurements recorded for ``dataset`` (module docstring)."""
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


def sweep(run: Run) -> dict[str, Path]:
    """Sweep every dataset; returns ``{dataset name: tidy CSV path}``."""
    config = run.config
    if not config.datasets:
        raise ValueError(f"{config.source or 'config'}: no [[datasets]] to sweep")
    run.vector.check_compatible(
        run.model,
        block_template=config.model.block_template,
        force=config.vector.force_model_mismatch,
    )
    settings = config.require_sweep()
    written: dict[str, Path] = {}
    for dataset in config.datasets:
        prompts = build_prompts(config, dataset, run.tokenizer)
        store_config = {
            **run.store_identity(dataset),
            "coefficients": config.grid(dataset),
            "baseline": settings.baseline,
            "rows": dataset_rows(config, dataset, [p.prompt_id for p in prompts]),
        }
        store = SweepStore.in_dir(run.out, store_config, name=f"sweep-{dataset.name}")
        run_sweep(
            run.model,
            run.tokenizer,
            prompts,
            run.vector,
            config.grid(dataset),
            dataset_measurements(dataset, settings.baseline),
            store,
            batch_size=settings.batch_size,
            baseline=settings.baseline,
            progress=run.progress,
        )
        written[dataset.name] = store.to_csv(artifacts.sweep_csv(run.out, dataset.name))
    return written


def generate(run: Run) -> dict[str, GenerationOutputs]:
    """Judged generations of every behavior dataset with a ``[datasets.generation]`` table and
    the ``[humaneval]`` pass rate; returns ``{name: GenerationOutputs}`` (empty when neither is
    configured)."""
    config = run.config
    run.vector.check_compatible(
        run.model,
        block_template=config.model.block_template,
        force=config.vector.force_model_mismatch,
    )
    written: dict[str, GenerationOutputs] = {}
    for dataset in config.datasets:
        if dataset.generation is not None:
            written[dataset.name] = judged_generation(run, dataset)
    if config.humaneval is not None:
        written[config.humaneval.name] = humaneval_sweep(run)
    return written


def measure_assumptions(run: Run) -> dict[str, dict[str, Any]]:
    """Measure the assumptions on every dataset; returns and writes ``{dataset: results}``."""
    config = run.config
    unembedding = run.model.get_output_embeddings().weight.detach().float().cpu()
    results: dict[str, dict[str, Any]] = {}
    for dataset in config.datasets:
        prompts = build_prompts(config, dataset, run.tokenizer)
        grid = config.grid(dataset)
        h, h0, logits0 = collect_final_hidden(
            run.model,
            run.tokenizer,
            [p.text for p in prompts],
            run.vector,
            grid,
            batch_size=config.require_sweep().batch_size,
            progress=run.progress,
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
        artifacts.write_assumptions(run.out, dataset.name, found)
        results[dataset.name] = found
    return results


def _try_fit(
    fit_form: Callable[..., FitResult], r: np.ndarray, y: np.ndarray, **kwargs: Any
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
            return fit_form(r[keep], y[keep], **kwargs)
    except (RuntimeError, ValueError) as error:
        return f"skipped: {error}"


def _fit_summary(fit_form: Callable[..., FitResult], summary: Path) -> FitResult | str:
    """``fit_form`` of a generation summary's values against ``r_e``, or why it was skipped."""
    if not summary.is_file():
        return f"skipped: {summary.name} does not exist; run `sweep`"
    points = artifacts.summary_points(summary)
    return _try_fit(fit_form, points["coefficient"], points["value"])


def fit(config: ExperimentConfig, out_dir: Path) -> artifacts.Fits:
    """Fit every swept dataset's means (module docstring) and write ``fits.json``, ``fits.csv``
    and ``fits.config.json``; needs no model."""
    found: dict[str, dict[str, FitResult | str]] = {}
    for dataset in config.datasets:
        csv_path = artifacts.sweep_csv(out_dir, dataset.name)
        if not csv_path.is_file():
            raise FileNotFoundError(f"{csv_path} does not exist; run `sweep` first")
        means = artifacts.sweep_means(csv_path)
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
            summary = artifacts.generation_summary_csv(out_dir, dataset.name)
            mine["judged_behavior_tanh"] = _fit_summary(fit_behavior_tanh, summary)
    if config.humaneval is not None:
        summary = artifacts.generation_summary_csv(out_dir, config.humaneval.name)
        found[config.humaneval.name] = {
            "pass_rate_parabolic": _fit_summary(fit_helpfulness_parabolic, summary)
        }
    fits = artifacts.Fits(
        results={
            name: {form: f for form, f in by.items() if isinstance(f, FitResult)}
            for name, by in found.items()
        },
        skipped={
            name: skipped
            for name, by in found.items()
            if (skipped := {form: f for form, f in by.items() if isinstance(f, str)})
        },
    )
    artifacts.write_fits(out_dir, fits, config.to_dict())
    return fits


def plot(config: ExperimentConfig, out_dir: Path) -> list[Path]:
    """Every figure of the run from its result files (no refit); returns the PNG paths."""
    return plots.draw_run(config, out_dir)


# ------------------------------------------------------ the previous release's signatures
def _run(
    config: ExperimentConfig,
    model: PreTrainedModel | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
    vector: SteeringVector | None = None,
    out_dir: Path | None = None,
    progress: bool = True,
) -> Run:
    return Run(config, out_dir, progress, model, tokenizer, vector)


def run_extract(
    config: ExperimentConfig,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> tuple[SteeringVector, Path]:
    """:func:`extract` of a run of ``config`` on ``model``."""
    return extract(_run(config, model, tokenizer, None, out_dir, progress))


def run_sweeps(
    config: ExperimentConfig,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    vector: SteeringVector,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> dict[str, Path]:
    """:func:`sweep` of a run of ``config`` with ``vector``."""
    return sweep(_run(config, model, tokenizer, vector, out_dir, progress))


def run_generation_sweeps(
    config: ExperimentConfig,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    vector: SteeringVector,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> dict[str, GenerationOutputs]:
    """:func:`generate` of a run of ``config`` with ``vector``."""
    return generate(_run(config, model, tokenizer, vector, out_dir, progress))


def run_assumptions(
    config: ExperimentConfig,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    vector: SteeringVector,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> dict[str, dict[str, Any]]:
    """:func:`measure_assumptions` of a run of ``config`` with ``vector``."""
    return measure_assumptions(_run(config, model, tokenizer, vector, out_dir, progress))


def run_fits(
    config: ExperimentConfig, *, out_dir: Path | None = None
) -> dict[str, dict[str, FitResult]]:
    """:func:`fit` of ``config``'s results; returns the fits made (``{name: {form: fit}}``)."""
    return fit(config, out_dir or config.output_dir).results


def run_plots(config: ExperimentConfig, *, out_dir: Path | None = None) -> list[Path]:
    """:func:`plot` of ``config``'s results."""
    return plot(config, out_dir or config.output_dir)
