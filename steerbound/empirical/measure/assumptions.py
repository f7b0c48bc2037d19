"""Measurements of the paper's Assumptions 1-3 on a real model (THEORY.md §1, EXPERIMENTS.md).

Inputs are plain arrays (numpy or torch; converted to float64):

* ``r_e``: the coefficient grid, shape ``(n_r,)``;
* ``h_steered``: final hidden states at the readout position for every coefficient, shape
  ``(n_r, n_q, d)``; ``h0``: the unsteered ones, shape ``(n_q, d)``. "Final hidden state" is
  the input of the unembedding (after the final norm), so that logits are ``U h`` (a bias of
  the output layer cancels in every difference used here);
* ``U``: the unembedding matrix, shape ``(vocab, d)`` (row ``t`` is ``u_t``).

``delta(r_e) = h_steered - h0``. Points with ``r_e = 0`` (where ``delta = 0`` and its direction is
undefined) are dropped from direction-based measurements. Under the linearized Assumption 1,
``delta = lam r_e v``, so ``delta/||delta|| = sign(r_e) v``: Assumption 2 projections are
**oriented** (multiplied by ``sign(r_e)``) so both signs of ``r_e`` estimate the same ``Delta``.

Assumptions 1 and 3 are measured here; Assumption 2 and Theorem 2's parameters in
:mod:`steerbound.empirical.answer_geometry`. Both use the array helpers of
:mod:`steerbound.empirical.readout_geometry`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from steerbound.empirical.fits import LinearFit, linear_fit
from steerbound.empirical.readout_geometry import (  # steerbound.demo imports unembed from here
    as_float64,
    hidden_deltas,
    nonzero_deltas,
    reference_index,
    unembed,
    unembedding_gram,
    unembedding_rows,
)


# ----------------------------------------------------------------------------- Assumption 1
@dataclass(frozen=True)
class SideFits:
    """Fits of a quantity against ``|r_e|`` separately for ``r_e > 0`` and ``r_e < 0`` (both
    slopes are positive for a norm that grows like ``lam |r_e|``); ``None`` if a side has no
    point. ``max_abs_r``: the fit window (``None``: all points)."""

    positive: LinearFit | None
    negative: LinearFit | None
    max_abs_r: float | None = None


def side_fits(
    r_e: np.ndarray, y: np.ndarray, *, through_origin: bool = True, max_abs_r: float | None = None
) -> SideFits:
    """:class:`SideFits` of ``y`` (``(n_r,)``) against ``|r_e|`` within ``|r_e| <= max_abs_r``."""
    window = np.ones(r_e.shape, bool) if max_abs_r is None else np.abs(r_e) <= max_abs_r
    fits = []
    for mask in (window & (r_e > 0), window & (r_e < 0)):
        enough = mask.sum() >= (1 if through_origin else 2)
        fits.append(
            linear_fit(np.abs(r_e[mask]), y[mask], through_origin=through_origin)
            if enough
            else None
        )
    return SideFits(fits[0], fits[1], max_abs_r)


@dataclass(frozen=True)
class Assumption1Result:
    """``||delta||`` (hidden units) and ``||U delta||`` (logit units) per coefficient and question
    (``(n_r, n_q)``), with side fits of the question-mean norm against ``|r_e|``: the hidden-space
    slope is ``lam`` (Assumption 1); the logit-space slope is a different quantity."""

    r_e: np.ndarray
    hidden_norm: np.ndarray
    logit_norm: np.ndarray | None
    hidden_fit: SideFits
    logit_fit: SideFits | None
    lam_per_question: np.ndarray  # (2, n_q): slopes for r_e > 0 and r_e < 0, hidden space
    through_origin: bool


def measure_assumption1(
    r_e: Any,
    h_steered: Any,
    h0: Any,
    U: Any = None,
    *,
    gram: Any = None,
    through_origin: bool = True,
    max_abs_r: float | None = None,
) -> Assumption1Result:
    """Assumption 1. Logit norms need ``U`` (or its ``gram = U.T @ U``); fits use the points with
    ``|r_e| <= max_abs_r`` (all by default), through the origin unless ``through_origin=False``."""
    r, delta = hidden_deltas(r_e, h_steered, h0)
    hidden = np.linalg.norm(delta, axis=-1)
    logit = None
    if gram is not None or U is not None:
        g = as_float64(gram, "gram", 2) if gram is not None else unembedding_gram(U)
        logit = np.sqrt(np.maximum(np.einsum("rqd,de,rqe->rq", delta, g, delta), 0.0))
    per_q = np.full((2, hidden.shape[1]), np.nan)
    for q in range(hidden.shape[1]):
        fits = side_fits(r, hidden[:, q], through_origin=through_origin, max_abs_r=max_abs_r)
        for i, fit in enumerate((fits.positive, fits.negative)):
            per_q[i, q] = np.nan if fit is None else fit.slope
    return Assumption1Result(
        r_e=r,
        hidden_norm=hidden,
        logit_norm=logit,
        hidden_fit=side_fits(
            r, hidden.mean(axis=1), through_origin=through_origin, max_abs_r=max_abs_r
        ),
        logit_fit=None
        if logit is None
        else side_fits(r, logit.mean(axis=1), through_origin=through_origin, max_abs_r=max_abs_r),
        lam_per_question=per_q,
        through_origin=through_origin,
    )


@dataclass(frozen=True)
class LinearityRange:
    """Largest ``R`` per side such that the fit on ``0 < |r_e| <= R`` has ``R^2 >= threshold``
    (0 when no window of at least ``min_points`` points qualifies)."""

    r_max_positive: float
    r_max_negative: float
    fit_positive: LinearFit | None
    fit_negative: LinearFit | None
    threshold: float


def linearity_range(
    r_e: Any,
    norms: Any,
    *,
    threshold: float = 0.99,
    min_points: int = 3,
    through_origin: bool = True,
) -> LinearityRange:
    """Linearity range of ``norms`` (``(n_r,)``, or ``(n_r, n_q)`` averaged over questions)."""
    r = as_float64(r_e, "r_e", 1)
    y = np.asarray(norms, dtype=np.float64)
    y = y.mean(axis=1) if y.ndim == 2 else y
    if y.shape != r.shape:
        raise ValueError(f"norms must have shape ({r.size},) or ({r.size}, n_q), got {y.shape}")
    out: list[tuple[float, LinearFit | None]] = []
    for side in (r > 0, r < 0):
        best: tuple[float, LinearFit | None] = (0.0, None)
        x_side, y_side = np.abs(r[side]), y[side]
        for edge in np.unique(x_side):
            window = x_side <= edge
            if window.sum() >= min_points:
                fit = linear_fit(x_side[window], y_side[window], through_origin=through_origin)
                if fit.r2 >= threshold:
                    best = (float(edge), fit)
        out.append(best)
    return LinearityRange(out[0][0], out[1][0], out[0][1], out[1][1], threshold)


# ----------------------------------------------------------------------------- Assumption 3
@dataclass(frozen=True)
class NormalityTest:
    """A normality test of pooled samples: D'Agostino-Pearson (``scipy.stats.normaltest``) for
    ``n >= 20``, Shapiro-Wilk otherwise; ``skew`` and ``excess_kurtosis`` (Fisher, 0 for a
    Gaussian) are the biased sample moments."""

    name: str
    statistic: float
    p_value: float
    skew: float
    excess_kurtosis: float
    n: int


def normality_test(samples: Any) -> NormalityTest:
    """Test ``samples`` (any shape, flattened) for normality; see :class:`NormalityTest`."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    if x.size < 3 or np.ptp(x) == 0:
        raise ValueError(f"need at least 3 non-constant samples, got {x.size}")
    name, res = (
        ("dagostino_pearson", stats.normaltest(x))
        if x.size >= 20
        else ("shapiro_wilk", stats.shapiro(x))
    )
    return NormalityTest(
        name, float(res.statistic), float(res.pvalue), float(stats.skew(x)),
        float(stats.kurtosis(x)), int(x.size),
    )  # fmt: skip


@dataclass(frozen=True)
class Assumption3Result:
    """Projections over the top-``k`` **unsteered** tokens ``T`` (excluding the correct ``c``).

    ``projections[i, q, j] = (u_t - u_c) . delta/||delta||`` and ``logit_differences[i, q, j] =
    (u_t - u_c) . delta`` (the change of ``t``'s logit minus that of ``c``) for ``t =
    top_ids[q, j]``; slots with ``t == c`` are masked out by ``valid``. ``r_e`` holds only the
    nonzero coefficients. ``std_logit`` (pooled std over questions and tokens at each ``r_e``)
    grows like ``lam*sigma*|r_e|``: ``std_fit`` holds its side fits (slopes ``lam*sigma``).
    ``sigma`` is the pooled std of ``projections`` at ``reference_r`` (ddof 1), where the
    pooled ``samples`` also feed the histogram, QQ data and normality test.
    """

    r_e: np.ndarray
    k: int
    top_ids: np.ndarray
    correct_in_top: np.ndarray
    valid: np.ndarray
    projections: np.ndarray
    logit_differences: np.ndarray
    std_normalized: np.ndarray
    std_logit: np.ndarray
    std_fit: SideFits
    reference_r: float
    samples: np.ndarray
    sigma: float
    normality: NormalityTest
    histogram: tuple[np.ndarray, np.ndarray]
    qq: tuple[np.ndarray, np.ndarray]


def measure_assumption3(
    r_e: Any,
    h_steered: Any,
    h0: Any,
    U: Any,
    correct_ids: Sequence[int] | np.ndarray,
    *,
    k: int = 10,
    unsteered_logits: Any = None,
    reference_r: float | None = None,
    through_origin: bool = True,
    max_abs_r: float | None = None,
) -> Assumption3Result:
    """Assumption 3. ``correct_ids``: the correct token id per question; the top-``k`` set comes
    from ``unsteered_logits`` (``(n_q, vocab)``; default ``h0 @ U.T``), never a steered run.
    ``std_fit`` uses the points with ``|r_e| <= max_abs_r`` (all by default)."""
    r, delta, norms = nonzero_deltas(r_e, h_steered, h0)
    n_q = delta.shape[1]
    z0 = (
        unembed(h0, U)
        if unsteered_logits is None
        else as_float64(unsteered_logits, "unsteered_logits", 2)
    )
    c = np.asarray(correct_ids, dtype=np.int64).ravel()
    if c.shape != (n_q,) or (c < 0).any() or (c >= z0.shape[1]).any():
        raise ValueError(f"correct_ids must hold {n_q} token ids in [0, {z0.shape[1]})")
    if not 2 <= k <= z0.shape[1]:
        raise ValueError(f"k must be in [2, {z0.shape[1]}], got {k}")
    top = np.argsort(-z0, axis=1, kind="stable")[:, :k]
    valid = top != c[:, None]
    diff = unembedding_rows(U, top) - unembedding_rows(U, c)[:, None, :]  # (n_q, k, d)
    logit_diff = np.einsum("qkd,rqd->rqk", diff, delta)
    proj = logit_diff / norms[:, :, None]
    std_norm = np.array([proj[i][valid].std(ddof=1) for i in range(r.size)])
    std_logit = np.array([logit_diff[i][valid].std(ddof=1) for i in range(r.size)])
    ref = reference_index(r, reference_r)
    samples = proj[ref][valid]
    (osm, osr), _ = stats.probplot(samples, dist="norm")
    std_fit = side_fits(r, std_logit, through_origin=through_origin, max_abs_r=max_abs_r)
    return Assumption3Result(
        r_e=r, k=k, top_ids=top, correct_in_top=~valid.all(axis=1), valid=valid,
        projections=proj, logit_differences=logit_diff, std_normalized=std_norm,
        std_logit=std_logit, std_fit=std_fit,
        reference_r=float(r[ref]), samples=samples, sigma=float(samples.std(ddof=1)),
        normality=normality_test(samples), histogram=np.histogram(samples, bins="auto"),
        qq=(np.asarray(osm), np.asarray(osr)),
    )  # fmt: skip
