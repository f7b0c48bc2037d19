"""Config-driven pipeline behind ``steerbound empirical extract | sweep``.

``run_extract`` builds the contrast pairs of ``[pairs]``, extracts the vector of ``[vector]`` and
saves it to ``<output_dir>/vector``. ``run_sweeps`` sweeps every ``[[datasets]]`` entry over the
coefficient grid with that vector, storing rows in ``<output_dir>/sweep-<dataset>-<hash>.jsonl``
(resumable) and exporting ``<output_dir>/sweep-<dataset>.csv`` (+ ``.config.json``).

Measurements per row: behavior datasets record ``behavior`` (``tanh(gap/2)``, normalised over the
two answer-token sets), ``behavior_full`` (``P(positive) - P(negative)`` over the vocabulary)
and ``logit_gap``; MMLU records ``p_correct_options``, ``p_correct_full``, ``correct_options``
and ``correct_greedy``; with a baseline, every dataset also records ``final_hidden_change_norm``
(hidden units) and ``logit_change_norm`` (logit units).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from steerbound.empirical.config import DatasetConfig, ExperimentConfig
from steerbound.empirical.pairs import ContrastPair
from steerbound.empirical.sweep import (
    Measurement,
    SweepBatch,
    SweepPrompt,
    final_hidden_change_norm,
    logit_change_norm,
    row_measurement,
)
from steerbound.empirical.vectors import SteeringVector


def load_experiment_model(config: ExperimentConfig, path: str | None = None) -> tuple[Any, Any]:
    """Load the config's model (or the model at ``path``, overriding ``[model].path``)."""
    from steerbound.empirical.models import load_model

    m = config.model
    return load_model(
        path or m.path,
        dtype=m.dtype,
        device=m.device,
        device_map=m.device_map,
        allow_network=m.allow_network,
        revision=m.revision,
    )


def build_pairs(config: ExperimentConfig, tokenizer: Any) -> list[ContrastPair]:
    """The contrast pairs of ``[pairs]`` (at most ``n_pairs``, in file order)."""
    from steerbound.empirical import data, pairs

    p = config.pairs
    if p is None:
        raise ValueError(
            f"{config.source or 'config'}: no [pairs] section to extract a vector from"
        )
    chat = p.use_chat_template
    side: Any = p.positive  # validated against the source's sides by the config parser
    if p.source == "inline":
        built = [ContrastPair(pos, neg) for pos, neg in p.pairs]
    elif p.source == "harmfulness":
        assert p.harmful is not None and p.harmless is not None
        harmful = [r.goal for r in data.load_advbench(config.data_path(p.harmful))]
        harmless = [i.text for i in data.load_instructions(config.data_path(p.harmless))]
        n = min(p.n_pairs, len(harmful), len(harmless))
        built = pairs.harmfulness_pairs(
            harmful[:n],
            harmless[:n],
            positive=side,
            tokenizer=tokenizer,
            use_chat_template=chat,
        )
    elif p.source == "bias":
        assert p.stereoset is not None
        items = data.load_stereoset(config.data_path(p.stereoset))
        statements = [item.stereotype for item in items]
        built = pairs.bias_pairs(
            statements,
            positive=side,
            tokenizer=tokenizer,
            use_chat_template=chat,
        )
    else:
        assert p.harmful is not None
        rows = data.load_advbench(config.data_path(p.harmful))
        goals, targets = [r.goal for r in rows], [r.target for r in rows]
        refusals = [pairs.DEFAULT_REFUSAL] * len(rows)
        built = pairs.response_pairs(
            goals,
            refusals,
            targets,
            positive=side,
            tokenizer=tokenizer,
            use_chat_template=chat,
        )
    return built[: p.n_pairs]


def run_extract(
    config: ExperimentConfig,
    model: Any,
    tokenizer: Any,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> tuple[SteeringVector, Path]:
    """Extract, optionally rescale (``kappa``), and save the vector; returns it and its folder."""
    from steerbound.empirical.blocks import decoder_blocks, resolve_layers
    from steerbound.empirical.extraction import extract_vector

    v = config.vector
    n_blocks = len(decoder_blocks(model, config.model.block_template))
    layers = resolve_layers(v.layers, n_blocks)
    vector = extract_vector(
        model,
        tokenizer,
        build_pairs(config, tokenizer),
        layers,
        v.method,
        batch_size=v.batch_size,
        holdout_fraction=v.holdout_fraction,
        seed=v.seed,
        model_id=config.model.path,
        template=config.pairs.source if config.pairs else None,
        block_template=config.model.block_template,
        progress=progress,
    )
    if v.kappa is not None:
        vector = vector.scaled_to_residual_norm(v.kappa)
    target = (out_dir or config.output_dir) / "vector"
    return vector, vector.save(target)


def _answer_ids(tokenizer: Any, prompt: str, answers: list[str], where: str) -> list[int]:
    from steerbound.empirical.metrics import answer_token_ids

    try:
        return list(answer_token_ids(tokenizer, prompt, answers))
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def build_prompts(
    config: ExperimentConfig, dataset: DatasetConfig, tokenizer: Any
) -> list[SweepPrompt]:
    """The dataset's prompts with the token ids their measurements need."""
    from steerbound.empirical import data, pairs

    chat = dataset.use_chat_template
    where = f"dataset {dataset.name!r}"
    if dataset.kind == "mmlu":
        assert dataset.path is not None
        questions = data.load_mmlu(config.data_path(dataset.path))[: dataset.limit]
        result = []
        for q in questions:
            text = pairs.mmlu_prompt(q)
            letters = list(data.LETTERS[: len(q.options)])
            option_ids = _answer_ids(tokenizer, text, letters, f"{where}, question {q.id}")
            info = {"option_ids": option_ids, "correct": q.answer_index}
            result.append(SweepPrompt(q.id, text, info))
        return result
    if dataset.kind == "inline":
        items = [(f"{dataset.name}/{i}", t) for i, t in enumerate(dataset.prompts)]
    elif dataset.kind == "requests":
        assert dataset.path is not None
        rows = data.load_advbench(config.data_path(dataset.path))
        items = [
            (r.id, pairs.request_prompt(r.goal, tokenizer, use_chat_template=chat)) for r in rows
        ]
    elif dataset.kind == "instructions":
        assert dataset.path is not None
        found = data.load_instructions(config.data_path(dataset.path))
        items = [
            (i.id, pairs.request_prompt(i.text, tokenizer, use_chat_template=chat)) for i in found
        ]
    else:
        assert dataset.path is not None
        stereo = data.load_stereoset(config.data_path(dataset.path))
        items = [
            (s.id, pairs.statement_prompt(s.stereotype, tokenizer, use_chat_template=chat))
            for s in stereo
        ]
    result = []
    for prompt_id, text in items[: dataset.limit]:
        pos = _answer_ids(tokenizer, text, dataset.positive_answers, f"{where}, prompt {prompt_id}")
        neg = _answer_ids(tokenizer, text, dataset.negative_answers, f"{where}, prompt {prompt_id}")
        result.append(SweepPrompt(prompt_id, text, {"positive_ids": pos, "negative_ids": neg}))
    return result


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


def vector_fingerprint(vector: SteeringVector) -> str:
    """sha256 (16 hex digits) of the vector's tensors, so a new vector opens a new store."""
    digest = hashlib.sha256()
    for layer in vector.layers:
        digest.update(str(layer).encode())
        digest.update(vector.directions[layer].detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


def run_sweeps(
    config: ExperimentConfig,
    model: Any,
    tokenizer: Any,
    vector: SteeringVector,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> dict[str, Path]:
    """Sweep every dataset; returns ``{dataset name: tidy CSV path}``."""
    from steerbound.empirical.store import SweepStore
    from steerbound.empirical.sweep import run_sweep

    if not config.datasets:
        raise ValueError(f"{config.source or 'config'}: no [[datasets]] to sweep")
    vector.check_compatible(model, block_template=config.model.block_template)
    out = out_dir or config.output_dir
    written: dict[str, Path] = {}
    for dataset in config.datasets:
        store_config = {
            "model": config.to_dict()["model"],
            "vector": {"fingerprint": vector_fingerprint(vector), **vector.manifest.to_json()},
            "dataset": config.to_dict()["datasets"][config.datasets.index(dataset)],
            "coefficients": config.grid(dataset),
            "baseline": config.sweep.baseline,
        }
        store = SweepStore.in_dir(out, store_config, name=f"sweep-{dataset.name}")
        run_sweep(
            model,
            tokenizer,
            build_prompts(config, dataset, tokenizer),
            vector,
            config.grid(dataset),
            dataset_measurements(dataset, config.sweep.baseline),
            store,
            batch_size=config.sweep.batch_size,
            baseline=config.sweep.baseline,
            progress=progress,
        )
        written[dataset.name] = store.to_csv(out / f"sweep-{dataset.name}.csv")
    return written
