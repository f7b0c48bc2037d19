"""Config-driven pipeline behind ``steerbound empirical extract | sweep``.

``run_extract`` builds the contrast pairs of ``[pairs]``, extracts the vector of ``[vector]`` and
saves it to ``<output_dir>/vector``. ``run_sweeps`` sweeps every ``[[datasets]]`` entry over the
coefficient grid with that vector (the logit measurements of
:mod:`steerbound.empirical.logit_measurements`), storing rows in
``<output_dir>/sweep-<dataset>-<hash>.jsonl`` (resumable) and exporting
``<output_dir>/sweep-<dataset>.csv`` (+ ``.config.json``). ``run_generation_sweeps`` runs the
generation-based measurements: judged answers of every behavior dataset with a
``[datasets.generation]`` table (:mod:`steerbound.empirical.judged_behavior`, the primary
behavior measurement) and the ``[humaneval]`` pass rate
(:mod:`steerbound.empirical.humaneval_sweep`), stored in ``gen-<name>-<hash>.jsonl`` and
exported as ``gen-<name>.csv`` and ``gen-<name>-summary.csv``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from steerbound.empirical.config import DatasetConfig, ExperimentConfig
from steerbound.empirical.logit_measurements import dataset_measurements
from steerbound.empirical.pairs import ContrastPair
from steerbound.empirical.sweep import SweepPrompt
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


def dataset_items(
    config: ExperimentConfig, dataset: DatasetConfig, tokenizer: Any
) -> list[tuple[str, str]]:
    """``(prompt_id, prompt text)`` of a behavior dataset (at most ``limit``, in file order)."""
    from steerbound.empirical import data, pairs

    chat = dataset.use_chat_template
    if dataset.kind == "mmlu":
        raise ValueError(f"dataset {dataset.name!r} is multiple choice, not a behavior dataset")
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
    return items[: dataset.limit]


def build_prompts(
    config: ExperimentConfig, dataset: DatasetConfig, tokenizer: Any
) -> list[SweepPrompt]:
    """The dataset's prompts with the token ids their logit measurements need."""
    from steerbound.empirical import data, pairs

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
    result = []
    for prompt_id, text in dataset_items(config, dataset, tokenizer):
        pos = _answer_ids(tokenizer, text, dataset.positive_answers, f"{where}, prompt {prompt_id}")
        neg = _answer_ids(tokenizer, text, dataset.negative_answers, f"{where}, prompt {prompt_id}")
        result.append(SweepPrompt(prompt_id, text, {"positive_ids": pos, "negative_ids": neg}))
    return result


def vector_fingerprint(vector: SteeringVector) -> str:
    """sha256 (16 hex digits) of the vector's tensors, so a new vector opens a new store."""
    digest = hashlib.sha256()
    for layer in vector.layers:
        digest.update(str(layer).encode())
        digest.update(vector.directions[layer].detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


def store_identity(
    config: ExperimentConfig, vector: SteeringVector, dataset: DatasetConfig | None = None
) -> dict[str, Any]:
    """What a stored row depends on besides the measurement's own settings: the model, the
    vector (fingerprint and manifest) and the dataset's fields (not its ``generation`` table, so
    changing the judged generations never invalidates the logit sweep)."""
    identity: dict[str, Any] = {
        "model": config.to_dict()["model"],
        "vector": {"fingerprint": vector_fingerprint(vector), **vector.manifest.to_json()},
    }
    if dataset is not None:
        fields = config.to_dict()["datasets"][config.datasets.index(dataset)]
        identity["dataset"] = {k: v for k, v in fields.items() if k != "generation"}
    return identity


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
    vector.check_compatible(
        model,
        block_template=config.model.block_template,
        force=config.vector.force_model_mismatch,
    )
    out = out_dir or config.output_dir
    written: dict[str, Path] = {}
    for dataset in config.datasets:
        store_config = {
            **store_identity(config, vector, dataset),
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


def run_generation_sweeps(
    config: ExperimentConfig,
    model: Any,
    tokenizer: Any,
    vector: SteeringVector,
    *,
    out_dir: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Judged generations of every behavior dataset with a ``[datasets.generation]`` table and
    the ``[humaneval]`` pass rate; returns ``{name: GenerationOutputs}`` (empty when neither is
    configured)."""
    from steerbound.empirical.humaneval_sweep import run_humaneval_sweep
    from steerbound.empirical.judged_behavior import run_judged_generation

    vector.check_compatible(
        model,
        block_template=config.model.block_template,
        force=config.vector.force_model_mismatch,
    )
    out = out_dir or config.output_dir
    written: dict[str, Any] = {}
    for dataset in config.datasets:
        if dataset.generation is not None:
            written[dataset.name] = run_judged_generation(
                config, dataset, model, tokenizer, vector, out_dir=out, progress=progress
            )
    if config.humaneval is not None:
        written[config.humaneval.name] = run_humaneval_sweep(
            config, model, tokenizer, vector, out_dir=out, progress=progress
        )
    return written
