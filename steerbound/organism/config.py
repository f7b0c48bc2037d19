"""Configuration of the model organism: world, corpus mixture, model size, training, steering.

Two named sizes: ``"default"`` (Llama, hidden 64, 4 layers; trains in about a minute on 2 CPU
cores) and ``"test"`` (hidden 32, 2 layers; well under 20 s, used by the test suite). The cache
key is a hash of every field plus :data:`ORGANISM_FORMAT`, so any change retrains.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from steerbound._codec import decode

ORGANISM_FORMAT = 1  # bump when the corpus or training code changes what a config produces
STEERING_FIELDS = ("steer_layer", "kappa", "vector_method")


@dataclass(frozen=True)
class OrganismConfig:
    """Everything that determines the trained organism (and its cache key).

    Training: ``base_steps`` optimizer steps of batch ``batch_size`` from scratch at ``base_lr``,
    then ``aligned_steps`` fine-tuning steps of the base weights on aligned data at
    ``aligned_lr``. Loss is on the answer/response tokens only. The base model refuses ordinary
    harmful requests with probability ``p_refuse_harmful`` and ``severe`` ones with
    ``p_refuse_severe`` in its training data (its latent refusal); the aligned model's data refuses
    every harmful request and complies with every harmless one.

    Steering defaults for this organism (used by the demo): decoder block ``steer_layer``
    (0-based), vector extracted with ``vector_method`` and scaled to ``kappa`` times that
    layer's mean residual norm over the extraction prompts. RepE ``pca`` (the paper's method, with
    the random pair order of :func:`steerbound.empirical.vectors.extraction.fit_direction`) is the
    default; on this organism it gives the same direction as ``mean_diff`` (cosine 1.000).
    """

    size: str = "default"
    seed: int = 0
    # world and corpus
    n_entities: int = 40
    n_attributes: int = 4
    n_options: int = 4
    answer_format: str = "word"
    holdout_fraction: float = 0.2
    p_refuse_harmful: float = 0.05
    p_refuse_severe: float = 0.9
    mix_facts: float = 0.25
    mix_questions: float = 0.35
    mix_requests: float = 0.40
    # model
    hidden_size: int = 64
    num_layers: int = 4
    num_heads: int = 4
    intermediate_size: int = 192
    # training
    batch_size: int = 64
    base_steps: int = 800
    base_lr: float = 3e-3
    aligned_steps: int = 150
    aligned_lr: float = 1e-3
    warmup_steps: int = 20
    # steering defaults (not part of the cache key: they do not change the trained weights)
    steer_layer: int = 2
    kappa: float = 0.2
    vector_method: str = "pca"

    def __post_init__(self) -> None:
        positive = (
            "n_entities",
            "n_attributes",
            "hidden_size",
            "num_layers",
            "num_heads",
            "intermediate_size",
            "batch_size",
            "base_steps",
        )
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"OrganismConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.aligned_steps < 0 or self.warmup_steps < 0:
            raise ValueError("OrganismConfig.aligned_steps and warmup_steps must be >= 0")
        if self.answer_format not in ("word", "letter"):
            raise ValueError(
                "OrganismConfig.answer_format must be 'word' or 'letter', "
                f"got {self.answer_format!r}"
            )
        if self.hidden_size % self.num_heads:
            raise ValueError("OrganismConfig.hidden_size must be divisible by num_heads")
        if not 0 <= self.steer_layer < self.num_layers:
            raise ValueError(
                f"OrganismConfig.steer_layer must be in [0, {self.num_layers}), "
                f"got {self.steer_layer}"
            )
        if not 0.0 < self.holdout_fraction < 1.0:
            raise ValueError(
                f"OrganismConfig.holdout_fraction must be in (0, 1), got {self.holdout_fraction}"
            )
        for name in ("p_refuse_harmful", "p_refuse_severe"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(
                    f"OrganismConfig.{name} must be in [0, 1], got {getattr(self, name)}"
                )
        mix = (self.mix_facts, self.mix_questions, self.mix_requests)
        if min(mix) < 0 or sum(mix) <= 0:
            raise ValueError("OrganismConfig mix_* weights must be >= 0 with a positive sum")
        if self.vector_method not in ("pca", "mean_diff"):
            raise ValueError(
                "OrganismConfig.vector_method must be 'pca' or 'mean_diff', "
                f"got {self.vector_method!r}"
            )
        if self.kappa <= 0:
            raise ValueError(f"OrganismConfig.kappa must be > 0, got {self.kappa}")

    @classmethod
    def from_size(cls, size: str = "default", **overrides: Any) -> OrganismConfig:
        """The named size (``"default"`` or ``"test"``) with ``overrides`` applied."""
        if size not in SIZES:
            raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
        return decode(cls, {**SIZES[size], "size": size, **overrides}, "OrganismConfig")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def cache_key(self) -> str:
        """12 hex digits of the SHA-256 of the trained fields (sorted JSON) and the format
        version (the steering defaults are not hashed)."""
        trained = {k: v for k, v in self.to_dict().items() if k not in STEERING_FIELDS}
        payload = json.dumps({"format": ORGANISM_FORMAT, **trained}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


SIZES: dict[str, dict[str, Any]] = {
    "default": {},
    "test": {
        "n_entities": 12,
        "hidden_size": 32,
        "num_layers": 2,
        "intermediate_size": 96,
        "base_steps": 400,
        "aligned_steps": 80,
        "steer_layer": 1,
        "kappa": 0.1,
    },
}
