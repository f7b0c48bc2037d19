"""The catalogue of named lemmas (registered into :mod:`steerbound.theory.lemmas`)."""

from __future__ import annotations

import sympy as sp

from steerbound.theory.lemmas import (
    Lemma,
    LemmaProof,
    combine,
    is_zero,
    nonneg_on_halfline,
    positive_derivative,
    register,
)

x, y, z, m, c = sp.symbols("x y z m c", real=True)
N, n = sp.symbols("N n", nonnegative=True)
d, Dd, R, R2, P, p1, p2 = sp.symbols("d D_d R R_2 P p_1 p_2", positive=True)
X1, X2 = sp.symbols("X_1 X_2", nonnegative=True)
a, b = sp.symbols("a b", real=True)
pa = sp.Symbol("p_a", positive=True)


def _exp_monotone() -> LemmaProof:
    return positive_derivative(sp.exp(x), x)


register(
    Lemma(
        "exp monotone",
        "x >= y => e^x >= e^y",
        (x, y),
        (sp.Ge(x, y),),
        sp.Ge(sp.exp(x), sp.exp(y)),
        _exp_monotone,
    )
)

register(
    Lemma(
        "tanh monotone",
        "x >= y => tanh x >= tanh y",
        (x, y),
        (sp.Ge(x, y),),
        sp.Ge(sp.tanh(x), sp.tanh(y)),
        lambda: positive_derivative(sp.tanh(x), x, witness=1 / sp.cosh(x) ** 2),
    )
)

register(
    Lemma(
        "tanh(ln R / 2) monotone",
        "R >= R2 > 0 => tanh(ln R/2) >= tanh(ln R2/2)",
        (R, R2),
        (sp.Ge(R, R2),),
        sp.Ge(sp.tanh(sp.log(R) / 2), sp.tanh(sp.log(R2) / 2)),
        lambda: positive_derivative(sp.tanh(sp.log(R) / 2), R, witness=2 / (R + 1) ** 2),
    )
)

register(
    Lemma(
        "P/(P+X) decreasing",
        "X1 >= X2 >= 0 => P/(P+X1) <= P/(P+X2)",
        (P, X1, X2),
        (sp.Ge(X1, X2),),
        sp.Le(P / (P + X1), P / (P + X2)),
        lambda: positive_derivative(-P / (P + X1), X1, witness=P / (P + X1) ** 2),
    )
)


def _quotient() -> LemmaProof:
    s, u = sp.symbols("s u", nonnegative=True)
    diff = sp.factor(sp.together((n + s) / Dd - n / (Dd + u)))
    ok = diff.is_nonnegative
    if ok:
        return LemmaProof(
            "passed", f"N = n + s, d = D_d + u (s, u >= 0): N/D_d - n/d = {diff} >= 0"
        )
    return LemmaProof("undecided", f"sign of {diff} undecided")


register(
    Lemma(
        "quotient",
        "N >= n >= 0, 0 < D_d <= d => N/D_d >= n/d",
        (N, n, Dd, d),
        (sp.Ge(N, n), sp.Le(Dd, d)),
        sp.Ge(N / Dd, n / d),
        _quotient,
    )
)


def _ratio() -> LemmaProof:
    # N/D_d >= (p1 e^a)/(p2 e^b) (quotient lemma) = p1/p2 e^(a-b) >= p1/p2 e^c (exp monotone).
    q = _quotient()
    eq = is_zero(p1 * sp.exp(a) / (p2 * sp.exp(b)) - p1 / p2 * sp.exp(a - b))
    return combine(q, eq, _exp_monotone())


register(
    Lemma(
        "ratio (Lemma R)",
        "N >= p1 e^a, 0 < D_d <= p2 e^b, a - b >= c => N/D_d >= (p1/p2) e^c",
        (N, Dd, p1, p2, a, b, c),
        (sp.Ge(N, p1 * sp.exp(a)), sp.Le(Dd, p2 * sp.exp(b)), sp.Ge(a - b, c)),
        sp.Ge(N / Dd, p1 / p2 * sp.exp(c)),
        _ratio,
    )
)


register(
    Lemma(
        "e^y >= 1 + y + y^2/2",
        "y >= 0 => e^y >= 1 + y + y^2/2",
        (y,),
        (sp.Ge(y, 0),),
        sp.Ge(sp.exp(y), 1 + y + y**2 / 2),
        lambda: nonneg_on_halfline(sp.exp(y) - 1 - y - y**2 / 2, y, 0),
    )
)

register(
    Lemma(
        "e^y >= 1 + y^2/2",
        "y >= 0 => e^y >= 1 + y^2/2 (drop the linear term y >= 0)",
        (y,),
        (sp.Ge(y, 0),),
        sp.Ge(sp.exp(y), 1 + y**2 / 2),
        lambda: combine(
            nonneg_on_halfline(sp.exp(y) - 1 - y - y**2 / 2, y, 0), nonneg_on_halfline(y, y, 0)
        ),
    )
)


def _cosh() -> LemmaProof:
    f = sp.cosh(z) - 1 - z**2 / 2
    return combine(nonneg_on_halfline(f, z, 0), is_zero(f.subs(z, -z) - f))


register(
    Lemma(
        "cosh z >= 1 + z^2/2",
        "cosh z >= 1 + z^2/2 for all real z (even; chain on z>=0)",
        (z,),
        (),
        sp.Ge(sp.cosh(z), 1 + z**2 / 2),
        _cosh,
    )
)

register(
    Lemma(
        "e^x + e^-y = 2 e^((x-y)/2) cosh((x+y)/2)",
        "exact identity",
        (x, y),
        (),
        sp.Eq(sp.exp(x) + sp.exp(-y), 2 * sp.exp((x - y) / 2) * sp.cosh((x + y) / 2)),
        lambda: is_zero(
            (2 * sp.exp((x - y) / 2) * sp.cosh((x + y) / 2)).rewrite(sp.exp)
            - sp.exp(x)
            - sp.exp(-y)
        ),
    )
)

register(
    Lemma(
        "tanh identity",
        "p_A + p_M = 1 => p_A - p_M = tanh(ln(p_A/p_M)/2)",
        (pa,),
        (),
        sp.Eq(2 * pa - 1, sp.tanh(sp.log(pa / (1 - pa)) / 2)),
        lambda: is_zero(sp.tanh(sp.log(pa / (1 - pa)) / 2).rewrite(sp.exp) - (2 * pa - 1)),
    )
)

from steerbound.theory import (  # noqa: E402, F401  (register the rest)
    lemma_catalog_extra,
    lemma_catalog_order,
    lemma_catalog_sums,
)
