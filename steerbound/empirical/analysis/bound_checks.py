"""Fitted parameters beside the ones measured from the assumptions, and the theorems' bounds
checked on measured data.

The bounds are :mod:`steerbound.theory`'s lambdified expressions (one source of truth). A check
reports how many measured points violate the bound and by how much; it fails (``n_violations >
0``) where a question's measured parameters satisfy the hypotheses but the data break the bound.
Units: ``behavior`` in ``[-1, 1]``, ``helpfulness`` a probability, ``lam`` in hidden-state units
per unit ``r_e``, ``Delta`` the Assumption 2 margin (docs/conventions.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from steerbound.theory import (
    Theorem2Parameters,
    theorem1_bound,
    theorem2_jensen_bound,
    theorem2_parabolic_bound,
)

if TYPE_CHECKING:
    from steerbound.empirical.analysis.fits import FitResult


@dataclass(frozen=True)
class ParameterRow:
    """One fitted quantity next to its value measured from the assumptions (``ratio`` =
    fitted / measured; NaN where either is missing, measured is 0, or the fitted value is not
    ``identifiable`` from the data, e.g. ``b`` of a degenerate helpfulness fit)."""

    name: str
    fitted: float
    fitted_stderr: float
    measured: float
    identifiable: bool = True

    @property
    def ratio(self) -> float:
        ok = np.isfinite(self.fitted) and np.isfinite(self.measured) and self.measured != 0
        return self.fitted / self.measured if ok and self.identifiable else float("nan")


def compare_parameters(
    behavior_fit: FitResult | None = None,
    helpfulness_fit: FitResult | None = None,
    *,
    lam: float = float("nan"),
    delta: float = float("nan"),
    sigma: float = float("nan"),
    beta: float = float("nan"),
    lam_sigma: float = float("nan"),
) -> list[ParameterRow]:
    """Fitted parameters beside measured ones.

    Rows: ``lam``, ``Delta``, ``lam*sigma`` (measured only; ``lam_sigma`` defaults to
    ``lam*sigma``), ``lam*Delta/2`` (tanh slope vs ``lam*delta/2``) when ``behavior_fit`` is
    given; with ``helpfulness_fit``: ``lam*sigma*beta`` (parabolic ``b`` vs ``lam*sigma*beta``;
    ``identifiable=False`` and no ratio when the fit is ``degenerate``, i.e. ``a ~ 0``) and
    ``a*b^2/2`` (the identifiable curvature ``c``, fitted only).
    """
    nan = float("nan")
    if not np.isfinite(lam_sigma):
        lam_sigma = lam * sigma
    rows = [
        ParameterRow("lam", nan, nan, lam),
        ParameterRow("Delta", nan, nan, delta),
        ParameterRow("lam*sigma", nan, nan, lam_sigma),
    ]
    if behavior_fit is not None:
        slope, se = behavior_fit.params["slope"], behavior_fit.stderr["slope"]
        rows.append(ParameterRow("lam*Delta/2", slope, se, lam * delta / 2))
    if helpfulness_fit is not None:
        b, se = helpfulness_fit.params["b"], helpfulness_fit.stderr["b"]
        identifiable = not helpfulness_fit.degenerate
        rows.append(ParameterRow("lam*sigma*beta", b, se, lam_sigma * beta, identifiable))
        if "c" in helpfulness_fit.derived:
            c, se_c = helpfulness_fit.derived["c"]
            rows.append(ParameterRow("a*b^2/2", c, se_c, nan))
    return rows


@dataclass(frozen=True)
class BoundCheck:
    """Measured points against a bound: ``max_violation`` is the largest signed excess (measured
    above an upper bound, or below a lower bound); <= ``tolerance`` means respected.
    ``n_skipped`` counts questions whose measured parameters put them outside the bound's
    hypotheses (e.g. ``Delta <= 0``)."""

    bound: str
    n_points: int
    n_violations: int
    max_violation: float
    tolerance: float
    n_skipped: int = 0


def _check(name: str, excess: np.ndarray, tol: float, skipped: int) -> BoundCheck:
    n = int(excess.size)
    worst = float(excess.max()) if n else float("nan")
    return BoundCheck(name, n, int((excess > tol).sum()), worst, tol, skipped)


def _grid(r_e: Any, values: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    r = np.asarray(r_e, dtype=np.float64).ravel()
    v = np.asarray(values, dtype=np.float64)
    v = v[:, None] if v.ndim == 1 else v
    if v.ndim != 2 or v.shape[0] != r.size:
        raise ValueError(f"{name} must have shape (len(r_e), n_questions), got {v.shape}")
    return r, v


def check_theorem1(
    r_e: Any, behavior: Any, b0: Any, lam: Any, delta: Any, *, tolerance: float = 1e-9
) -> BoundCheck:
    """Theorem 1 on measured data: ``behavior[i, q] >= theorem1_bound(r_e[i], b0[q], lam[q],
    delta[q])`` for ``r_e >= 0`` and ``<=`` for ``r_e <= 0``. ``behavior``: ``(n_r, n_q)`` (or
    ``(n_r,)``); ``b0``, ``lam``, ``delta``: scalars or ``(n_q,)``. Questions with ``delta <= 0``,
    ``lam < 0`` or ``|b0| = 1`` are skipped (outside the hypotheses)."""
    r, v = _grid(r_e, behavior, "behavior")
    b, la, de = (np.broadcast_to(np.asarray(a, np.float64), v.shape[1:]) for a in (b0, lam, delta))
    ok = (de > 0) & (la >= 0) & (np.abs(b) < 1)
    bound = theorem1_bound(r[:, None], b[ok], la[ok], de[ok])
    sign = np.where(r >= 0, 1.0, -1.0)[:, None]
    excess = sign * (bound - v[:, ok])
    return _check("theorem1", excess, tolerance, int((~ok).sum()))


def check_theorem2(
    r_e: Any,
    helpfulness: Any,
    params: Sequence[Theorem2Parameters],
    lam: Any,
    *,
    tolerance: float = 1e-9,
) -> dict[str, BoundCheck]:
    """The verified upper bounds of Theorem 2 on measured helpfulness ``(n_r, n_q)``, with one
    :class:`~steerbound.theory.Theorem2Parameters` per question and ``lam`` scalar or ``(n_q,)``:
    ``"theorem2_parabolic_verified"`` (Lemma 2b) and ``"theorem2_jensen"`` (Lemma 2a)."""
    r, v = _grid(r_e, helpfulness, "helpfulness")
    if len(params) != v.shape[1]:
        raise ValueError(f"need one Theorem2Parameters per question ({v.shape[1]})")
    la = np.broadcast_to(np.asarray(lam, np.float64), (len(params),))
    col = {
        f: np.array([getattr(p, f) for p in params])
        for f in Theorem2Parameters.__dataclass_fields__
    }
    rr = r[:, None]
    para = theorem2_parabolic_bound(
        rr, col["p0"], col["alpha"], la, col["sigma"], col["beta"], form="verified"
    )
    jensen = theorem2_jensen_bound(
        rr, col["p0"], col["q_plus"], col["q_minus"], col["g_plus"], col["g_minus"], la
    )
    return {
        "theorem2_parabolic_verified": _check(
            "theorem2_parabolic_verified", v - para, tolerance, 0
        ),
        "theorem2_jensen": _check("theorem2_jensen", v - jensen, tolerance, 0),
    }
