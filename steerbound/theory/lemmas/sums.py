"""Lemmas on finite sums of any length ``n`` (tilted masses, Jensen, the union bound).

Each is stated for ``Sum(..., (i, 1, n))`` with an ``IndexedBase`` of weights ``w`` and an
undefined function ``f`` for the per-term quantity, so a proof step instantiates it with a
mapping such as ``{w: P_A, f: Lambda(i, x_A[i]), n: n_A, c: lam*r_e}``. A premise with the
free index ``i`` holds for every term (see :mod:`steerbound.theory.sums`).

Proof pattern: write each term through a nonnegative slack ``s_i`` whose sign follows from a
one-variable inequality proved by a derivative chain, then prove the difference of the two
sides is a sum with a nonnegative summand (:func:`~steerbound.theory.sums.sum_nonnegative`).
"""

from __future__ import annotations

import sympy as sp

from steerbound.theory.proof.provers import (
    Lemma,
    LemmaProof,
    by_slack,
    combine,
    declared,
    nonneg_on_halfline,
)
from steerbound.theory.proof.sums import I, finite_sum, length, sum_nonnegative, sum_normal

_L: list[Lemma] = []
n = length("n")
w = sp.IndexedBase("w", nonnegative=True)
wp = sp.IndexedBase("w_p", positive=True)
f = sp.Function("f", real=True)
c = sp.Symbol("c", nonnegative=True)
cr = sp.Symbol("c_r", real=True)
m = sp.Symbol("m", real=True)
_t = sp.IndexedBase("t", nonnegative=True)
_s = sp.IndexedBase("s", nonnegative=True)
_u = sp.Symbol("u", real=True)


def _nonneg_sum(diff: sp.Expr, what: str) -> LemmaProof:
    ok = sum_nonnegative(diff)
    return LemmaProof("passed" if ok else "undecided", f"{what}: {sum_normal(diff)} >= 0 termwise")


_L.append(
    Lemma(
        "finite sum >= mass * e^(c min)",
        "w_i >= 0, c >= 0, f(i) >= m for i = 1..n => sum w_i e^{c f(i)} >= (sum w_i) e^{c m}",
        (n, w, f, c, m),
        (sp.Ge(f(I), m),),
        sp.Ge(finite_sum(w[I] * sp.exp(c * f(I)), n), finite_sum(w[I], n) * sp.exp(c * m)),
        by_slack(f),
    )
)


_L.append(
    Lemma(
        "finite sum <= mass * e^(c max)",
        "w_i >= 0, c >= 0, f(i) <= m for i = 1..n => sum w_i e^{c f(i)} <= (sum w_i) e^{c m}",
        (n, w, f, c, m),
        (sp.Le(f(I), m),),
        sp.Le(finite_sum(w[I] * sp.exp(c * f(I)), n), finite_sum(w[I], n) * sp.exp(c * m)),
        by_slack(f),
    )
)


_JENSEN = sp.Ge(
    finite_sum(wp[I] * sp.exp(cr * f(I)), n),
    finite_sum(wp[I], n) * sp.exp(finite_sum(wp[I] * cr * f(I), n) / finite_sum(wp[I], n)),
)


def _jensen() -> LemmaProof:
    # Tangent line of exp at v: e^u >= e^v (1 + u - v) for all real u (chains on both sides),
    # so e^{c f(i)} = e^{mu}(1 + c f(i) - mu) + s_i, s_i >= 0; at mu = sum w c f / W the linear
    # part sums to W e^{mu} exactly.
    v = sp.Symbol("v", real=True)
    tangent = sp.exp(_u) - sp.exp(v) * (1 + _u - v)
    right = nonneg_on_halfline(tangent, _u, v)
    left = nonneg_on_halfline(tangent.subs(_u, 2 * v - _u), _u, v)
    W = finite_sum(wp[I], n)
    mu = finite_sum(wp[I] * cr * f(I), n) / W
    terms = finite_sum(wp[I] * (sp.exp(mu) * (1 + cr * f(I) - mu) + _s[I]), n)
    diff = terms - W * sp.exp(mu)
    return combine(right, left, _nonneg_sum(diff, "sum w_i (e^mu (1 + c f_i - mu) + s_i) - W e^mu"))


_L.append(
    Lemma(
        "Jensen (exp convex, n terms)",
        "w_i > 0: sum w_i e^{c f(i)} >= W e^{c sum w_i f(i) / W}, W = sum w_i (tangent line)",
        (n, wp, f, cr),
        (),
        _JENSEN,
        declared((), _JENSEN, _jensen),
    )
)


_L.append(
    Lemma(
        "union bound (sum <= mass * max)",
        "w_i >= 0, f(i) <= m for i = 1..n => sum w_i f(i) <= (sum w_i) m: the probability of "
        "a disjoint union of events 'prefix i, then a bad token' is at most its mass times the "
        "largest conditional probability",
        (n, w, f, m),
        (sp.Le(f(I), m),),
        sp.Le(finite_sum(w[I] * f(I), n), finite_sum(w[I], n) * m),
        by_slack(f),
    )
)

LEMMAS: tuple[Lemma, ...] = tuple(_L)
