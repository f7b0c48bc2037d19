"""Numeric behavior bounds (Theorems 1, 3, 4, 5, 6 and Corollary 1), float64 and vectorised.

All functions broadcast their arguments (numpy rules), return a float64 array (a numpy scalar
for scalar inputs) and are lambdified from the sympy expressions of
:mod:`steerbound.theory.expressions`. ``r_e`` multiplies the unit steering direction ``v``
(docs/conventions.md); ``lam`` is Assumption 1's constant and ``delta`` the margin ``Delta``
of Assumption 2 (not the hidden-state change). Bounds are lower bounds on the behavior
expectation for ``r_e >= 0``; Theorem 1's expression is the mirror upper bound for ``r_e <= 0``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from steerbound.theory import numerics as V
from steerbound.theory.numerics import compiled


def theorem1_bound(r_e: Any, b0: Any, lam: Any, delta: Any) -> Any:
    """Theorem 1: ``tanh(lam*delta/2 * r_e + artanh(b0))``.

    A lower bound on ``B[P_{r_e}]`` for ``r_e >= 0`` and the mirror upper bound for
    ``r_e <= 0`` (linearized Assumption 1). Equal to ``b0`` at ``r_e = 0``, slope
    ``(lam*delta/2)(1 - b0**2)`` there, tends to ``+-1``. ``b0`` must lie in (-1, 1).
    """
    r = V.as_finite("r_e", r_e)
    b = V.open_unit("b0", b0)
    la, de = V.nonnegative("lam", lam), V.nonnegative("delta", delta)
    return V.result(compiled("theorem1")(r, b, la, de), r, b, la, de)


def corollary1_threshold(eps: Any, b0: Any, lam: Any, delta: Any) -> Any:
    """Corollary 1: the smallest ``r_e`` for which Theorem 1 guarantees ``B >= 1 - eps``.

    ``r* = 2/(lam*delta) * (artanh(1 - eps) - artanh(b0))``, evaluated as
    ``ln((2 - eps)(1 - b0) / (eps (1 + b0))) / (lam*delta)`` (the same expression, proved
    equal symbolically) so that tiny ``eps`` is accurate. ``eps`` in (0, 2) is the distance
    of the target level from 1; a value ``r* <= 0`` means ``b0 >= 1 - eps`` already, so every
    ``r_e >= 0`` qualifies. ``lam`` and ``delta`` must be > 0.
    """
    e = V.as_finite("eps", eps)
    V.require((e > 0) & (e < 2), "eps must lie in (0, 2) (target level 1 - eps in (-1, 1))")
    b = V.open_unit("b0", b0)
    la, de = V.positive("lam", lam), V.positive("delta", delta)
    return V.result(compiled("corollary1")(e, b, la, de), e, b, la, de)


def theorem3_bound(r_e: Any, b0: Any, lam: Any, delta: Any, eps_mis: Any, depth: Any) -> Any:
    """Theorem 3 (soft margin, Assumption 4), floored at -1 (Definition 1: ``B >= -1``).

    ``tanh(lam*delta/2*r_e + ln((1+b0-2 eps_mis)/(1-b0))/2)
    - 4 eps_mis/(1+b0-2 eps_mis) * exp(lam*depth*r_e)`` for ``r_e >= 0``; requires
    ``0 <= eps_mis`` and ``1 + b0 > 2 eps_mis``. ``depth`` is the penetration depth ``D``.
    """
    r = V.nonnegative("r_e", r_e)  # a statement for r_e >= 0 only
    b = V.open_unit("b0", b0)
    la, de = V.nonnegative("lam", lam), V.nonnegative("delta", delta)
    em = V.probability("eps_mis", eps_mis)
    d = V.as_finite("depth", depth)
    V.require(1 + b - 2 * em > 0, "eps_mis must satisfy 1 + b0 > 2 * eps_mis")
    return V.result(compiled("theorem3")(r, b, la, de, em, d), r, b, la, de, em, d)


def theorem4_bound(
    r_e: Any,
    p_plus: Any,
    p_minus: Any,
    p_zero: Any,
    lam: Any,
    delta: Any,
    form: str = "verified",
) -> Any:
    """Theorem 4 (trinary score in {-1, 0, +1}), ``x = lam*delta*r_e``.

    ``form="verified"``: ``min{(p+ e^x - p-)/(p+ e^x + p- + p0), tanh(x/2 + ln(p+/p-)/2)}``
    (always valid). ``form="published"``: the closed form
    ``(p+(e^x - 1) + B0)/(p+(e^x - 1) + 1)``, ``B0 = p+ - p-``, which is valid only where
    it is >= 0 (it fails for ``B0 < 0``, docs/theorem_sheet.md). Masses must sum to 1,
    ``p_plus > 0``.
    """
    V.form(form)
    r = V.nonnegative("r_e", r_e)  # a statement for r_e >= 0 only
    pp, pm = V.probability("p_plus", p_plus), V.probability("p_minus", p_minus)
    pz = V.probability("p_zero", p_zero)
    V.require(pp > 0, "p_plus must be > 0 (Lemma R needs positive aligned mass)")
    V.require(np.abs(pp + pm + pz - 1) <= 1e-9, "p_plus + p_minus + p_zero must equal 1")
    la, de = V.nonnegative("lam", lam), V.nonnegative("delta", delta)
    fn = compiled("theorem4_verified" if form == "verified" else "theorem4_published")
    return V.result(fn(r, pp, pm, pz, la, de), r, pp, pm, pz, la, de)


def theorem5_bound(r_e: Any, p_ge: Any, b: Any, lam: Any, delta: Any) -> Any:
    """Theorem 5 (score in [-1, 1], threshold ``b`` in (-1, 1]).

    ``(b p e^x - (1-p))/(p e^x + (1-p))`` with ``p = p_ge`` (unsteered mass of ``B >= b``)
    and ``x = lam*delta*r_e``; tends to ``b``, not tight at ``r_e = 0``.
    """
    r = V.nonnegative("r_e", r_e)  # a statement for r_e >= 0 only
    p = V.probability("p_ge", p_ge)
    bb = V.as_finite("b", b)
    V.require((bb > -1) & (bb <= 1), "b must lie in (-1, 1]")
    la, de = V.nonnegative("lam", lam), V.nonnegative("delta", delta)
    return V.result(compiled("theorem5")(r, p, bb, la, de), r, p, bb, la, de)


def theorem6_bound(r_e: Any, b_step: Any, length: Any, lam: Any, delta: Any) -> Any:
    """Theorem 6 (multi-token alignment), floored at -1.

    ``1 - length * (1 - tanh(lam*delta/2*r_e + artanh(b_step)))`` for ``r_e >= 0``.
    The verified form takes ``b_step = B_min``, the minimum over steps and aligned prefixes of
    ``P0(A_i|.) - P0(M_i|.)``. The published form is the *same expression fed the
    response-level* ``B_0`` (``b_step = B_0``); it is not a bound in general
    (docs/theorem_sheet.md).
    ``length`` (the maximal response length ``ell``) must be >= 1.
    """
    r = V.nonnegative("r_e", r_e)  # a statement for r_e >= 0 only
    b = V.open_unit("b_step", b_step)
    n = V.integer_at_least("length", length, 1)
    la, de = V.nonnegative("lam", lam), V.nonnegative("delta", delta)
    return V.result(compiled("theorem6")(r, b, n, la, de), r, b, n, la, de)
