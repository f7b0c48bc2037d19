"""TOML experiment configs for ``steerbound empirical`` (extract, sweep, ...).

Layout (every section but ``[[datasets]]`` is a table; see ``configs/*.toml``)::

    name = "llama2-13b-base-harmless"     # names output files
    output_dir = "runs/llama2-13b-base-harmless"
    data_dir = "../../shared/data"        # dataset/pair paths are relative to it
    [model]    path, dtype, device, device_map, allow_network, revision, block_template
    [pairs]    source = "harmfulness" | "bias" | "responses" | "inline"; positive; n_pairs; ...
    [vector]   layers (ints, fractions of depth or "start:stop"), method, kappa, ...
    [sweep]    coefficients = {start, stop, step} or a list; batch_size; baseline (only needed
               by sweep and assumptions)
    [[datasets]] name, kind = "mmlu" | "requests" | "instructions" | "statements" | "inline",
               dataset (a shipped name) or path or prompts, offset, limit, positive_answers, ...

Held-out rows: a behavior dataset reading the file a ``[pairs]`` field reads (both
``"advbench"``, say) starts at row ``offset`` = ``n_pairs`` (the pairs use rows
``0..n_pairs-1``); an explicit smaller ``offset`` is an error. The rows each side used are
recorded in ``<out>/vector/extraction.json`` and in each sweep store's config.
    [datasets.generation]  judged generations of a behavior dataset (below)
    [humaneval]  dataset or path, samples, temperature, max_new_tokens, coefficients, ...

Data files are named (``dataset = "advbench"``, ``harmful = "advbench"``: the copies shipped in
:mod:`steerbound.datasets`, hash-checked) or given by path (your own files; relative paths are
under ``data_dir``; ``./name`` forces a path where a shipped name would match). Relative
``output_dir`` and ``data_dir`` are resolved against the config file's folder. Errors
are ``ConfigError`` (a ``ValueError``) naming the file and the field; field types are checked
against the dataclass annotations (:func:`steerbound._codec.decode`).

``[datasets.generation]`` (behavior datasets) turns on the **judged-generation** behavior
(docs/empirical.md): an answer per prompt and ``r_e`` (greedy, or sampled at ``temperature``),
scored ``+1 / -1 / 0`` by a keyword judge, averaged into the behavior expectation with a Wilson
interval. ``judge = "harmfulness"`` (``positive = "refuse" | "comply"``) and ``judge = "bias"``
(``positive = "disagree" | "agree"``) use the built-in phrase lists of
:mod:`steerbound.empirical.measure.judges` unless ``positive_phrases`` / ``negative_phrases``
replace
them; ``judge = "keywords"`` needs both lists. ``positive`` names the behavior scored ``+1``.

``[humaneval]`` measures the HumanEval pass rate per ``r_e``: ``samples`` sampled completions
per problem (``temperature``), cut at ``stop_sequences``, run in the sandbox of
:mod:`steerbound.empirical.measure.humaneval`.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from steerbound._codec import decode
from steerbound.datasets import DATASETS, dataset_path, is_dataset_name
from steerbound.datasets import ROOT as DATA_ROOT
from steerbound.empirical.measure import judges
from steerbound.empirical.model.loading import DTYPES
from steerbound.empirical.sweeps.logits import coefficient_grid

__all__ = [
    "ConfigError",
    "DatasetConfig",
    "ExperimentConfig",
    "GenerationConfig",
    "HumanEvalConfig",
    "ModelConfig",
    "PairsConfig",
    "SweepConfig",
    "VectorConfig",
    "check_device",
    "check_ready",
    "load_config",
    "parse_config",
]


class ConfigError(ValueError):
    """A config value is missing or invalid; the message names the file and the field."""


def check(condition: bool, where: str, message: str) -> None:
    """Raise ``ConfigError(f"{where}: {message}")`` unless ``condition``."""
    if not condition:
        raise ConfigError(f"{where}: {message}")


def build(cls: type, table: Any, where: str) -> Any:
    """The dataclass ``cls`` from a TOML table, checking unknown, missing and ill-typed fields
    against its annotations (errors are :class:`ConfigError` naming ``where`` and the field)."""
    return decode(cls, table, where, error=ConfigError)


def named_dataset(cfg: Any, where: str) -> Any:
    """``cfg`` with ``path`` set to its ``dataset`` (a shipped dataset name of
    :mod:`steerbound.datasets`, resolved by :meth:`ExperimentConfig.data_path`); ``cfg``
    unchanged when it names none. Exactly one of ``path`` and ``dataset`` may be given."""
    if cfg.dataset is None:
        return cfg
    check(not cfg.path, f"{where}.dataset", "give either path or dataset, not both")
    check(
        is_dataset_name(cfg.dataset),
        f"{where}.dataset",
        f"unknown dataset {cfg.dataset!r}; shipped: {sorted(DATASETS)}",
    )
    return dataclasses.replace(cfg, path=cfg.dataset)


def _finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def grid(value: Any, where: str) -> list[float]:
    """A coefficient grid from ``{start, stop, step}`` (inclusive) or a list of distinct numbers."""
    if isinstance(value, dict):
        unknown = set(value) - {"start", "stop", "step"}
        if unknown or len(value) != 3:
            raise ConfigError(f"{where}: expected {{start, stop, step}}, got keys {sorted(value)}")
        bad = [k for k in ("start", "stop", "step") if not _finite_number(value[k])]
        if bad:
            raise ConfigError(f"{where}.{bad[0]}: must be a finite number, got {value[bad[0]]!r}")
        try:
            return coefficient_grid(
                float(value["start"]), float(value["stop"]), float(value["step"])
            )
        except (TypeError, ValueError) as error:
            raise ConfigError(f"{where}: {error}") from None
    numbers = isinstance(value, list) and value
    if numbers and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        if len(set(value)) != len(value):
            raise ConfigError(f"{where}: coefficients repeat a value")
        bad = [v for v in value if not _finite_number(v)]
        if bad:
            raise ConfigError(f"{where}: coefficient {bad[0]!r} is not finite")
        return [float(v) for v in value]
    raise ConfigError(f"{where}: expected a {{start, stop, step}} table or a list of numbers")


JUDGES = {"harmfulness": ("refuse", "comply"), "bias": ("disagree", "agree"), "keywords": ()}
# Codex / HumanEval stop sequences: a new top-level statement ends the function body.
STOP_SEQUENCES = ["\nclass ", "\ndef ", "\n#", "\nif __name__", "\nprint(", "\nassert "]


@dataclass(frozen=True)
class GenerationConfig:
    """Judged generations of a behavior dataset (module docstring)."""

    judge: str
    positive: str | None = None
    positive_phrases: list[str] | None = None
    negative_phrases: list[str] | None = None
    unknown: str = "exclude"  # how judge score 0 counts: "exclude" | "negative"
    confidence: float = 0.95
    max_new_tokens: int = 64
    do_sample: bool = False
    temperature: float = 1.0
    seed: int = 0
    batch_size: int = 16
    steer_prompt: bool = True
    coefficients: list[float] | None = None  # overrides the dataset's grid


@dataclass(frozen=True)
class HumanEvalConfig:
    """HumanEval pass rate per coefficient (module docstring)."""

    path: str = ""  # a file (relative: under data_dir) or a shipped dataset name
    dataset: str | None = None  # a shipped dataset name ("humaneval"); sets path
    name: str = "humaneval"
    limit: int | None = None
    samples: int = 1  # completions per problem and coefficient
    do_sample: bool = True
    temperature: float = 1.0
    max_new_tokens: int = 384
    seed: int = 0
    batch_size: int = 16
    steer_prompt: bool = True
    timeout_s: float = 10.0
    workers: int = 2
    confidence: float = 0.95
    stop_sequences: list[str] = field(default_factory=lambda: list(STOP_SEQUENCES))
    coefficients: list[float] | None = None  # default: [sweep].coefficients


def _common(cfg: Any, where: str) -> None:
    check(cfg.max_new_tokens >= 1, f"{where}.max_new_tokens", "must be >= 1")
    check(cfg.batch_size >= 1, f"{where}.batch_size", "must be >= 1")
    check(cfg.temperature > 0, f"{where}.temperature", "must be positive")
    check(0 < cfg.confidence < 1, f"{where}.confidence", "must be in (0, 1)")


def _with_grid(table: Any, where: str) -> Any:
    if isinstance(table, dict) and table.get("coefficients") is not None:
        return {**table, "coefficients": grid(table["coefficients"], f"{where}.coefficients")}
    return table


def parse_generation(table: Any, where: str) -> GenerationConfig:
    """Validate a ``[datasets.generation]`` table; ``where`` names the file and dataset."""
    cfg: GenerationConfig = build(GenerationConfig, _with_grid(table, where), where)
    _common(cfg, where)
    check(cfg.judge in JUDGES, f"{where}.judge", f"must be one of {sorted(JUDGES)}")
    sides = JUDGES[cfg.judge]
    if sides:
        check(cfg.positive in sides, f"{where}.positive", f"must be one of {sides}")
    else:
        check(cfg.positive is None, f"{where}.positive", "not used by judge = keywords")
        check(
            bool(cfg.positive_phrases) and bool(cfg.negative_phrases),
            f"{where}.positive_phrases/negative_phrases",
            "judge = keywords needs both phrase lists",
        )
    for name in ("positive_phrases", "negative_phrases"):
        phrases = getattr(cfg, name)
        ok = phrases is None or (phrases and all(p.strip() for p in phrases))
        check(bool(ok), f"{where}.{name}", "must be a non-empty list of non-blank phrases")
    check(cfg.unknown in ("exclude", "negative"), f"{where}.unknown", "exclude or negative")
    try:
        judge_from_config(cfg)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None
    return cfg


def parse_humaneval(table: Any, where: str) -> HumanEvalConfig:
    """Validate the ``[humaneval]`` table."""
    cfg: HumanEvalConfig = named_dataset(
        build(HumanEvalConfig, _with_grid(table, where), where), where
    )
    _common(cfg, where)
    check(bool(cfg.path), f"{where}.path", "empty")
    check(bool(cfg.name.strip()), f"{where}.name", "empty")
    check(cfg.limit is None or cfg.limit > 0, f"{where}.limit", "must be positive")
    check(cfg.samples >= 1, f"{where}.samples", "must be >= 1")
    check(cfg.do_sample or cfg.samples == 1, f"{where}.samples", "must be 1 when greedy")
    check(cfg.timeout_s > 0, f"{where}.timeout_s", "must be positive")
    check(cfg.workers >= 1, f"{where}.workers", "must be >= 1")
    check(all(s for s in cfg.stop_sequences), f"{where}.stop_sequences", "empty sequence")
    return cfg


def judge_from_config(cfg: GenerationConfig) -> Any:
    """The :class:`~steerbound.empirical.measure.judges.KeywordJudge` a generation config describes:
    the built-in judge of ``cfg.judge`` with ``positive_phrases`` / ``negative_phrases``
    replacing its lists where given."""
    if cfg.judge == "keywords":
        positive, negative = cfg.positive_phrases or [], cfg.negative_phrases or []
    else:
        build = judges.harmfulness_judge if cfg.judge == "harmfulness" else judges.bias_judge
        default = build(cast(Any, cfg.positive))
        positive = cfg.positive_phrases or list(default.positive_phrases)
        negative = cfg.negative_phrases or list(default.negative_phrases)
    return judges.KeywordJudge(tuple(positive), tuple(negative))


def judge_spec(cfg: GenerationConfig) -> dict[str, Any]:
    """The judge's full description (phrase lists resolved), recorded next to judged outputs."""
    judge = judge_from_config(cfg)
    return {
        "judge": cfg.judge,
        "positive": cfg.positive,
        "positive_phrases": list(judge.positive_phrases),
        "negative_phrases": list(judge.negative_phrases),
        "unknown": cfg.unknown,
        "confidence": cfg.confidence,
    }


#: Commands whose config needs ``[sweep]`` (``extract``, ``fit`` and ``plot`` do not).
SWEEP_COMMANDS = ("sweep", "assumptions")
#: Commands that load the model; :func:`check_ready` validates them before it loads.
MODEL_COMMANDS = ("extract", "sweep", "assumptions")
#: ``[pairs].source`` -> {dataset kind: the ``[pairs]`` field whose file that kind reads}.
PAIR_FILE_FIELDS = {
    "harmfulness": {"requests": "harmful", "instructions": "harmless"},
    "responses": {"requests": "harmful"},
    "bias": {"statements": "stereoset"},
}
PAIR_SOURCES = ("harmfulness", "bias", "responses", "inline")
DATASET_KINDS = ("mmlu", "requests", "instructions", "statements", "inline")
POSITIVE_SIDES = {
    "harmfulness": ("harmful", "harmless"),
    "bias": ("disagree", "agree"),
    "responses": ("aligned", "misaligned"),
    "inline": ("first",),
}


@dataclass(frozen=True)
class ModelConfig:
    path: str
    dtype: str = "float32"
    device: str = "cpu"
    device_map: str | None = None
    allow_network: bool = False
    revision: str | None = None
    block_template: str | None = None


@dataclass(frozen=True)
class PairsConfig:
    source: str
    positive: str = "first"
    n_pairs: int = 128  # the first n_pairs pairs, in file order
    use_chat_template: bool | None = None
    harmful: str | None = None  # AdvBench CSV: a shipped dataset name or a path (under data_dir)
    harmless: str | None = None  # instruction list (.txt / .jsonl)
    stereoset: str | None = None  # StereoSet JSON
    pairs: list[list[str]] = field(default_factory=list)  # inline [[positive, negative], ...]


@dataclass(frozen=True)
class VectorConfig:
    layers: Any
    method: str = "pca"
    batch_size: int = 16
    holdout_fraction: float = 0.25
    seed: int = 0
    kappa: float | None = None  # scale v_l to kappa x mean residual norm of layer l
    force_model_mismatch: bool = False  # apply a vector whose manifest names another model


@dataclass(frozen=True)
class SweepConfig:
    coefficients: list[float]
    batch_size: int = 32
    baseline: bool = True


@dataclass(frozen=True)
class DatasetConfig:
    name: str
    kind: str
    path: str | None = None  # a file (relative: under data_dir) or a shipped dataset name
    dataset: str | None = None  # a shipped dataset name (steerbound.datasets); sets path
    prompts: list[str] = field(default_factory=list)
    limit: int | None = None
    positive_answers: list[str] = field(default_factory=list)
    negative_answers: list[str] = field(default_factory=list)
    use_chat_template: bool | None = None
    coefficients: list[float] | None = None  # overrides [sweep].coefficients for this dataset
    # rows of the file skipped before the first prompt; default 0, or [pairs].n_pairs when the
    # dataset reads the file the pairs read (held-out rows; see ExperimentConfig.pair_field)
    offset: int | None = None
    generation: GenerationConfig | None = None  # judged generations (behavior datasets)


@dataclass(frozen=True)
class ExperimentConfig:
    name: str
    model: ModelConfig
    pairs: PairsConfig | None  # None: no [pairs] section (sweep an existing vector only)
    vector: VectorConfig
    sweep: SweepConfig | None  # None: no [sweep] section (extract only); see require_sweep
    datasets: list[DatasetConfig]
    output_dir: Path
    data_dir: Path
    source: Path | None = None
    humaneval: HumanEvalConfig | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (paths as strings) used for config hashes and output headers."""
        data = dataclasses.asdict(self)
        for key in ("output_dir", "data_dir", "source"):
            data[key] = None if data[key] is None else str(data[key])
        return data

    def require_sweep(self) -> SweepConfig:
        """``[sweep]``; a :class:`ConfigError` naming the section when the config has none."""
        if self.sweep is None:
            raise ConfigError(
                f"{self.source or '<config>'}: missing section [sweep] "
                f"(required by {', '.join(SWEEP_COMMANDS)})"
            )
        return self.sweep

    def grid(self, dataset: DatasetConfig) -> list[float]:
        """The coefficient grid of ``dataset`` (its own, else ``[sweep].coefficients``)."""
        if dataset.coefficients is not None:
            return dataset.coefficients
        return self.require_sweep().coefficients

    def generation_grid(self, dataset: DatasetConfig) -> list[float]:
        """The grid of ``dataset``'s judged generations (``[datasets.generation]``'s own, else
        the dataset's)."""
        gen = dataset.generation
        return gen.coefficients if gen and gen.coefficients is not None else self.grid(dataset)

    def humaneval_grid(self) -> list[float]:
        """The grid of ``[humaneval]`` (its own, else ``[sweep].coefficients``)."""
        h = self.humaneval
        if h and h.coefficients is not None:
            return h.coefficients
        return self.require_sweep().coefficients

    def data_path(self, relative: str) -> Path:
        """A shipped dataset name -> its hash-checked file (:func:`steerbound.datasets.
        dataset_path`); otherwise a path, relative ones under ``data_dir``."""
        if is_dataset_name(relative):
            return dataset_path(relative)
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.data_dir / path

    def pair_field(self, dataset: DatasetConfig) -> str | None:
        """The ``[pairs]`` field (``harmful``, ``harmless``, ``stereoset``) naming the file
        ``dataset`` also reads, or ``None``. The pairs use that file's first ``n_pairs`` rows, so
        such a dataset is measured from row ``n_pairs`` on (its ``offset``)."""
        p = self.pairs
        name = PAIR_FILE_FIELDS.get(p.source, {}).get(dataset.kind) if p is not None else None
        value = getattr(p, name) if name is not None else None
        if value is None or dataset.path is None:
            return None
        return name if self._file(value) == self._file(dataset.path) else None

    def _file(self, relative: str) -> Path:
        """The resolved file of a data name or path (shipped files not hash-checked here)."""
        if is_dataset_name(relative):
            return (DATA_ROOT / DATASETS.get(relative, relative)).resolve()
        return self.data_path(relative).resolve()


def _parse_pairs(table: Any, file: str) -> PairsConfig:
    pairs: PairsConfig = build(PairsConfig, table, f"{file} [pairs]")
    where = f"{file} [pairs]"
    check(pairs.source in PAIR_SOURCES, f"{where}.source", f"must be one of {PAIR_SOURCES}")
    sides = POSITIVE_SIDES[pairs.source]
    check(pairs.positive in sides, f"{where}.positive", f"must be one of {sides}")
    check(pairs.n_pairs >= 2, f"{where}.n_pairs", "must be >= 2")
    if pairs.source == "inline":
        ok = len(pairs.pairs) >= 2 and all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
            for p in pairs.pairs
        )
        check(ok, f"{where}.pairs", "must be a list of at least 2 [positive, negative] strings")
    needs = {"harmfulness": ("harmful", "harmless"), "bias": ("stereoset",)}
    needs["responses"] = ("harmful",)
    for name in needs.get(pairs.source, ()):
        check(getattr(pairs, name) is not None, f"{where}.{name}", f"required by {pairs.source}")
    return pairs


def _parse_datasets(raw: Any, file: str) -> list[DatasetConfig]:
    check(isinstance(raw, list), f"{file} datasets", "expected [[datasets]] tables")
    datasets = []
    for i, table in enumerate(raw):
        where = f"{file} [[datasets]][{i}]"
        generation = None
        if isinstance(table, dict):
            table = dict(table)
            if table.get("coefficients") is not None:
                table["coefficients"] = grid(table["coefficients"], f"{where}.coefficients")
            if "generation" in table:
                generation = parse_generation(table.pop("generation"), f"{where}.generation")
        dataset = named_dataset(build(DatasetConfig, table, where), where)
        dataset = dataclasses.replace(dataset, generation=generation)
        check(dataset.kind in DATASET_KINDS, f"{where}.kind", f"must be one of {DATASET_KINDS}")
        safe = bool(dataset.name) and all(c.isalnum() or c in "-_." for c in dataset.name)
        check(safe, f"{where}.name", "must be a file-name-safe string (letters, digits, -_.)")
        if dataset.kind == "inline":
            check(bool(dataset.prompts), f"{where}.prompts", "required for kind = inline")
        else:
            check(
                dataset.path is not None,
                f"{where}.path",
                f"path or dataset required for kind = {dataset.kind}",
            )
        if dataset.kind != "mmlu":
            check(
                bool(dataset.positive_answers) and bool(dataset.negative_answers),
                f"{where}.positive_answers/negative_answers",
                "behavior datasets need both answer lists",
            )
        else:
            check(generation is None, f"{where}.generation", "only for behavior datasets")
        check(dataset.limit is None or dataset.limit > 0, f"{where}.limit", "must be positive")
        check(dataset.offset is None or dataset.offset >= 0, f"{where}.offset", "must be >= 0")
        datasets.append(dataset)
    names = [d.name for d in datasets]
    check(len(set(names)) == len(names), f"{file} datasets", "dataset names must be distinct")
    return datasets


def parse_config(
    data: dict[str, Any], source: str | Path | None = None, command: str | None = None
) -> ExperimentConfig:
    """Validate a parsed TOML document into an :class:`ExperimentConfig`.

    ``[model]`` and ``[vector]`` are always required; ``[sweep]`` only when ``command`` is one
    of :data:`SWEEP_COMMANDS` (``None``: required when a step reads it, :meth:`ExperimentConfig.
    require_sweep`); ``[pairs]`` when ``command`` is ``extract``."""
    file = str(source) if source is not None else "<config>"
    base = Path(source).resolve().parent if source is not None else Path.cwd()
    top = {"name", "output_dir", "data_dir", "model", "pairs", "vector", "sweep", "datasets"}
    top |= {"humaneval"}
    unknown = sorted(set(data) - top)
    check(not unknown, file, f"unknown top-level field(s) {unknown}")
    required = ["model", "vector"]
    required += ["sweep"] if command in SWEEP_COMMANDS else []
    required += ["pairs"] if command == "extract" else []
    for section in required:
        by = f" (required by {command})" if section not in ("model", "vector") else ""
        check(section in data, file, f"missing section [{section}]{by}")
    model = build(ModelConfig, data["model"], f"{file} [model]")
    check(isinstance(model.path, str) and bool(model.path), f"{file} [model].path", "empty")

    check(model.dtype in DTYPES, f"{file} [model].dtype", f"must be one of {sorted(DTYPES)}")
    pairs = _parse_pairs(data["pairs"], file) if "pairs" in data else None
    vector = build(VectorConfig, data["vector"], f"{file} [vector]")
    where = f"{file} [vector]"
    check(vector.method in ("pca", "mean_diff"), f"{where}.method", "must be pca or mean_diff")
    check(0 <= vector.holdout_fraction < 1, f"{where}.holdout_fraction", "must be in [0, 1)")
    check(vector.batch_size >= 1, f"{where}.batch_size", "must be >= 1")
    check(vector.kappa is None or vector.kappa > 0, f"{where}.kappa", "must be positive")
    layers_ok = isinstance(vector.layers, str | int | float) or (
        isinstance(vector.layers, list) and len(vector.layers) > 0
    )
    check(layers_ok, f"{where}.layers", 'expected ints, fractions or "start:stop"')
    sweep = None
    if "sweep" in data:
        sweep_table = dict(data["sweep"]) if isinstance(data["sweep"], dict) else data["sweep"]
        if isinstance(sweep_table, dict) and "coefficients" in sweep_table:
            sweep_table["coefficients"] = grid(
                sweep_table["coefficients"], f"{file} [sweep].coefficients"
            )
        sweep = build(SweepConfig, sweep_table, f"{file} [sweep]")
        check(sweep.batch_size >= 1, f"{file} [sweep].batch_size", "must be >= 1")
    datasets = _parse_datasets(data.get("datasets", []), file)
    humaneval = None
    if "humaneval" in data:
        humaneval = parse_humaneval(data["humaneval"], f"{file} [humaneval]")
        clash = humaneval.name in {d.name for d in datasets}
        check(not clash, f"{file} [humaneval].name", "must differ from every dataset name")
    for key in ("name", "output_dir", "data_dir"):
        check(isinstance(data.get(key, ""), str), f"{file} {key}", "expected a string")
    name = str(data.get("name", Path(file).stem))
    config = ExperimentConfig(
        name=name,
        model=model,
        pairs=pairs,
        vector=vector,
        sweep=sweep,
        datasets=datasets,
        output_dir=(base / str(data.get("output_dir", f"runs/{name}"))).resolve(),
        data_dir=(base / str(data.get("data_dir", "."))).resolve(),
        source=Path(source).resolve() if source is not None else None,
        humaneval=humaneval,
    )
    return _held_out(config, file)


def _held_out(config: ExperimentConfig, file: str) -> ExperimentConfig:
    """``config`` with each dataset that reads a ``[pairs]`` file starting after the pairs' rows
    (``offset`` defaults to ``n_pairs``); an explicit ``offset`` inside them is an error."""
    datasets = []
    for i, dataset in enumerate(config.datasets):
        shared = config.pair_field(dataset)
        if shared is not None:
            assert config.pairs is not None
            n = config.pairs.n_pairs
            if dataset.offset is None:
                dataset = dataclasses.replace(dataset, offset=n)
            check(
                dataset.offset is not None and dataset.offset >= n,
                f"{file} [[datasets]][{i}].offset",
                f"rows 0-{n - 1} of {dataset.path!r} build the vector's pairs ([pairs].{shared}, "
                f"n_pairs = {n}); the behavior must be measured on other rows: offset >= {n}",
            )
        datasets.append(dataset)
    return dataclasses.replace(config, datasets=datasets)


def check_device(device: str, where: str) -> None:
    """A :class:`ConfigError` naming ``where`` unless torch can use ``device`` here."""
    import torch

    kind, _, index = device.partition(":")
    if kind == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        wanted = int(index) + 1 if index.isdigit() else 1
        check(
            count >= wanted,
            where,
            f"{device!r} is not available on this machine (torch {torch.__version__} sees "
            f'{count} CUDA device(s)); set device = "cpu" or run where CUDA is',
        )
    elif kind == "mps":
        check(
            torch.backends.mps.is_available(),
            where,
            f'{device!r} is not available on this machine (torch.backends.mps); set device = "cpu"',
        )


def check_ready(config: ExperimentConfig, command: str) -> None:
    """Everything ``command`` needs, checked before any model loads: its sections, every data
    file it reads exists (shipped ones hash-checked), and ``[model].device`` is available."""
    file = str(config.source or "<config>")
    if command in SWEEP_COMMANDS:
        config.require_sweep()
    files: list[tuple[str, str | None]] = []
    if command == "extract":
        p = config.pairs
        check(p is not None, file, "missing section [pairs] (required by extract)")
        assert p is not None
        files += [(f"[pairs].{k}", getattr(p, k)) for k in ("harmful", "harmless", "stereoset")]
    if command in SWEEP_COMMANDS:
        files += [(f"[[datasets]][{i}].path", d.path) for i, d in enumerate(config.datasets)]
    if command == "sweep" and config.humaneval is not None:
        files.append(("[humaneval].path", config.humaneval.path))
    for where, value in files:
        if not value:
            continue
        try:
            path = config.data_path(value)
        except (KeyError, OSError, ValueError) as error:
            raise ConfigError(f"{file} {where}: {error}") from None
        check(path.is_file(), f"{file} {where}", f"data file {path} does not exist")
    if command in MODEL_COMMANDS and config.model.device_map is None:
        check_device(config.model.device, f"{file} [model].device")


def load_config(path: str | Path, command: str | None = None) -> ExperimentConfig:
    """Read and validate a TOML config file (sections as ``command`` needs, see
    :func:`parse_config`)."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"config file {file} does not exist")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: invalid TOML: {error}") from None
    try:
        return parse_config(data, file, command)
    except TypeError as error:  # a field of the wrong type reached a dataclass
        raise ConfigError(f"{file}: {error}") from None
