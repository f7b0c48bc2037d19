"""TOML experiment configs for ``steerbound empirical`` (extract, sweep, ...).

Layout (every section but ``[[datasets]]`` is a table; see ``configs/*.toml``)::

    name = "llama2-13b-base-harmless"     # names output files
    output_dir = "runs/llama2-13b-base-harmless"
    data_dir = "../../shared/data"        # dataset/pair paths are relative to it
    [model]    path, dtype, device, device_map, allow_network, revision, block_template
    [pairs]    source = "harmfulness" | "bias" | "responses" | "inline"; positive; n_pairs; ...
    [vector]   layers (ints, fractions of depth or "start:stop"), method, kappa, ...
    [sweep]    coefficients = {start, stop, step} or a list; batch_size; baseline
    [[datasets]] name, kind = "mmlu" | "requests" | "instructions" | "statements" | "inline",
               path or prompts, limit, positive_answers, negative_answers, coefficients

Relative ``output_dir`` and ``data_dir`` are resolved against the config file's folder. Errors
are ``ConfigError`` (a ``ValueError``) naming the file and the field.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PAIR_SOURCES = ("harmfulness", "bias", "responses", "inline")
DATASET_KINDS = ("mmlu", "requests", "instructions", "statements", "inline")
POSITIVE_SIDES = {
    "harmfulness": ("harmful", "harmless"),
    "bias": ("disagree", "agree"),
    "responses": ("aligned", "misaligned"),
    "inline": ("first",),
}


class ConfigError(ValueError):
    """A config value is missing or invalid; the message names the file and the field."""


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
    n_pairs: int = 128
    seed: int = 0
    use_chat_template: bool | None = None
    harmful: str | None = None  # AdvBench CSV (relative to data_dir)
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


@dataclass(frozen=True)
class SweepConfig:
    coefficients: list[float]
    batch_size: int = 32
    baseline: bool = True


@dataclass(frozen=True)
class DatasetConfig:
    name: str
    kind: str
    path: str | None = None
    prompts: list[str] = field(default_factory=list)
    limit: int | None = None
    positive_answers: list[str] = field(default_factory=list)
    negative_answers: list[str] = field(default_factory=list)
    use_chat_template: bool | None = None
    coefficients: list[float] | None = None  # overrides [sweep].coefficients for this dataset


@dataclass(frozen=True)
class ExperimentConfig:
    name: str
    model: ModelConfig
    pairs: PairsConfig | None  # None: no [pairs] section (sweep an existing vector only)
    vector: VectorConfig
    sweep: SweepConfig
    datasets: list[DatasetConfig]
    output_dir: Path
    data_dir: Path
    source: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (paths as strings) used for config hashes and output headers."""
        data = dataclasses.asdict(self)
        for key in ("output_dir", "data_dir", "source"):
            data[key] = None if data[key] is None else str(data[key])
        return data

    def grid(self, dataset: DatasetConfig) -> list[float]:
        """The coefficient grid of ``dataset`` (its own, else ``[sweep].coefficients``)."""
        return dataset.coefficients if dataset.coefficients is not None else self.sweep.coefficients

    def data_path(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.data_dir / path


def _grid(value: Any, where: str) -> list[float]:
    from steerbound.empirical.sweep import coefficient_grid

    if isinstance(value, dict):
        unknown = set(value) - {"start", "stop", "step"}
        if unknown or len(value) != 3:
            raise ConfigError(f"{where}: expected {{start, stop, step}}, got keys {sorted(value)}")
        try:
            return coefficient_grid(
                float(value["start"]), float(value["stop"]), float(value["step"])
            )
        except (TypeError, ValueError) as error:
            raise ConfigError(f"{where}: {error}") from None
    if isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
        if len(set(value)) != len(value):
            raise ConfigError(f"{where}: coefficients repeat a value")
        return [float(v) for v in value]
    raise ConfigError(f"{where}: expected a {{start, stop, step}} table or a list of numbers")


def _build(cls: type, table: Any, where: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(names))
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {unknown}; allowed {sorted(names)}")
    missing = [
        n
        for n, f in names.items()
        if f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
        and n not in table
    ]
    if missing:
        raise ConfigError(f"{where}: missing field(s) {missing}")
    return cls(**table)


def _check(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"{where}: {message}")


def _parse_pairs(table: Any, file: str) -> PairsConfig:
    pairs: PairsConfig = _build(PairsConfig, table, f"{file} [pairs]")
    where = f"{file} [pairs]"
    _check(pairs.source in PAIR_SOURCES, f"{where}.source", f"must be one of {PAIR_SOURCES}")
    sides = POSITIVE_SIDES[pairs.source]
    _check(pairs.positive in sides, f"{where}.positive", f"must be one of {sides}")
    _check(pairs.n_pairs >= 2, f"{where}.n_pairs", "must be >= 2")
    if pairs.source == "inline":
        ok = len(pairs.pairs) >= 2 and all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
            for p in pairs.pairs
        )
        _check(ok, f"{where}.pairs", "must be a list of at least 2 [positive, negative] strings")
    needs = {"harmfulness": ("harmful", "harmless"), "bias": ("stereoset",)}
    needs["responses"] = ("harmful",)
    for name in needs.get(pairs.source, ()):
        _check(getattr(pairs, name) is not None, f"{where}.{name}", f"required by {pairs.source}")
    return pairs


def parse_config(data: dict[str, Any], source: str | Path | None = None) -> ExperimentConfig:
    """Validate a parsed TOML document into an :class:`ExperimentConfig`."""
    file = str(source) if source is not None else "<config>"
    base = Path(source).resolve().parent if source is not None else Path.cwd()
    top = {"name", "output_dir", "data_dir", "model", "pairs", "vector", "sweep", "datasets"}
    unknown = sorted(set(data) - top)
    _check(not unknown, file, f"unknown top-level field(s) {unknown}")
    for required in ("model", "vector", "sweep"):
        _check(required in data, file, f"missing section [{required}]")
    model = _build(ModelConfig, data["model"], f"{file} [model]")
    _check(isinstance(model.path, str) and bool(model.path), f"{file} [model].path", "empty")
    from steerbound.empirical.models import DTYPES

    _check(model.dtype in DTYPES, f"{file} [model].dtype", f"must be one of {sorted(DTYPES)}")
    pairs = _parse_pairs(data["pairs"], file) if "pairs" in data else None
    vector = _build(VectorConfig, data["vector"], f"{file} [vector]")
    where = f"{file} [vector]"
    _check(vector.method in ("pca", "mean_diff"), f"{where}.method", "must be pca or mean_diff")
    _check(0 <= vector.holdout_fraction < 1, f"{where}.holdout_fraction", "must be in [0, 1)")
    _check(vector.batch_size >= 1, f"{where}.batch_size", "must be >= 1")
    _check(vector.kappa is None or vector.kappa > 0, f"{where}.kappa", "must be positive")
    layers_ok = isinstance(vector.layers, str | int | float) or (
        isinstance(vector.layers, list) and len(vector.layers) > 0
    )
    _check(layers_ok, f"{where}.layers", 'expected ints, fractions or "start:stop"')
    sweep_table = dict(data["sweep"]) if isinstance(data["sweep"], dict) else data["sweep"]
    if isinstance(sweep_table, dict) and "coefficients" in sweep_table:
        sweep_table["coefficients"] = _grid(
            sweep_table["coefficients"], f"{file} [sweep].coefficients"
        )
    sweep = _build(SweepConfig, sweep_table, f"{file} [sweep]")
    _check(sweep.batch_size >= 1, f"{file} [sweep].batch_size", "must be >= 1")
    raw_datasets = data.get("datasets", [])
    _check(isinstance(raw_datasets, list), f"{file} datasets", "expected [[datasets]] tables")
    datasets = []
    for i, table in enumerate(raw_datasets):
        where = f"{file} [[datasets]][{i}]"
        if isinstance(table, dict) and table.get("coefficients") is not None:
            table = {**table, "coefficients": _grid(table["coefficients"], f"{where}.coefficients")}
        dataset = _build(DatasetConfig, table, where)
        _check(dataset.kind in DATASET_KINDS, f"{where}.kind", f"must be one of {DATASET_KINDS}")
        if dataset.kind == "inline":
            _check(bool(dataset.prompts), f"{where}.prompts", "required for kind = inline")
        else:
            _check(dataset.path is not None, f"{where}.path", f"required for kind = {dataset.kind}")
        if dataset.kind != "mmlu":
            _check(
                bool(dataset.positive_answers) and bool(dataset.negative_answers),
                f"{where}.positive_answers/negative_answers",
                "behavior datasets need both answer lists",
            )
        _check(dataset.limit is None or dataset.limit > 0, f"{where}.limit", "must be positive")
        datasets.append(dataset)
    names = [d.name for d in datasets]
    _check(len(set(names)) == len(names), f"{file} datasets", "dataset names must be distinct")
    name = str(data.get("name", Path(file).stem))
    return ExperimentConfig(
        name=name,
        model=model,
        pairs=pairs,
        vector=vector,
        sweep=sweep,
        datasets=datasets,
        output_dir=(base / str(data.get("output_dir", f"runs/{name}"))).resolve(),
        data_dir=(base / str(data.get("data_dir", "."))).resolve(),
        source=Path(source).resolve() if source is not None else None,
    )


def load_config(path: str | Path) -> ExperimentConfig:
    """Read and validate a TOML config file."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"config file {file} does not exist")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: invalid TOML: {error}") from None
    try:
        return parse_config(data, file)
    except TypeError as error:  # a field of the wrong type reached a dataclass
        raise ConfigError(f"{file}: {error}") from None
