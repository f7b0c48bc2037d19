"""Judged-generation behavior: the primary behavior measurement of the paper
(docs/empirical.md).

For a behavior dataset with a ``[datasets.generation]`` table, every (prompt, ``r_e``) gets one
answer (greedy, or sampled at ``temperature``) from
:func:`~steerbound.empirical.sweeps.generations.run_generation_sweep`; the answers are stored with
their text in ``gen-<dataset>-<hash>.jsonl`` (measurement ``generation``, value = number of new
tokens). The store's hash covers the model, the vector, the dataset and the decoding options but
**not the judge**: answers are judged when exported, so word lists can change without
regenerating. Exports:

* ``gen-<dataset>.csv``: one row per answer, measurement ``judgment``, value ``+1`` (the
  setting's target behavior, e.g. refusing for "harmless"), ``-1`` (its opposite) or ``0``
  (no phrase matched), with the answer text;
* ``gen-<dataset>-summary.csv``: per ``r_e``, the behavior expectation ``2p - 1`` with its
  Wilson interval (:func:`~steerbound.empirical.measure.metrics.behavior_from_judgments`),
  counts, and
  the judge. Both come with ``.config.json`` (store config, hash and resolved judge).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from steerbound.empirical.measure.judges import judge_texts
from steerbound.empirical.measure.metrics import behavior_from_judgments
from steerbound.empirical.sweeps.generations import (
    GeneratedText,
    GenerationOptions,
    run_generation_sweep,
    write_table,
)
from steerbound.empirical.sweeps.logits import SweepPrompt, SweepResult
from steerbound.empirical.sweeps.store import SweepStore
from steerbound.empirical.vectors.vector import SteeringVector
from steerbound.pipeline.config import (
    DatasetConfig,
    ExperimentConfig,
    GenerationConfig,
    judge_from_config,
    judge_spec,
)
from steerbound.pipeline.inputs import Run, dataset_items, dataset_rows


@dataclass(frozen=True)
class GenerationOutputs:
    """What a generation step wrote: per-answer ``table``, per-coefficient ``summary`` CSV and
    its rows, the ``store`` file, and how many units were computed now or found done."""

    name: str
    table: Path
    summary: Path
    summary_rows: list[dict[str, Any]]
    store: Path
    computed_units: int
    skipped_units: int


def generation_outputs(
    name: str,
    table: Path,
    summary: list[dict[str, Any]],
    sidecar: dict[str, Any],
    result: SweepResult,
) -> GenerationOutputs:
    """Write ``gen-<name>-summary.csv`` (+ ``.config.json`` holding ``sidecar``) next to the
    per-answer ``table`` and collect what the generation step wrote."""
    summary_path = write_table(table.with_name(f"gen-{name}-summary.csv"), summary, sidecar)
    return GenerationOutputs(
        name,
        table,
        summary_path,
        summary,
        result.store.path,
        result.computed_units,
        result.skipped_units,
    )


def generation_rows(generated: list[GeneratedText]) -> list[dict[str, Any]]:
    """Store rows of a block of answers (scorer of the behavior generation sweep)."""
    return [
        {
            "prompt_id": g.prompt.prompt_id,
            "coefficient": g.coefficient,
            "measurement": "generation",
            "value": float(g.n_new_tokens),
            "completion": g.text,
            "stopped": g.stopped,
        }
        for g in generated
    ]


def judged_summary(
    rows: Sequence[dict[str, Any]], generation: GenerationConfig
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Judge stored answers: ``(per-answer rows, per-coefficient summary rows)``."""
    judge = judge_from_config(generation)
    texts = [str(r.get("completion") or "") for r in rows]
    scores = judge_texts(judge, texts).tolist() if rows else []
    judged: list[dict[str, Any]] = []
    by_r: dict[float, list[int]] = defaultdict(list)
    for row, score in zip(rows, scores, strict=True):
        judged.append(
            {
                "prompt_id": row["prompt_id"],
                "coefficient": row["coefficient"],
                "measurement": "judgment",
                "value": int(score),
                "n_new_tokens": int(row["value"]),
                "stopped": row.get("stopped"),
                "completion": row.get("completion"),
            }
        )
        by_r[float(row["coefficient"])].append(int(score))
    summary = []
    for r in sorted(by_r):
        b = behavior_from_judgments(
            by_r[r],
            confidence=generation.confidence,
            unknown=generation.unknown,  # type: ignore[arg-type]  # validated by the parser
        )
        summary.append(
            {
                "coefficient": r,
                "measurement": "judged_behavior",
                "value": b.behavior,
                "ci_low": b.ci_low,
                "ci_high": b.ci_high,
                "n": b.n,
                "n_positive": b.n_positive,
                "n_negative": b.n_negative,
                "n_unknown": b.n_unknown,
                "confidence": b.confidence,
            }
        )
    return judged, summary


def generation_options(gen: Any, config: ExperimentConfig) -> GenerationOptions:
    """Decoding options of a ``[datasets.generation]`` or ``[humaneval]`` table."""
    return GenerationOptions(
        max_new_tokens=gen.max_new_tokens,
        do_sample=gen.do_sample,
        temperature=gen.temperature,
        seed=gen.seed,
        batch_size=gen.batch_size,
        steer_prompt=gen.steer_prompt,
        block_template=config.model.block_template,
    )


def decoding_identity(gen: Any) -> dict[str, Any]:
    """The decoding settings a stored answer depends on (``batch_size`` only when sampling:
    sampled blocks are seeded per block, greedy answers do not depend on the batch)."""
    keys = ["max_new_tokens", "do_sample", "steer_prompt"]
    keys += ["temperature", "seed", "batch_size"] if gen.do_sample else []
    return {k: getattr(gen, k) for k in keys}


def judged_generation(run: Run, dataset: DatasetConfig) -> GenerationOutputs:
    """Generate (resumably), judge and export the answers of one behavior dataset."""
    config = run.config
    gen = dataset.generation
    if gen is None:
        raise ValueError(f"dataset {dataset.name!r} has no [datasets.generation] table")
    grid = config.generation_grid(dataset)
    prompts = [SweepPrompt(i, t) for i, t in dataset_items(config, dataset, run.tokenizer)]
    store_config = {
        "kind": "judged_generation",
        **run.store_identity(dataset),
        "decoding": decoding_identity(gen),
        "coefficients": grid,
        "rows": dataset_rows(config, dataset, [p.prompt_id for p in prompts]),
    }
    store = SweepStore.in_dir(run.out, store_config, name=f"gen-{dataset.name}")
    result = run_generation_sweep(
        run.model,
        run.tokenizer,
        prompts,
        run.vector,
        grid,
        generation_rows,
        store,
        generation_options(gen, config),
        progress=run.progress,
    )
    judged, summary = judged_summary(result.rows, gen)
    sidecar = {"config_hash": store.config_hash, "config": store.config, "judge": judge_spec(gen)}
    table = write_table(run.out / f"gen-{dataset.name}.csv", judged, sidecar)
    return generation_outputs(dataset.name, table, summary, sidecar, result)


def run_judged_generation(
    config: ExperimentConfig,
    dataset: DatasetConfig,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    vector: SteeringVector,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> GenerationOutputs:
    """:func:`judged_generation` with the previous release's signature."""
    return judged_generation(Run(config, out_dir, progress, model, tokenizer, vector), dataset)
