"""HumanEval pass rate per steering coefficient (``[humaneval]`` of a config).

Each problem's prompt (raw, no chat template) gets ``samples`` completions per ``r_e`` (sampled
at ``temperature`` by default, as in the paper), generated with
:func:`~steerbound.empirical.sweeps.generations.run_generation_sweep`. A completion is cut at the
first stop sequence (a new top-level ``def``/``class``/``if``/``print``/comment) and run with
the problem's tests in the sandbox of
:func:`steerbound.empirical.measure.humaneval.run_completion`; the
rows (measurement ``passed``, value 1/0, with status, detail and the executed completion) are
committed with their units, so a killed run resumes without re-generating or re-running
anything. The store's hash covers the decoding options, the stop sequences and the timeout.

Per ``r_e`` the summary reports pass@1 = mean over problems of the fraction of passing samples,
with the interval of :func:`steerbound.empirical.measure.humaneval.pass_rate_interval` (Wilson over
problems when ``samples == 1``, else a seeded percentile bootstrap over problems), the same as
:func:`~steerbound.empirical.measure.humaneval.evaluate_humaneval`. Outputs: ``gen-<name>.csv`` and
``gen-<name>-summary.csv``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from steerbound.empirical.data.loaders import HumanEvalProblem, load_humaneval
from steerbound.empirical.measure.humaneval import pass_rate_interval, run_completion
from steerbound.empirical.sweeps.generations import GeneratedText, Scorer, run_generation_sweep
from steerbound.empirical.sweeps.logits import SweepPrompt
from steerbound.empirical.sweeps.store import SweepStore
from steerbound.empirical.vectors.vector import SteeringVector
from steerbound.pipeline.config import ExperimentConfig, HumanEvalConfig
from steerbound.pipeline.inputs import Run, data_file_hash
from steerbound.pipeline.judged import (
    GenerationOutputs,
    decoding_identity,
    generation_options,
    generation_outputs,
)

DETAIL_CHARS = 300


def truncate_at_stops(text: str, stop_sequences: Sequence[str]) -> str:
    """``text`` up to (excluding) the earliest of ``stop_sequences``."""
    cut = min((i for s in stop_sequences if (i := text.find(s)) >= 0), default=len(text))
    return text[:cut]


def humaneval_prompts(problems: Sequence[HumanEvalProblem], samples: int) -> list[SweepPrompt]:
    """One sweep prompt per (problem, sample): id ``task_id`` (one sample) or
    ``task_id#j``; ``data`` holds ``task_id`` and ``sample``."""
    return [
        SweepPrompt(
            p.task_id if samples == 1 else f"{p.task_id}#{j}",
            p.prompt,
            {"task_id": p.task_id, "sample": j},
        )
        for p in problems
        for j in range(samples)
    ]


def humaneval_scorer(
    problems: Sequence[HumanEvalProblem],
    *,
    stop_sequences: Sequence[str],
    timeout_s: float = 10.0,
    workers: int = 1,
) -> Scorer:
    """A scorer that truncates each generated completion and runs it in the sandbox; rows have
    ``prompt_id = task_id``, ``item = sample``, measurement ``passed`` and value 1.0 or 0.0."""
    by_id = {p.task_id: p for p in problems}

    def score(generated: list[GeneratedText]) -> list[dict[str, Any]]:
        jobs = [
            (by_id[g.prompt.data["task_id"]], truncate_at_stops(g.text, stop_sequences))
            for g in generated
        ]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(lambda j: run_completion(*j, timeout_s=timeout_s), jobs))
        return [
            {
                "prompt_id": g.prompt.data["task_id"],
                "coefficient": g.coefficient,
                "measurement": "passed",
                "item": str(g.prompt.data["sample"]),
                "value": float(res.passed),
                "status": res.status,
                "detail": res.detail[-DETAIL_CHARS:],
                "n_new_tokens": g.n_new_tokens,
                "completion": completion,
            }
            for g, (_, completion), res in zip(generated, jobs, results, strict=True)
        ]

    return score


def pass_rate_summary(
    rows: Sequence[dict[str, Any]], *, confidence: float = 0.95, seed: int = 0
) -> list[dict[str, Any]]:
    """Per-coefficient pass@1 with its confidence interval
    (:func:`~steerbound.empirical.measure.humaneval.pass_rate_interval`)."""
    passed: dict[float, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        passed[float(row["coefficient"])][str(row["prompt_id"])].append(float(row["value"]))
    summary = []
    for r in sorted(passed):
        rate = pass_rate_interval(list(passed[r].values()), confidence=confidence, seed=seed)
        summary.append(
            {
                "coefficient": r,
                "measurement": "pass_at_1",
                "value": rate.pass_at_1,
                "ci_low": rate.ci_low,
                "ci_high": rate.ci_high,
                "n_problems": rate.n_problems,
                "n_samples": rate.n_samples,
                "ci_method": rate.method,
                "confidence": confidence,
            }
        )
    return summary


def humaneval_sweep(run: Run) -> GenerationOutputs:
    """Generate, run and export the ``[humaneval]`` completions; resumable."""
    config = run.config
    h: HumanEvalConfig | None = config.humaneval
    if h is None:
        raise ValueError(f"{config.source or 'config'}: no [humaneval] section")
    problems = load_humaneval(config.data_path(h.path))[: h.limit]
    grid = config.humaneval_grid()
    store_config = {
        "kind": "humaneval",
        **run.store_identity(),
        "humaneval": {"path": h.path, "limit": h.limit, "samples": h.samples},
        "data": data_file_hash(config, h.path) if h.path else None,
        "decoding": decoding_identity(h),
        "stop_sequences": h.stop_sequences,
        "timeout_s": h.timeout_s,
        "coefficients": grid,
    }
    store = SweepStore.in_dir(run.out, store_config, name=f"gen-{h.name}")
    scorer = humaneval_scorer(
        problems, stop_sequences=h.stop_sequences, timeout_s=h.timeout_s, workers=h.workers
    )
    result = run_generation_sweep(
        run.model,
        run.tokenizer,
        humaneval_prompts(problems, h.samples),
        run.vector,
        grid,
        scorer,
        store,
        generation_options(h, config),
        progress=run.progress,
    )
    summary = pass_rate_summary(result.rows, confidence=h.confidence, seed=h.seed)
    sidecar = {"config_hash": store.config_hash, "config": store.config}
    table = store.to_csv(run.out / f"gen-{h.name}.csv")
    return generation_outputs(h.name, table, summary, sidecar, result)


def run_humaneval_sweep(
    config: ExperimentConfig,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    vector: SteeringVector,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> GenerationOutputs:
    """:func:`humaneval_sweep` with the previous release's signature."""
    return humaneval_sweep(Run(config, out_dir, progress, model, tokenizer, vector))
