"""Least-squares fits of the bound forms to measured curves (and ``R^2``, straight-line fits).

The model functions are :mod:`steerbound.theory`'s fit forms (one source of truth):
``behavior_tanh_form(r_e, slope, offset)`` with ``slope = lam*Delta/2`` (not ``lam*Delta``),
``helpfulness_parabolic_form(r_e, a, b)`` with ``b = lam*sigma*beta``, ``a = alpha(1-P0)/P0``, and
``helpfulness_floor_form(r_e, a, b, k)`` (the paper's ``1/k``-floor curve: a heuristic, not a
bound). The two helpfulness forms are fitted through their identifiable curvature
``c = a b^2/2`` (``b`` alone is undetermined where ``P0 ~ 1``; ``FitResult.degenerate``).
Fits use ``scipy.optimize.curve_fit``; standard errors are ``sqrt(diag(pcov))`` with
``pcov`` scaled by the residual variance unless per-point ``sigma`` is given with
``absolute_sigma=True``. ``R^2`` is always the centred ``1 - SS_res / SS_tot``. Fitted
parameters beside measured ones, and the theorems' bounds on measured data:
:mod:`steerbound.empirical.analysis.bound_checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.optimize import curve_fit

from steerbound.theory import behavior_tanh_form, helpfulness_floor_form, helpfulness_parabolic_form


def r_squared(y: np.ndarray, residuals: np.ndarray) -> float:
    """Centred ``R^2 = 1 - SS_res/SS_tot`` (1 for a perfect fit of constant data, else 0)."""
    ss_res = float(np.sum(residuals**2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    if ss_tot == 0.0:
        return 1.0 if ss_res <= 1e-24 * max(1.0, float(np.sum(y**2))) else 0.0
    return 1.0 - ss_res / ss_tot


@dataclass(frozen=True)
class LinearFit:
    """``y = slope * x + intercept`` (``intercept = 0`` when ``through_origin``)."""

    slope: float
    intercept: float
    slope_stderr: float
    r2: float
    residuals: np.ndarray
    n: int
    through_origin: bool


def linear_fit(x: Any, y: Any, *, through_origin: bool = True) -> LinearFit:
    """Ordinary least squares; ``slope_stderr`` is NaN without residual degrees of freedom."""
    xv, yv = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    if xv.shape != yv.shape:
        raise ValueError(f"x and y must have the same length, got {xv.size} and {yv.size}")
    n, dof = xv.size, xv.size - (1 if through_origin else 2)
    if n < (1 if through_origin else 2) or not (np.isfinite(xv).all() and np.isfinite(yv).all()):
        raise ValueError(f"need finite data and at least {2 - through_origin} points, got {n}")
    if through_origin:
        sxx = float(xv @ xv)
        if sxx == 0.0:
            raise ValueError("x is all zero: the slope through the origin is undefined")
        slope, intercept = float(xv @ yv) / sxx, 0.0
    else:
        xc = xv - xv.mean()
        sxx = float(xc @ xc)
        if sxx == 0.0:
            raise ValueError("x is constant: the slope is undefined")
        slope = float(xc @ (yv - yv.mean())) / sxx
        intercept = float(yv.mean() - slope * xv.mean())
    residuals = yv - (slope * xv + intercept)
    stderr = float(np.sqrt(residuals @ residuals / dof / sxx)) if dof > 0 else float("nan")
    return LinearFit(
        slope, intercept, stderr, r_squared(yv, residuals), residuals, n, through_origin
    )


@dataclass(frozen=True)
class FitResult:
    """A curve fit: ``params``/``stderr`` by name, centred ``r2``, ``residuals`` (data - model),
    ``n`` points, the fit ``form`` name, ``fixed`` arguments (e.g. ``k``) and ``derived``
    quantities (``name -> (value, stderr)``). ``degenerate``: some parameter is not identifiable
    from the data (for the helpfulness forms: ``a`` is indistinguishable from 0, so ``b`` is
    undetermined and only the curvature ``c = a b^2/2`` is; see
    :func:`fit_helpfulness_parabolic`)."""

    form: str
    params: dict[str, float]
    stderr: dict[str, float]
    r2: float
    residuals: np.ndarray
    n: int
    fixed: dict[str, float] = field(default_factory=dict)
    derived: dict[str, tuple[float, float]] = field(default_factory=dict)
    degenerate: bool = False

    def predict(self, r_e: Any) -> np.ndarray:
        """The fitted curve at ``r_e``."""
        fn = _FORMS[self.form]
        return np.asarray(fn(np.asarray(r_e, dtype=np.float64), **self.params, **self.fixed))


_FORMS: dict[str, Callable[..., Any]] = {
    "behavior_tanh": behavior_tanh_form,
    "helpfulness_parabolic": helpfulness_parabolic_form,
    "helpfulness_floor": helpfulness_floor_form,
}


def _xy(r_e: Any, values: Any, sigma: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    x, y = np.asarray(r_e, dtype=np.float64).ravel(), np.asarray(values, dtype=np.float64).ravel()
    if x.shape != y.shape or x.size < 3:
        raise ValueError(f"r_e and values must have the same length >= 3, got {x.size}, {y.size}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("r_e and values must be finite")
    s = None if sigma is None else np.asarray(sigma, dtype=np.float64).ravel()
    if s is not None and (s.shape != y.shape or (s <= 0).any()):
        raise ValueError("sigma must be positive and have one value per point")
    return x, y, s


def _curve_fit(
    fn: Callable[..., Any],
    x: np.ndarray,
    y: np.ndarray,
    p0: Sequence[float],
    bounds: tuple[Sequence[float], Sequence[float]],
    sigma: np.ndarray | None,
    absolute_sigma: bool,
) -> tuple[np.ndarray, np.ndarray]:
    popt, pcov = curve_fit(
        fn,
        x,
        y,
        p0=list(p0),
        bounds=bounds,
        sigma=sigma,
        absolute_sigma=absolute_sigma,
        maxfev=20000,
    )
    return np.asarray(popt, dtype=np.float64), np.asarray(pcov, dtype=np.float64)


def _stderr(cov: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.diag(cov))


def _fit(
    name: str,
    fn: Callable[..., Any],
    names: Sequence[str],
    x: np.ndarray,
    y: np.ndarray,
    p0: Sequence[float],
    bounds: tuple[Sequence[float], Sequence[float]],
    sigma: np.ndarray | None,
    absolute_sigma: bool,
    fixed: dict[str, float],
) -> FitResult:
    popt, pcov = _curve_fit(fn, x, y, p0, bounds, sigma, absolute_sigma)
    residuals = y - fn(x, *popt)
    params = {n: float(v) for n, v in zip(names, popt, strict=True)}
    stderr = {n: float(e) for n, e in zip(names, _stderr(pcov), strict=True)}
    return FitResult(name, params, stderr, r_squared(y, residuals), residuals, x.size, fixed)


def fit_behavior_tanh(
    r_e: Any, behavior: Any, *, sigma: Any = None, absolute_sigma: bool = False
) -> FitResult:
    """Fit ``B(r_e) = tanh(slope*r_e + offset)``.

    ``derived``: ``lam_delta_half`` (= slope), ``lam_delta`` (= 2 slope) and ``b0 = tanh(offset)``
    (stderr by the delta method), each as ``(value, stderr)``.
    """
    x, y, s = _xy(r_e, behavior, sigma)
    if (np.abs(y) > 1).any():
        raise ValueError("behavior values must lie in [-1, 1]")
    z = np.arctanh(np.clip(y, -0.98, 0.98))
    guess = [float(g) for g in np.polyfit(x, z, 1)]  # artanh(B) is linear: a starting point
    fit = _fit(
        "behavior_tanh",
        behavior_tanh_form,
        ("slope", "offset"),
        x,
        y,
        guess,
        ([-np.inf, -20.0], [np.inf, 20.0]),
        s,
        absolute_sigma,
        {},
    )
    slope, offset = fit.params["slope"], fit.params["offset"]
    se_s, se_o = fit.stderr["slope"], fit.stderr["offset"]
    b0 = float(np.tanh(offset))
    derived = {
        "lam_delta_half": (slope, se_s),
        "lam_delta": (2 * slope, 2 * se_s),
        "b0": (b0, (1 - b0**2) * se_o),
    }
    return replace(fit, derived=derived)


A_FLOOR = 1e-200
"""Smallest ``a`` handed to the theory's form, so that ``(a, b = sqrt(2c/a))`` reproduces the
curvature ``c`` even where the fit puts ``a`` on its bound 0 (``1 + a`` is unchanged by it)."""
DEGENERATE_RELATIVE_SE = 0.5
"""A helpfulness fit is flagged degenerate when ``stderr(a) >= DEGENERATE_RELATIVE_SE * a``:
``a`` is then within two standard errors of 0, and ``b = sqrt(2c/a)`` has no upper limit."""


def _helpfulness_guess(x: np.ndarray, h: np.ndarray, floor: float, scale: float) -> list[float]:
    """Starting ``(a, c)``: ``a`` from the value at the smallest ``|r_e|``, then ``c`` by a
    log-spaced scan."""
    at0 = float(np.clip(h[np.argmin(np.abs(x))], floor + 1e-3, 1.0 - 1e-6))
    a = max((scale / (at0 - floor)) - 1.0, 1e-6)
    best = (np.inf, 1.0)
    for c in np.geomspace(1e-8, 1e4, 121) / max(float(np.abs(x).max()), 1e-12) ** 2:
        model = scale / (1 + a + c * x * x) + floor
        best = min(best, (float(np.sum((model - h) ** 2)), float(c)))
    return [a, best[1]]


def _fit_helpfulness(
    name: str,
    form: Callable[..., Any],
    x: np.ndarray,
    y: np.ndarray,
    guess: list[float],
    sigma: np.ndarray | None,
    absolute_sigma: bool,
    fixed: dict[str, float],
    floor: float,
) -> FitResult:
    """Fit ``form(r, a, b)`` through its identifiable parametrisation ``(a, c = a b^2/2)``.

    ``form`` is the theory's expression, called with ``b = sqrt(2c/a)`` (``a`` floored at
    :data:`A_FLOOR`). The covariance of ``(a, c)`` is mapped to ``(a, b)`` with the Jacobian
    of ``b(a, c)`` (exact for the Gauss-Newton covariance of an invertible reparametrisation).
    ``h0 = form(0, a, .)``, the fitted value at ``r_e = 0``, is ``floor + s/(1+a)`` for both
    forms (``floor`` its limit as ``a -> inf``), so ``d h0 / d a = -(h0 - floor)/(1 + a)``.
    """

    def by_curvature(r: Any, a: float, c: float) -> Any:
        a_eff = max(float(a), A_FLOOR)
        return form(r, a_eff, np.sqrt(2.0 * max(float(c), 0.0) / a_eff))

    popt, cov_ac = _curve_fit(
        by_curvature, x, y, guess, ([0.0, 0.0], [np.inf, np.inf]), sigma, absolute_sigma
    )
    a, c = max(float(popt[0]), A_FLOOR), float(popt[1])
    b = float(np.sqrt(2.0 * c / a))
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.array([[1.0, 0.0], [-b / (2 * a), b / (2 * c)]])  # d(a, b) / d(a, c)
        cov_ab = jac @ cov_ac @ jac.T
    se_a, se_b = (float(e) for e in _stderr(cov_ab))
    se_c = float(_stderr(cov_ac)[1])
    residuals = y - by_curvature(x, a, c)
    degenerate = a <= A_FLOOR or not (np.isfinite(se_a) and se_a < DEGENERATE_RELATIVE_SE * a)
    value0 = float(form(0.0, a, 0.0))
    slope0 = -(value0 - floor) / (1.0 + a)
    derived = {"c": (c, se_c), "h0": (value0, abs(slope0) * float(_stderr(cov_ac)[0]))}
    return FitResult(
        name,
        {"a": a, "b": b},
        {"a": se_a, "b": se_b},
        r_squared(y, residuals),
        residuals,
        x.size,
        fixed,
        derived,
        degenerate,
    )


def fit_helpfulness_parabolic(
    r_e: Any, helpfulness: Any, *, sigma: Any = None, absolute_sigma: bool = False
) -> FitResult:
    """Fit ``H(r_e) = 1/(1 + a + a b^2 r_e^2/2)`` (``a >= 0``, ``b >= 0``).

    Only ``1 + a`` and the curvature ``c = a b^2/2`` shape the curve, so the fit is done in
    ``(a, c)`` and mapped back. Where ``P0 ~ 1`` (``H(0) ~ 1``) ``a -> 0`` and ``b`` is not
    identifiable (``degenerate`` is set, see :data:`DEGENERATE_RELATIVE_SE`): compare ``c``, not
    ``b``. ``derived``: ``c`` and ``h0 = 1/(1+a)`` (the fitted value at 0), each with its
    standard error.
    """
    x, y, s = _xy(r_e, helpfulness, sigma)
    guess = _helpfulness_guess(x, y, 0.0, 1.0)
    return _fit_helpfulness(
        "helpfulness_parabolic", helpfulness_parabolic_form, x, y, guess, s, absolute_sigma, {}, 0.0
    )


def fit_helpfulness_floor(
    r_e: Any, helpfulness: Any, *, k: int = 4, sigma: Any = None, absolute_sigma: bool = False
) -> FitResult:
    """Fit the paper's ``(1-2/k)/(1 + a + a b^2 r_e^2/2) + 1/k`` curve with ``k`` fixed.

    Fitted like :func:`fit_helpfulness_parabolic` (through ``(a, c)``, same ``derived`` and
    ``degenerate``; ``h0 = (1-2/k)/(1+a) + 1/k``). The curve never exceeds ``1 - 1/k`` (its
    value at ``r_e = 0`` with ``a = 0``), so it cannot fit a model that answers correctly with
    probability above ``1 - 1/k`` at ``r_e = 0``: its ``R^2`` is then low or negative.
    """
    if k < 2:
        raise ValueError(f"k must be >= 2, got {k}")
    x, y, s = _xy(r_e, helpfulness, sigma)

    def form(r: Any, a: float, b: float) -> Any:
        return helpfulness_floor_form(r, a, b, k)

    guess = _helpfulness_guess(x, y, 1.0 / k, 1.0 - 2.0 / k)
    return _fit_helpfulness(
        "helpfulness_floor", form, x, y, guess, s, absolute_sigma, {"k": float(k)}, 1.0 / k
    )
