"""Order lemmas: transitivity, affine maps, Lemma R with the roles swapped, monotone maps
(a tuple, no side effects)."""

from __future__ import annotations

import sympy as sp

from steerbound.theory.proof.provers import (
    Lemma,
    LemmaProof,
    by_slack,
    combine,
    declared,
    is_zero,
)

_L: list[Lemma] = []
x, y, z, a = sp.symbols("x y z a", real=True)
c0 = sp.Symbol("c_0", nonnegative=True)
_s1, _s2 = sp.symbols("s_1 s_2", nonnegative=True)


def _sign(expr: sp.Expr, what: str) -> LemmaProof:
    e = sp.factor(sp.together(sp.expand(expr)))
    return LemmaProof("passed" if e.is_nonnegative else "undecided", f"{what}: {e} >= 0")


_L.append(
    Lemma(
        "transitivity",
        "x >= y, y >= z => x >= z",
        (x, y, z),
        (sp.Ge(x, y), sp.Ge(y, z)),
        sp.Ge(x, z),
        by_slack(x, y),
    )
)

_L.append(
    Lemma(
        "a - c x >= a - c y",
        "x <= y, c >= 0 => a - c x >= a - c y",
        (x, y, a, c0),
        (sp.Le(x, y),),
        sp.Ge(a - c0 * x, a - c0 * y),
        by_slack(y),
    )
)

N = sp.Symbol("N", nonnegative=True)
Dd, p1, p2 = sp.symbols("D_d p_1 p_2", positive=True)
ea, eb, ec = sp.symbols("a b c", real=True)


_L.append(
    Lemma(
        "ratio (Lemma R, roles swapped)",
        "N <= p1 e^a, D_d >= p2 e^b, a - b <= c => N/D_d <= (p1/p2) e^c",
        (N, Dd, p1, p2, ea, eb, ec),
        (sp.Le(N, p1 * sp.exp(ea)), sp.Ge(Dd, p2 * sp.exp(eb)), sp.Le(ea - eb, ec)),
        sp.Le(N / Dd, p1 / p2 * sp.exp(ec)),
        by_slack(p1, Dd, ec),
    )
)


def _artanh() -> LemmaProof:
    # d/dx artanh x = 1/(1 - x^2) > 0 on (-1, 1): with x = (P - Q)/(P + Q), P, Q > 0 (every
    # point of (-1, 1)), 1/(1 - x^2) = (P + Q)^2/(4 P Q).
    P, Q = sp.symbols("P Q", positive=True)
    d = sp.diff(sp.atanh(x), x)
    on_domain = sp.factor(sp.cancel(d.subs(x, (P - Q) / (P + Q))))
    return combine(
        is_zero(d - 1 / (1 - x**2)),
        LemmaProof(
            "passed" if on_domain.is_positive else "undecided",
            f"d/dx artanh = {on_domain} > 0 on (-1, 1)",
        ),
    )


_L.append(
    Lemma(
        "artanh monotone",
        "-1 < y <= x < 1 => artanh x >= artanh y",
        (x, y),
        (sp.Ge(x, y), sp.Gt(y, -1), sp.Lt(x, 1)),
        sp.Ge(sp.atanh(x), sp.atanh(y)),
        declared(
            (sp.Ge(x, y), sp.Gt(y, -1), sp.Lt(x, 1)), sp.Ge(sp.atanh(x), sp.atanh(y)), _artanh
        ),
    )
)

R, R2 = sp.symbols("R R_2", positive=True)
bb = sp.Symbol("b_s", real=True)


_L.append(
    Lemma(
        "(bR-1)/(R+1) increasing",
        "R >= R2 > 0, b > -1 => (bR - 1)/(R + 1) >= (bR2 - 1)/(R2 + 1)",
        (R, R2, bb),
        (sp.Ge(R, R2), sp.Gt(bb, -1)),
        sp.Ge((bb * R - 1) / (R + 1), (bb * R2 - 1) / (R2 + 1)),
        by_slack(R, bb),
    )
)

mm, nn, mu, nu = sp.symbols("m_s n_s mu_s nu_s", nonnegative=True)


def _worst() -> LemmaProof:
    g = lambda p, q: (1 - p) / (1 + p + q)  # noqa: E731
    u = sp.Symbol("u", nonnegative=True)
    # (1) decreasing in m: g(m, n) - g(m + s, n) >= 0.
    in_m = _sign(g(mm, nn) - g(mm + _s1, nn), "g(m, n) - g(m + s, n)")
    # (2) mu <= 1 (mu = 1 - u, written through u >= 0 only in the sign factor 1 - mu):
    # g(mu, n) - g(mu, n + s) = (1 - mu) s / ((1 + mu + n)(1 + mu + n + s)).
    f2 = _s1 / ((1 + mu + nn) * (1 + mu + nn + _s1))
    in_n = combine(
        is_zero(g(mu, nn) - g(mu, nn + _s1) - (1 - mu) * f2),
        _sign(u * f2, "(1 - mu) s/(...) with 1 - mu = u >= 0"),
    )
    # (3) mu >= 1: g(mu, n) - (1 - mu)/(1 + mu) = (mu - 1) n / ((1 + mu + n)(1 + mu)).
    f3 = nn / ((1 + mu + nn) * (1 + mu))
    big = combine(
        is_zero(g(mu, nn) - (1 - mu) / (1 + mu) - (mu - 1) * f3),
        _sign(u * f3, "(mu - 1) n/(...) with mu - 1 = u >= 0"),
    )
    return combine(in_m, in_n, big)


_L.append(
    Lemma(
        "(1-m)/(1+m+n) worst case",
        "0 <= m <= mu, 0 <= n <= nu => (1-m)/(1+m+n) >= min{(1-mu)/(1+mu+nu), (1-mu)/(1+mu)} "
        "(decreasing in m; in n when mu <= 1; for mu > 1 the worst case is n = 0)",
        (mm, nn, mu, nu),
        (sp.Le(mm, mu), sp.Le(nn, nu)),
        sp.Ge((1 - mm) / (1 + mm + nn), sp.Min((1 - mu) / (1 + mu + nu), (1 - mu) / (1 + mu))),
        declared(
            (sp.Le(mm, mu), sp.Le(nn, nu)),
            sp.Ge((1 - mm) / (1 + mm + nn), sp.Min((1 - mu) / (1 + mu + nu), (1 - mu) / (1 + mu))),
            _worst,
        ),
    )
)


_L.append(
    Lemma(
        "tanh x <= 1",
        "tanh x <= 1 for real x (1 - tanh x = 2/(e^{2x} + 1) > 0)",
        (x,),
        (),
        sp.Le(sp.tanh(x), 1),
        declared(
            (),
            sp.Le(sp.tanh(x), 1),
            lambda: combine(
                is_zero(1 - sp.tanh(x) - 2 / (sp.exp(2 * x) + 1)),
                LemmaProof(
                    "passed" if (2 / (sp.exp(2 * x) + 1)).is_positive else "undecided",
                    "2/(e^{2x} + 1) > 0",
                ),
            ),
        ),
    )
)

LEMMAS: tuple[Lemma, ...] = tuple(_L)
