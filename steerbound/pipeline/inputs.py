"""What a pipeline step reads: the :class:`Run` (config, output folder, model, tokenizer,
vector) and the contrast pairs and prompts built from the config.

A :class:`Run` loads the model and tokenizer of ``[model]`` on first use (or takes the ones it
is given) and the vector saved by ``extract`` in ``<out_dir>/vector``; every step of
:mod:`steerbound.pipeline.steps` takes one. Prompts are built from ``[pairs]`` and
``[[datasets]]`` in file order (at most ``n_pairs`` / ``limit``); logit measurements read the
answer-token ids stored in each :class:`~steerbound.empirical.sweeps.logits.SweepPrompt`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transformers import PreTrainedModel, PreTrainedTokenizerBase

import steerbound
from steerbound.datasets import DATASETS, is_dataset_name, manifest
from steerbound.empirical.data import loaders as data
from steerbound.empirical.data import prompts as pairs
from steerbound.empirical.data.prompts import ContrastPair
from steerbound.empirical.measure.metrics import answer_token_ids
from steerbound.empirical.model.gguf import gguf_sha256
from steerbound.empirical.model.loading import load_model
from steerbound.empirical.sweeps.logits import SweepPrompt
from steerbound.empirical.vectors.vector import SteeringVector
from steerbound.pipeline.config import DatasetConfig, ExperimentConfig, check_device
from steerbound.pipeline.models import resolve_model_source


def load_experiment_model(
    config: ExperimentConfig, path: str | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load the config's model (or the model at ``path``, overriding ``[model].path``)."""
    m = config.model
    return load_model(
        resolve_model_source(path or m.path),
        dtype=m.dtype,
        device=m.device,
        device_map=m.device_map,
        allow_network=m.allow_network,
        revision=m.revision,
    )


@dataclass
class Run:
    """One pipeline run: the config, where results go, and the model state steps share.

    ``out_dir`` defaults to the config's ``output_dir``; ``model``/``tokenizer`` are loaded from
    ``[model]`` on first access unless given; ``vector`` is read from ``<out_dir>/vector`` (saved
    by ``extract``) on first access unless given. ``progress`` shows progress bars.
    """

    config: ExperimentConfig
    out_dir: Path | None = None
    progress: bool = True
    model_: PreTrainedModel | None = field(default=None, repr=False)
    tokenizer_: PreTrainedTokenizerBase | None = field(default=None, repr=False)
    vector_: SteeringVector | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.out_dir is None:
            self.out_dir = self.config.output_dir

    @property
    def out(self) -> Path:
        """The output folder (``out_dir``, resolved)."""
        assert self.out_dir is not None
        return self.out_dir

    def _load(self) -> None:
        if self.model_ is None or self.tokenizer_ is None:
            if self.config.model.device_map is None:
                where = f"{self.config.source or '<config>'} [model].device"
                check_device(self.config.model.device, where)
            self.model_, self.tokenizer_ = load_experiment_model(self.config)

    @property
    def model(self) -> PreTrainedModel:
        self._load()
        assert self.model_ is not None
        return self.model_

    @property
    def tokenizer(self) -> PreTrainedTokenizerBase:
        self._load()
        assert self.tokenizer_ is not None
        return self.tokenizer_

    @property
    def vector(self) -> SteeringVector:
        """The run's vector, checked against the model (from ``<out_dir>/vector`` unless set)."""
        if self.vector_ is None:
            folder = self.out / "vector"
            if not folder.is_dir():
                raise FileNotFoundError(f"no vector in {folder}; run `extract` first")
            self.vector_ = SteeringVector.load(folder, model=self.model)
        return self.vector_

    def with_vector(self, vector: SteeringVector) -> Run:
        """This run with ``vector`` as its vector (same model, tokenizer and folder)."""
        return dataclasses.replace(self, vector_=vector)

    def store_identity(self, dataset: DatasetConfig | None = None) -> dict[str, Any]:
        """What a stored row depends on besides the measurement's own settings (see
        :func:`store_identity`)."""
        return store_identity(self.config, self.vector, dataset)


def build_pairs(config: ExperimentConfig, tokenizer: PreTrainedTokenizerBase) -> list[ContrastPair]:
    """The contrast pairs of ``[pairs]`` (at most ``n_pairs``, in file order)."""
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


def _answer_ids(
    tokenizer: PreTrainedTokenizerBase, prompt: str, answers: list[str], where: str
) -> list[int]:
    try:
        return list(answer_token_ids(tokenizer, prompt, answers))
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def dataset_items(
    config: ExperimentConfig, dataset: DatasetConfig, tokenizer: PreTrainedTokenizerBase
) -> list[tuple[str, str]]:
    """``(prompt_id, prompt text)`` of a behavior dataset (at most ``limit``, in file order)."""
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
    offset = dataset.offset or 0
    stop = None if dataset.limit is None else offset + dataset.limit
    chosen = items[offset:stop]
    if not chosen:
        raise ValueError(
            f"dataset {dataset.name!r}: no rows left after offset {offset} "
            f"({len(items)} rows in {dataset.path!r})"
        )
    return chosen


def build_prompts(
    config: ExperimentConfig, dataset: DatasetConfig, tokenizer: PreTrainedTokenizerBase
) -> list[SweepPrompt]:
    """The dataset's prompts with the token ids their logit measurements need."""
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


def data_file_hash(config: ExperimentConfig, relative: str) -> dict[str, Any]:
    """``{"file", "sha256"}`` of a data name or path: a shipped file's manifest hash (checked at
    load), else the file's own (computed once per size and mtime, :func:`gguf_sha256`)."""
    path = config.data_path(relative)
    if is_dataset_name(relative):
        return {"file": relative, "sha256": manifest()[DATASETS.get(relative, relative)]["sha256"]}
    return {"file": str(path), "sha256": gguf_sha256(path)}


def pair_rows(config: ExperimentConfig, n_built: int) -> dict[str, Any]:
    """Which rows the vector's pairs used: rows ``0..n_built-1`` of each ``[pairs]`` file."""
    p = config.pairs
    if p is None:
        return {}
    files = {k: getattr(p, k) for k in ("harmful", "harmless", "stereoset") if getattr(p, k)}
    return {
        "source": p.source,
        "n_pairs": n_built,
        "rows": [0, n_built],  # [start, stop): file row indices
        "files": files,
    }


def dataset_rows(config: ExperimentConfig, dataset: DatasetConfig, ids: list[str]) -> dict:
    """Which rows ``dataset`` is measured on: from ``offset``, the prompt ids (file rows)."""
    offset = dataset.offset or 0
    return {
        "file": dataset.path,
        "offset": offset,
        "rows": [offset, offset + len(ids)],  # [start, stop): file row indices
        "held_out_from_pairs": config.pair_field(dataset),
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
    }


def store_identity(
    config: ExperimentConfig, vector: SteeringVector, dataset: DatasetConfig | None = None
) -> dict[str, Any]:
    """What a stored row depends on besides the measurement's own settings: the model, the
    vector (fingerprint and manifest) and the dataset's fields (not its ``generation`` table, so
    changing the judged generations never invalidates the logit sweep), the steerbound version,
    and the hash of the data file the dataset reads, so an edited file never reuses a row."""
    identity: dict[str, Any] = {
        "steerbound": steerbound.__version__,
        "model": config.to_dict()["model"],
        "vector": {"fingerprint": vector_fingerprint(vector), **vector.manifest.to_json()},
    }
    if dataset is not None:
        fields = config.to_dict()["datasets"][config.datasets.index(dataset)]
        identity["dataset"] = {k: v for k, v in fields.items() if k != "generation"}
        if dataset.path:
            identity["data"] = data_file_hash(config, dataset.path)
    return identity
