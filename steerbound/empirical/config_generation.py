"""Config sections for generation-based measurements: ``[datasets.generation]`` and
``[humaneval]`` (see ``configs/*.toml``).

``[datasets.generation]`` (behavior datasets) turns on the **judged-generation** behavior of
EXPERIMENTS.md: an answer per prompt and ``r_e`` (greedy, or sampled at ``temperature``), scored
``+1 / -1 / 0`` by a keyword judge, averaged into the behavior expectation with a Wilson
interval. ``judge = "harmfulness"`` (``positive = "refuse" | "comply"``) and ``judge = "bias"``
(``positive = "disagree" | "agree"``) use the built-in phrase lists of
:mod:`steerbound.empirical.judges` unless ``positive_phrases`` / ``negative_phrases`` replace
them; ``judge = "keywords"`` needs both lists. ``positive`` names the behavior scored ``+1``.

``[humaneval]`` measures the HumanEval pass rate per ``r_e``: ``samples`` sampled completions
per problem (``temperature``), cut at ``stop_sequences``, run in the sandbox of
:mod:`steerbound.empirical.humaneval`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from steerbound.empirical.config_fields import ConfigError, build, check, grid, named_dataset

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
    """The :class:`~steerbound.empirical.judges.KeywordJudge` a generation config describes:
    the built-in judge of ``cfg.judge`` with ``positive_phrases`` / ``negative_phrases``
    replacing its lists where given."""
    from steerbound.empirical import judges

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
