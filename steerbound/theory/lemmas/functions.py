"""The catalogue of named lemmas on elementary functions (a tuple, no side effects).

Each lemma is proved from its statement by a method of :mod:`steerbound.theory.lemmas`
(derivative chains on the half-line its premise states, monotonicity from a premise
``x >= y``, slack substitution of its premises, identities).
"""

from __future__ import annotations

import sympy as sp

from steerbound.theory.proof.provers import (
    Lemma,
    by_even_halfline,
    by_halfline,
    by_identity,
    by_monotone,
    by_slack,
)

x, y, z, c = sp.symbols("x y z c", real=True)
N, n = sp.symbols("N n", nonnegative=True)
d, Dd, R, R2, P, p1, p2 = sp.symbols("d D_d R R_2 P p_1 p_2", positive=True)
X1, X2 = sp.symbols("X_1 X_2", nonnegative=True)
a, b = sp.symbols("a b", real=True)
pa = sp.Symbol("p_a", positive=True)

LEMMAS: tuple[Lemma, ...] = (
    Lemma(
        "exp monotone",
        "x >= y => e^x >= e^y",
        (x, y),
        (sp.Ge(x, y),),
        sp.Ge(sp.exp(x), sp.exp(y)),
        by_monotone(x, y),
    ),
    Lemma(
        "tanh monotone",
        "x >= y => tanh x >= tanh y",
        (x, y),
        (sp.Ge(x, y),),
        sp.Ge(sp.tanh(x), sp.tanh(y)),
        by_monotone(x, y, 1 / sp.cosh(x) ** 2),
    ),
    Lemma(
        "tanh(ln R / 2) monotone",
        "R >= R2 > 0 => tanh(ln R/2) >= tanh(ln R2/2)",
        (R, R2),
        (sp.Ge(R, R2),),
        sp.Ge(sp.tanh(sp.log(R) / 2), sp.tanh(sp.log(R2) / 2)),
        by_monotone(R, R2, 2 / (R + 1) ** 2),
    ),
    Lemma(
        "P/(P+X) decreasing",
        "X1 >= X2 >= 0 => P/(P+X1) <= P/(P+X2)",
        (P, X1, X2),
        (sp.Ge(X1, X2),),
        sp.Le(P / (P + X1), P / (P + X2)),
        by_monotone(X1, X2, P / (P + X1) ** 2),
    ),
    Lemma(
        "quotient",
        "N >= n >= 0, 0 < D_d <= d => N/D_d >= n/d",
        (N, n, Dd, d),
        (sp.Ge(N, n), sp.Le(Dd, d)),
        sp.Ge(N / Dd, n / d),
        by_slack(N, d),
    ),
    Lemma(
        "ratio (Lemma R)",
        "N >= p1 e^a, 0 < D_d <= p2 e^b, a - b >= c => N/D_d >= (p1/p2) e^c",
        (N, Dd, p1, p2, a, b, c),
        (sp.Ge(N, p1 * sp.exp(a)), sp.Le(Dd, p2 * sp.exp(b)), sp.Ge(a - b, c)),
        sp.Ge(N / Dd, p1 / p2 * sp.exp(c)),
        by_slack(N, p2, c),
    ),
    Lemma(
        "e^y >= 1 + y + y^2/2",
        "y >= 0 => e^y >= 1 + y + y^2/2",
        (y,),
        (sp.Ge(y, 0),),
        sp.Ge(sp.exp(y), 1 + y + y**2 / 2),
        by_halfline(y),
    ),
    Lemma(
        "e^y >= 1 + y^2/2",
        "y >= 0 => e^y >= 1 + y^2/2",
        (y,),
        (sp.Ge(y, 0),),
        sp.Ge(sp.exp(y), 1 + y**2 / 2),
        by_halfline(y),
    ),
    Lemma(
        "cosh z >= 1 + z^2/2",
        "cosh z >= 1 + z^2/2 for all real z (even; chain on z >= 0)",
        (z,),
        (),
        sp.Ge(sp.cosh(z), 1 + z**2 / 2),
        by_even_halfline(z),
    ),
    Lemma(
        "e^x + e^-y = 2 e^((x-y)/2) cosh((x+y)/2)",
        "exact identity",
        (x, y),
        (),
        sp.Eq(sp.exp(x) + sp.exp(-y), 2 * sp.exp((x - y) / 2) * sp.cosh((x + y) / 2)),
        by_identity,
    ),
    Lemma(
        "tanh identity",
        "p_A + p_M = 1 => p_A - p_M = tanh(ln(p_A/p_M)/2)",
        (pa,),
        (),
        sp.Eq(2 * pa - 1, sp.tanh(sp.log(pa / (1 - pa)) / 2)),
        by_identity,
    ),
)
