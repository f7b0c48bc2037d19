"""Random laws shared by the samplers: group masses, exchangeable projections, vocab splits.

All functions are vectorised over a batch of ``N`` geometries and draw only from the given
``numpy.random.Generator`` (same seed, same output).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
IntArray = NDArray[np.intp]

__all__ = [
    "PROJECTION_LAWS",
    "exchangeable_projections",
    "group_log_probs",
    "logit_uniform",
    "random_groups",
]

#: Continuous exchangeable laws for top-k projections (Assumption 3). ``"factor"`` is
#: exchangeable but not independent (a shared Gaussian factor with correlation 1/2).
PROJECTION_LAWS = ("gaussian", "laplace", "student_t3", "factor")


def logit_uniform(rng: np.random.Generator, low: float, high: float, size: int) -> F64:
    """Probabilities with ``log(p / (1 - p))`` uniform on ``[logit(low), logit(high)]``."""
    if not 0.0 < low < high < 1.0:
        raise ValueError(f"need 0 < low < high < 1, got low={low}, high={high}")
    lo, hi = np.log(low / (1 - low)), np.log(high / (1 - high))
    out: F64 = 1.0 / (1.0 + np.exp(-rng.uniform(lo, hi, size=size)))
    return out


def random_groups(
    rng: np.random.Generator, n: int, vocab: int, minimum: F64 | list[int]
) -> IntArray:
    """Assign each of ``vocab`` tokens of ``n`` geometries to one of ``G = len(minimum)`` groups.

    Group ``g`` receives at least ``minimum[g]`` tokens; the rest are spread uniformly at
    random; token positions are shuffled per geometry. Returns labels of shape ``(n, vocab)``.
    """
    mins = np.asarray(minimum, dtype=np.intp)
    if mins.sum() > vocab:
        raise ValueError(f"vocab={vocab} is smaller than the group minimums {mins.tolist()}")
    free = vocab - int(mins.sum())
    base = np.repeat(np.arange(len(mins)), mins)
    labels = np.empty((n, vocab), dtype=np.intp)
    for i in range(n):
        extra = rng.integers(0, len(mins), size=free)
        labels[i] = rng.permutation(np.concatenate([base, extra]))
    return labels


def group_log_probs(
    rng: np.random.Generator,
    labels: IntArray,
    masses: F64,
    logit_scale: F64,
) -> F64:
    """Log-probabilities with prescribed group masses.

    Within group ``g`` of geometry ``i`` the tokens get logits ``logit_scale[i] * N(0, 1)``,
    normalised so that the group's total probability is ``masses[i, g]`` (> 0 for every
    non-empty group). Shapes: ``labels (N, V)``, ``masses (N, G)``, ``logit_scale (N,)``.
    """
    n, v = labels.shape
    z = logit_scale[:, None] * rng.standard_normal((n, v))
    out = np.empty((n, v))
    for g in range(masses.shape[1]):
        mask = labels == g
        present = mask.any(axis=1)
        if np.any(present & (masses[:, g] <= 0)):
            raise ValueError(f"group {g} is non-empty but has non-positive mass")
        zg = np.where(mask, z, -np.inf)
        m = np.where(present, zg.max(axis=1), 0.0)
        lse = m + np.log(np.where(mask, np.exp(zg - m[:, None]), 0.0).sum(axis=1) + ~present)
        with np.errstate(divide="ignore"):
            log_mass = np.log(np.where(present, masses[:, g], 1.0))
        out = np.where(mask, z - lse[:, None] + log_mass[:, None], out)
    return out


def exchangeable_projections(
    rng: np.random.Generator, law: str, size: tuple[int, ...], scale: F64 | float = 1.0
) -> F64:
    """i.i.d. (or, for ``"factor"``, exchangeable) draws along the last axis of ``size``.

    ``scale`` multiplies the unit-scale law; it broadcasts against ``size[:-1] + (1,)``.
    Laws: ``gaussian`` N(0,1); ``laplace`` with unit variance; ``student_t3`` (heavy tails,
    rescaled to unit variance); ``factor``: ``(Z0 + Z_t) / sqrt(2)`` with a shared ``Z0``.
    """
    if law == "gaussian":
        x = rng.standard_normal(size)
    elif law == "laplace":
        x = rng.laplace(0.0, 1.0 / np.sqrt(2.0), size)
    elif law == "student_t3":
        x = rng.standard_t(3.0, size) / np.sqrt(3.0)
    elif law == "factor":
        common = rng.standard_normal((*size[:-1], 1))
        x = (common + rng.standard_normal(size)) / np.sqrt(2.0)
    else:
        raise ValueError(f"law must be one of {PROJECTION_LAWS}, got {law!r}")
    out: F64 = np.asarray(scale)[..., None] * x if np.ndim(scale) else float(scale) * x
    return out
