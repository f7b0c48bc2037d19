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
t1, t2, t3 = sp.symbols("t1:4", nonnegative=True)
w1, w2, w3 = sp.symbols("w1:4", nonnegative=True)
y1, y2, y3 = sp.symbols("y1:4", real=True)
N, n, d, Dd, R, R2, P, p1, p2 = sp.symbols("N n d D_d R R_2 P p_1 p_2", positive=True)
X1, X2 = sp.symbols("X_1 X_2", nonnegative=True)
a, b = sp.symbols("a b", real=True)
mm, nn = sp.symbols("m_s n_s", nonnegative=True)
bb = sp.Symbol("b_s", real=True)
u_a, u_b, u_c = sp.symbols("a_u b_u c_u", nonnegative=True)
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
        "N >= n > 0, 0 < D_d <= d => N/D_d >= n/d",
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


def _weighted_sum_min() -> LemmaProof:
    pos = nonneg_on_halfline(sp.exp(x) - 1, x, 0)
    s = sp.symbols("s1:4", nonnegative=True)
    diff = sp.expand(
        sum(w * sp.exp(m + t) for w, t in zip((w1, w2, w3), (t1, t2, t3), strict=True))
        - (w1 + w2 + w3) * sp.exp(m)
    )
    diff = diff.subs({sp.exp(t): 1 + si for t, si in zip((t1, t2, t3), s, strict=True)})
    ok = sp.expand(diff).is_nonnegative
    return combine(
        pos,
        LemmaProof(
            "passed" if ok else "undecided", f"sum w_i e^m (e^t_i - 1) = {sp.expand(diff)} >= 0"
        ),
    )


register(
    Lemma(
        "weighted sum >= mass * e^min",
        "w_i >= 0, t_i >= 0: sum w_i e^(m + t_i) >= (sum w_i) e^m (termwise; 3 terms)",
        (w1, w2, w3, m, t1, t2, t3),
        (),
        sp.Ge(
            sum(w * sp.exp(m + t) for w, t in ((w1, t1), (w2, t2), (w3, t3))),
            (w1 + w2 + w3) * sp.exp(m),
        ),
        _weighted_sum_min,
    )
)


def _weighted_sum_max() -> LemmaProof:
    # Mirror of the previous lemma: (sum w_i) e^m - sum w_i e^(m - t_i) = sum w_i e^m s_i with
    # s_i = 1 - e^(-t_i) >= 0.
    pos = nonneg_on_halfline(1 - sp.exp(-x), x, 0)
    s = sp.symbols("s1:4", nonnegative=True)
    diff = sp.expand(
        (w1 + w2 + w3) * sp.exp(m)
        - sum(w * sp.exp(m - t) for w, t in ((w1, t1), (w2, t2), (w3, t3)))
    )
    diff = sp.expand(diff.subs({sp.exp(-t): 1 - si for t, si in zip((t1, t2, t3), s, strict=True)}))
    ok = diff.is_nonnegative
    return combine(
        pos, LemmaProof("passed" if ok else "undecided", f"sum w_i e^m (1 - e^-t_i) = {diff} >= 0")
    )


register(
    Lemma(
        "weighted sum <= mass * e^max",
        "w_i >= 0, t_i >= 0: sum w_i e^(m - t_i) <= (sum w_i) e^m (termwise; 3 terms)",
        (w1, w2, w3, m, t1, t2, t3),
        (),
        sp.Le(
            sum(w * sp.exp(m - t) for w, t in ((w1, t1), (w2, t2), (w3, t3))),
            (w1 + w2 + w3) * sp.exp(m),
        ),
        _weighted_sum_max,
    )
)


def _jensen() -> LemmaProof:
    convex = positive_derivative(sp.diff(sp.exp(x), x), x)  # (e^x)'' = e^x > 0
    tangent = sp.exp(y) - sp.exp(m) * (1 + y - m)
    right = nonneg_on_halfline(tangent, y, m)
    left = nonneg_on_halfline(tangent.subs(y, 2 * m - y), y, m)
    W = w1 + w2 + w3
    mean = (w1 * y1 + w2 * y2 + w3 * y3) / W
    lin = sum(w * sp.exp(mean) * (1 + yi - mean) for w, yi in ((w1, y1), (w2, y2), (w3, y3)))
    avg = is_zero(lin - W * sp.exp(mean))
    return combine(convex, right, left, avg)


W3 = w1 + w2 + w3
register(
    Lemma(
        "Jensen (exp convex)",
        "w_i >= 0: sum w_i e^(y_i) >= W e^(sum w_i y_i / W) (tangent line at the mean)",
        (w1, w2, w3, y1, y2, y3),
        (),
        sp.Ge(
            w1 * sp.exp(y1) + w2 * sp.exp(y2) + w3 * sp.exp(y3),
            W3 * sp.exp((w1 * y1 + w2 * y2 + w3 * y3) / W3),
        ),
        _jensen,
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
        "union bound",
        "P(A u B) = a + b + c <= P(A) + P(B) = (a + c) + (b + c)",
        (u_a, u_b, u_c),
        (),
        sp.Le(u_a + u_b + u_c, (u_a + u_c) + (u_b + u_c)),
        lambda: LemmaProof(
            "passed"
            if ((u_a + u_c) + (u_b + u_c) - (u_a + u_b + u_c)).is_nonnegative
            else "undecided",
            "difference P(A n B) >= 0",
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

from steerbound.theory import lemma_catalog_extra  # noqa: E402, F401  (registers the rest)
