"""Finite sums with a symbolic number of terms, as used by the aggregate steps of the proofs.

A tilted mass such as ``S_A = sum_{t in A} P0(t) e^{lam r_e x_t}`` is written
``Sum(w[i] * exp(c * f(i)), (i, 1, n))`` with an ``IndexedBase`` of weights, an undefined
function (or an ``IndexedBase``) for the per-term quantity and a symbolic length ``n``.

Convention for relations with a free index: a relation that contains the index ``I`` outside
any ``Sum`` (e.g. ``x_A[i] >= m_A``) states the relation *for every* ``i = 1..n`` of the sums
it is used with; lemma premises instantiated under a mapping keep this meaning, because the
mapping substitutes the same ``n`` into the premise and into the conclusion's sums.

:func:`sum_normal` puts an expression with sums into a canonical linear form (each summand
expanded, factors free of the index pulled out, constant summands counted), so that
``sum_normal(a - b) == 0`` proves ``a == b`` for linear identities of sums.
"""

from __future__ import annotations

import sympy as sp

#: The summation index shared by every lemma and proof (``i = 1..n``).
I = sp.Symbol("i", integer=True, positive=True)


def length(name: str) -> sp.Symbol:
    """A number of terms ``n >= 1`` (a non-empty token set)."""
    return sp.Symbol(name, integer=True, positive=True)


def finite_sum(term: sp.Expr, n: sp.Expr) -> sp.Sum:
    """``sum_{i=1}^{n} term``."""
    return sp.Sum(term, (I, 1, n))


def _split(s: sp.Sum) -> sp.Expr:
    if len(s.limits) != 1:
        return s
    var, lo, hi = s.limits[0]
    out = []
    for t in sp.Add.make_args(sp.expand(s.function)):
        ind, dep = t.as_independent(var, as_Add=False)
        out.append(ind * (hi - lo + 1) if dep == 1 else ind * sp.Sum(dep, (var, lo, hi)))
    return sp.Add(*out)


def sum_normal(expr: sp.Expr) -> sp.Expr:
    """Linearity of finite sums: split summands, pull index-free factors out, expand."""
    if not expr.has(sp.Sum):
        return expr
    return sp.expand(expr.replace(lambda e: isinstance(e, sp.Sum), _split))


def sum_nonnegative(expr: sp.Expr) -> bool:
    """``expr >= 0`` decided termwise: after :func:`sum_normal`, every additive term is a sum
    whose summand sympy knows to be nonnegative, times a nonnegative index-free factor."""
    e = sum_normal(expr)
    if e == 0:
        return True
    for term in sp.Add.make_args(e):
        if term.is_nonnegative:
            continue
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
        rest = [f for f in sp.Mul.make_args(term) if not isinstance(f, sp.Sum)]
        ok = len(sums) == 1 and sums[0].function.is_nonnegative
        if not (ok and sp.Mul(*rest).is_nonnegative):
            return False
    return True
