"""The alignment-helpfulness tradeoff made operational: frontier, efficient regime, budget.

Pure functions on measured arrays and on fitted curves (any callable ``r_e -> values``, e.g.
:meth:`steerbound.empirical.analysis.fits.FitResult.predict`); no formula is restated here.

Units and conventions:

- ``behavior`` is the behavior expectation ``B`` in ``[-1, 1]`` (``+1`` = the behavior the vector
  pushes towards); ``helpfulness`` ``H`` is a probability in ``[0, 1]``.
- ``direction`` (``+1`` or ``-1``) is the sign of ``r_e`` along which steering raises ``B``; only
  that side of the grid is part of the tradeoff (``r_e * direction >= 0``).
- Alignment gain ``B(r_e) - B(0)`` (behavior units); helpfulness loss ``H(0) - H(r_e)``
  (probability units); the budget is relative: ``H(r_e) >= (1 - budget) H(0)``.
- The *efficient regime* is where the marginal alignment gain per unit of helpfulness lost
  exceeds ``threshold`` (1 by default): ``dB/d|r_e| > threshold * (-dH/d|r_e|)``, on the fitted
  curves. Near 0 it always holds when the theory does (``B`` is linear, ``H`` quadratic there).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Curve = Callable[[np.ndarray], Any]


def _arrays(r_e: Any, *values: Any) -> list[np.ndarray]:
    r = np.asarray(r_e, dtype=np.float64).ravel()
    out = [r]
    for i, v in enumerate(values):
        a = np.asarray(v, dtype=np.float64).ravel()
        if a.shape != r.shape:
            raise ValueError(
                f"argument {i + 2} must have one value per r_e ({r.size}), got {a.size}"
            )
        out.append(a)
    if r.size < 2 or not all(np.isfinite(a).all() for a in out):
        raise ValueError("r_e and the measured values must be finite with at least 2 points")
    return out


def _direction(direction: int) -> int:
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, got {direction!r}")
    return direction


def _value_at_zero(r: np.ndarray, y: np.ndarray) -> float:
    order = np.argsort(r)
    if not r.min() <= 0.0 <= r.max():
        raise ValueError("r_e must span 0 (the unsteered model is the reference)")
    return float(np.interp(0.0, r[order], y[order]))


@dataclass(frozen=True)
class Frontier:
    """Measured behavior against helpfulness along the steering side of the grid, ordered by
    ``|r_e|`` from 0: ``gain = B - B(0)``, ``loss = H(0) - H``, ``gain_per_loss`` their ratio
    (``inf`` where nothing is lost yet, NaN at ``r_e = 0``)."""

    r_e: np.ndarray
    behavior: np.ndarray
    helpfulness: np.ndarray
    gain: np.ndarray
    loss: np.ndarray
    gain_per_loss: np.ndarray
    direction: int


def tradeoff_frontier(r_e: Any, behavior: Any, helpfulness: Any, *, direction: int = 1) -> Frontier:
    """The frontier of measured ``(H, B)`` pairs parametrised by ``r_e`` (steering side only)."""
    r, b, h = _arrays(r_e, behavior, helpfulness)
    sign = _direction(direction)
    b0, h0 = _value_at_zero(r, b), _value_at_zero(r, h)
    keep = r * sign >= 0
    order = np.argsort(np.abs(r[keep]), kind="stable")
    r, b, h = r[keep][order], b[keep][order], h[keep][order]
    gain, loss = b - b0, h0 - h
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(loss > 0, gain / np.where(loss > 0, loss, 1.0), np.inf)
    ratio = np.where(r == 0, np.nan, ratio)
    return Frontier(r, b, h, gain, loss, ratio, sign)


def marginal_ratio(
    behavior_curve: Curve, helpfulness_curve: Curve, r_e: Any, *, direction: int = 1
) -> np.ndarray:
    """``(dB/d|r_e|) / (-dH/d|r_e|)`` of the curves at ``r_e`` (central differences, step 1e-4;
    ``inf`` where helpfulness does not decrease)."""
    sign = _direction(direction)
    r = np.asarray(r_e, dtype=np.float64)
    step = 1e-4 * sign
    d_b = (np.asarray(behavior_curve(r + step)) - np.asarray(behavior_curve(r - step))) / 2e-4
    d_h = (np.asarray(helpfulness_curve(r + step)) - np.asarray(helpfulness_curve(r - step))) / 2e-4
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(-d_h > 0, d_b / np.where(-d_h > 0, -d_h, 1.0), np.inf)


@dataclass(frozen=True)
class EfficientRegime:
    """Where steering is efficient (marginal ratio above ``threshold``) on ``0 <= |r_e| <= r_max``.

    ``intervals``: every maximal run of efficient ``r_e`` (signed, along ``direction``), nearest
    to 0 first. ``r_end`` is the end of the run starting at ``r_e = 0`` (0 when steering is not
    efficient from the start, e.g. when ``B(0)`` is saturated near ``-1`` and the tanh is flat
    there). ``behavior_end``/``helpfulness_end`` are the curves at ``r_end``; ``saturated`` is True
    when that run reaches ``r_max`` (the edge of the examined range)."""

    intervals: list[tuple[float, float]]
    r_end: float
    threshold: float
    direction: int
    behavior_end: float
    helpfulness_end: float
    saturated: bool
    r_dense: np.ndarray
    ratio_dense: np.ndarray


def efficient_regime(
    behavior_curve: Curve,
    helpfulness_curve: Curve,
    r_max: float,
    *,
    direction: int = 1,
    threshold: float = 1.0,
    n: int = 2001,
) -> EfficientRegime:
    """The efficient regime of fitted curves on ``0 <= |r_e| <= r_max``."""
    sign = _direction(direction)
    if not r_max > 0 or n < 3:
        raise ValueError(f"need r_max > 0 and n >= 3, got r_max={r_max}, n={n}")
    r = sign * np.linspace(0.0, r_max, n)
    ratio = marginal_ratio(behavior_curve, helpfulness_curve, r, direction=sign)
    good = ratio > threshold
    good[0] = bool(good[1])  # r_e = 0 (ratio undefined there) belongs to the run that starts it
    edges = np.flatnonzero(np.diff(np.concatenate([[0], good.astype(np.int8), [0]])))
    intervals = [
        (float(r[i]), float(r[j - 1])) for i, j in zip(edges[::2], edges[1::2], strict=True)
    ]
    from_zero = bool(intervals) and intervals[0][0] == 0.0
    r_end = intervals[0][1] if from_zero else 0.0
    return EfficientRegime(
        intervals,
        r_end,
        threshold,
        sign,
        float(np.asarray(behavior_curve(np.array([r_end])))[0]),
        float(np.asarray(helpfulness_curve(np.array([r_end])))[0]),
        from_zero and bool(good[-1]) and len(intervals) == 1,
        r,
        ratio,
    )


@dataclass(frozen=True)
class Recommendation:
    """The largest steering ``r_e`` whose predicted relative helpfulness loss stays within
    ``budget``, with the predicted ``B``/``H`` and, once checked, the measured ones
    (interpolated on the measured grid) and whether the measured loss respects the budget."""

    budget: float
    r_e: float
    predicted_behavior: float
    predicted_helpfulness: float
    predicted_relative_loss: float
    saturated: bool
    measured_behavior: float = float("nan")
    measured_helpfulness: float = float("nan")
    measured_relative_loss: float = float("nan")
    within_budget: bool | None = None


def recommend_coefficient(
    behavior_curve: Curve,
    helpfulness_curve: Curve,
    budget: float,
    r_max: float,
    *,
    direction: int = 1,
    n: int = 4001,
) -> Recommendation:
    """Steer as far as the fitted helpfulness allows: ``max |r_e| <= r_max`` with
    ``H(r_e) >= (1 - budget) H(0)`` on the whole way from 0 (``saturated`` if ``r_max`` is
    reached). ``budget`` is a fraction in ``(0, 1)`` (0.05 = lose at most 5%)."""
    sign = _direction(direction)
    if not 0.0 < budget < 1.0:
        raise ValueError(f"budget must be a fraction in (0, 1), got {budget}")
    if not r_max > 0:
        raise ValueError(f"r_max must be > 0, got {r_max}")
    r = sign * np.linspace(0.0, r_max, n)
    h = np.asarray(helpfulness_curve(r), dtype=np.float64)
    relative_loss = 1.0 - h / h[0]
    over = np.flatnonzero(relative_loss > budget)
    end = int(over[0]) - 1 if over.size else n - 1
    b = np.asarray(behavior_curve(r[end : end + 1]), dtype=np.float64)
    return Recommendation(
        budget, float(r[end]), float(b[0]), float(h[end]), float(relative_loss[end]), not over.size
    )


def check_recommendation(
    recommendation: Recommendation, r_e: Any, behavior: Any, helpfulness: Any
) -> Recommendation:
    """Fill in the measured behavior and helpfulness at the recommended ``r_e`` (linear
    interpolation of the measured grid) and whether the measured loss is within the budget."""
    r, b, h = _arrays(r_e, behavior, helpfulness)
    order = np.argsort(r)
    x = recommendation.r_e
    if not r.min() <= x <= r.max():
        raise ValueError(f"the recommended r_e={x} lies outside the measured grid")
    mb = float(np.interp(x, r[order], b[order]))
    mh = float(np.interp(x, r[order], h[order]))
    loss = 1.0 - mh / _value_at_zero(r, h)
    return dataclasses.replace(
        recommendation,
        measured_behavior=mb,
        measured_helpfulness=mh,
        measured_relative_loss=loss,
        within_budget=bool(loss <= recommendation.budget + 1e-12),
    )
