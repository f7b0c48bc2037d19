"""Configuration of ``steerbound demo``: what runs, on which organism, over which grid."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SettingName = Literal["base", "aligned"]


@dataclass(frozen=True)
class SettingSpec:
    """One steering setting of the demo (the paper's "harmless" and "harmful" settings).

    ``variant``: the organism variant steered; ``pushes_towards``: the behavior scored ``+1``
    (``"refuse"`` or ``"comply"``); ``request_kinds``: the held-out requests behavior is measured
    on. The vector comes from :meth:`Splits.contrast_prompts` of the same name.
    """

    name: SettingName
    variant: str
    pushes_towards: Literal["refuse", "comply"]
    request_kinds: tuple[str, ...]
    title: str


SETTINGS: dict[str, SettingSpec] = {
    "base": SettingSpec(
        "base", "base", "refuse", ("harmful",), "base model steered towards refusal"
    ),
    "aligned": SettingSpec(
        "aligned",
        "aligned",
        "comply",
        ("harmful", "severe"),
        "aligned model steered towards compliance",
    ),
}


@dataclass(frozen=True)
class DemoConfig:
    """Everything that determines a demo run (written into ``results.json``).

    ``r_e`` runs over ``n_coefficients`` values in ``[-r_max, r_max]`` in units of
    ``kappa x`` the steered layer's mean residual norm (the organism's steering defaults unless
    ``kappa``/``layer``/``vector_method`` are given); the absolute coefficient on the unit vector is
    ``r_e * kappa * mean_residual_norm``. Judged greedy generations use every
    ``generation_stride``-th
    coefficient and at most ``generation_prompts`` prompts. ``budget`` is the helpfulness budget
    (relative loss) of the recommended coefficient. ``small_r`` bounds the window where
    Assumption 1's linearity is fitted. ``plots=False`` writes only ``results.csv`` and
    ``results.json`` (no figures, no report).

    ``vector_method`` (``None``: the organism's default, RepE ``"pca"``, the paper's method):
    with the random pair order of
    :func:`steerbound.empirical.vectors.extraction.fit_direction` it meets
    the demo's thresholds on the default organism (base setting, seed 0: behavior -0.99 to +0.98,
    tanh R^2 0.997, helpfulness 0.94 at the behavior midpoint), identically to ``"mean_diff"``
    (cosine 1.000 between the two at the steered layer). The earlier ``mean_diff`` default
    worked around a PCA without the random pair order, which returned a direction orthogonal to
    the behavior (base behavior only -0.89 to -0.42, tanh R^2 0.32).
    """

    quick: bool = False
    seed: int = 0
    out_dir: Path = Path("steerbound-out")
    budget: float = 0.05
    retrain: bool = False
    organism_size: str = "default"
    cache_dir: Path | None = None
    settings: tuple[str, ...] = ("base", "aligned")
    n_coefficients: int = 41
    r_max: float = 10.0
    small_r: float = 2.0
    kappa: float | None = None
    layer: int | None = None
    vector_method: str | None = None
    generation_stride: int = 4
    generation_prompts: int = 32
    generation_tokens: int = 12
    max_questions: int | None = None
    run_theory: bool = True
    run_simulation: bool = True
    progress: bool = True
    plots: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "out_dir", Path(self.out_dir))
        if self.cache_dir is not None:
            object.__setattr__(self, "cache_dir", Path(self.cache_dir))
        if not 0.0 < self.budget < 1.0:
            raise ValueError(f"budget must be a fraction in (0, 1), got {self.budget}")
        if self.n_coefficients < 5 or self.n_coefficients % 2 == 0:
            raise ValueError(
                "n_coefficients must be odd (the grid includes 0) and >= 5, "
                f"got {self.n_coefficients}"
            )
        if self.r_max <= 0 or self.small_r <= 0:
            raise ValueError("r_max and small_r must be > 0")
        unknown = set(self.settings) - set(SETTINGS)
        if unknown or not self.settings:
            raise ValueError(f"settings must be a non-empty subset of {sorted(SETTINGS)}")
        if self.vector_method not in (None, "pca", "mean_diff"):
            raise ValueError(
                f"vector_method must be 'pca', 'mean_diff' or None, got {self.vector_method!r}"
            )
        if self.generation_stride < 1 or self.generation_prompts < 1:
            raise ValueError("generation_stride and generation_prompts must be >= 1")

    @classmethod
    def preset(cls, *, quick: bool = False, **overrides: Any) -> DemoConfig:
        """The default demo, or with ``quick`` the test-size organism on 21 coefficients."""
        base: dict[str, Any] = {"quick": quick}
        if quick:
            base.update(
                organism_size="test",
                n_coefficients=21,
                generation_stride=5,
                generation_prompts=16,
                generation_tokens=8,
            )
        base.update(overrides)
        return cls(**base)

    def grid(self) -> list[float]:
        """The ``r_e`` grid (relative units), symmetric around and including 0."""
        import numpy as np

        values = np.linspace(-self.r_max, self.r_max, self.n_coefficients)
        return [round(float(v), 10) + 0.0 for v in values]

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["out_dir"] = str(self.out_dir)
        data["cache_dir"] = None if self.cache_dir is None else str(self.cache_dir)
        return data
