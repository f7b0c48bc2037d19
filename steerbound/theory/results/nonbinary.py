"""Theorems 4 and 5 (non-binary scores) (docs/theorem_sheet.md).

The token sets (A, M, N for Theorem 4; U = {B >= b}, L = {B < b} for Theorem 5) are finite
sums (:mod:`steerbound.theory.results.tilted`); the set masses are non-empty (an empty set has
zero mass and its terms vanish), so the proofs use positive mass symbols.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import symbols as S
from steerbound.theory.proof.model import (
    Eq,
    Ge,
    Gt,
    Hypothesis,
    Le,
    ProofStep,
    Result,
    algebra,
    hypothesis,
    lemma,
)
from steerbound.theory.results.tilted import TokenSet, mass_step
from steerbound.theory.symbols import B_r, r_nn, slack

A4, M4, N4 = TokenSet("A"), TokenSet("M"), TokenSet("N")
S_A, S_M, S_N = sp.symbols("S_A S_M S_N", positive=True)
p_m, p_n = sp.symbols("p_M p_N", positive=True)  # p_- and p_0 (non-empty sets)
K, m_A, M_M, M_N = sp.symbols("K m_A M_M M_N", real=True)
s_M, s_N = sp.symbols("s_M s_N", nonnegative=True)
m4, n4 = sp.Symbol("m", nonnegative=True), sp.Symbol("n", nonnegative=True)


def _ratio_upper(name: str, num: sp.Symbol, p1: sp.Symbol, top: sp.Expr, ratio: sp.Symbol):  # type: ignore[no-untyped-def]
    r, lam = r_nn, S.lam
    bound = p1 / S.p_plus * sp.exp(-lam * r * S.Delta)
    return ProofStep(
        name,
        f"Lemma R on ({num}, S_A) with the roles swapped: {ratio} <= ({p1}/p+) e^{{-x}}",
        Le(ratio, bound),
        lemma(
            "ratio (Lemma R, roles swapped)",
            {
                "N": num,
                "D_d": S_A,
                "p_1": p1,
                "p_2": S.p_plus,
                "a": lam * r * top,
                "b": lam * r * (K + S.Delta + slack),
                "c": -lam * r * S.Delta,
            },
        ),
        chain=False,
    )


@cache
def theorem4_forms() -> tuple[Result, ...]:
    x = S.lam * S.Delta * r_nn
    mu, nu = p_m / S.p_plus * sp.exp(-x), p_n / S.p_plus * sp.exp(-x)
    coef = S.lam * S.r_e
    hyps = (
        Hypothesis("Assumption 1", "delta = lam r_e v"),
        *A4.definitions(S_A, S.p_plus, coef),
        *M4.definitions(S_M, S.p_minus, coef),
        *N4.definitions(S_N, S.p_zero, coef),
        A4.lower(m_A),
        M4.upper(M_M),
        N4.upper(M_N),
        Hypothesis(
            "margin",
            "v separates A (+1) from M (-1) and N (0) with margin Delta: m_A >= K + Delta, "
            "M_M, M_N <= K",
            Ge(m_A - K, S.Delta),
        ),
        Hypothesis("below K (M)", "M_M <= K", Le(M_M, K)),
        Hypothesis("below K (N)", "M_N <= K", Le(M_N, K)),
        Hypothesis("masses", "p+ + p- + p0 = 1", Eq(S.p_plus + S.p_minus + S.p_zero, 1)),
        Hypothesis("M non-empty", "p- > 0", Gt(S.p_minus, 0)),
        Hypothesis("N non-empty", "p0 > 0", Gt(S.p_zero, 0)),
        Hypothesis(
            "Lemma 0",
            "B = (S_A - S_M)/(S_A + S_M + S_N)",
            Eq(B_r, (S_A - S_M) / (S_A + S_M + S_N)),
        ),
        Hypothesis("m", "m = S_M/S_A", Eq(m4, S_M / S_A)),
        Hypothesis("n", "n = S_N/S_A", Eq(n4, S_N / S_A)),
        Hypothesis("r_e >= 0", "", Ge(S.r_e, 0)),
    )
    vb = E.theorem4_verified()
    f = (1 - m4) / (1 + m4 + n4)
    worst = sp.Min((1 - mu) / (1 + mu + nu), (1 - mu) / (1 + mu))
    r, lam = r_nn, S.lam
    verified = Result(
        "Theorem 4",
        "verified",
        "trinary score, always-valid min form",
        hyps,
        Ge(B_r, vb.expr),
        "B >= min{(p+ e^x - p-)/(p+ e^x + p- + p0), tanh(x/2 + ln(p+/p-)/2)}, x = lam Delta r_e.",
        (
            ProofStep(
                "Lemma 0",
                "B = (S_A - S_M)/(S_A + S_M + S_N)",
                Eq(B_r, (S_A - S_M) / (S_A + S_M + S_N)),
                hypothesis("Lemma 0"),
            ),
            ProofStep(
                "ratios",
                "divide by S_A: (1 - m)/(1 + m + n)",
                Eq((S_A - S_M) / (S_A + S_M + S_N), f),
                algebra({m4: S_M / S_A, n4: S_N / S_A}),
            ),
            mass_step("aligned mass", A4, S_A, S.p_plus, lam * r, K + S.Delta + slack, "min", "+"),
            mass_step("misaligned mass", M4, S_M, p_m, lam * r, K - s_M, "max", "+"),
            mass_step("neutral mass", N4, S_N, p_n, lam * r, K - s_N, "max", "+"),
            _ratio_upper("m <= mu", S_M, p_m, K - s_M, m4),
            _ratio_upper("n <= nu", S_N, p_n, K - s_N, n4),
            ProofStep(
                "worst case",
                "(1-m)/(1+m+n) decreases in m, and in n when mu <= 1; for mu > 1 the worst "
                "case is n = 0",
                Ge(f, worst),
                lemma(
                    "(1-m)/(1+m+n) worst case",
                    {"m_s": m4, "n_s": n4, "mu_s": mu, "nu_s": nu},
                ),
            ),
            ProofStep(
                "closed forms",
                "(1 - mu)/(1 + mu + nu) and (1 - mu)/(1 + mu) = tanh(x/2 + ln(p+/p-)/2)",
                Eq(worst, vb.expr.subs({S.r_e: r, S.p_minus: p_m, S.p_zero: p_n})),
                algebra(),
            ),
        ),
        "medium (~55%) on the paper's form; the min form is always valid",
        vb,
        {
            S.r_e: r_nn,
            S.p_minus: p_m,
            S.p_zero: p_n,
            m_A: K + S.Delta + slack,
            M_M: K - s_M,
            M_N: K - s_N,
        },
    )
    pb = E.theorem4_published()
    published = Result(
        "Theorem 4",
        "published",
        "trinary score, closed form (T4-closed)",
        tuple(h for h in hyps if h.name in {"Assumption 1", "masses", "r_e >= 0"}),
        Ge(B_r, pb.expr),
        "B >= (p+(e^x - 1) + B_0)/(p+(e^x - 1) + 1); valid only where it is >= 0 "
        "(p+ e^x >= p-); fails for B_0 < 0.",
        (),
        "medium (~55%); false for B_0 < 0",
        pb,
    )
    return verified, published


U5, L5 = TokenSet("U"), TokenSet("L")
S_U, S_L = sp.symbols("S_U S_L", positive=True)
p_U, p_L = sp.symbols("p_U p_L", positive=True)
m_U, M_L = sp.symbols("m_U M_L", real=True)
R5 = sp.Symbol("R", positive=True)


@cache
def theorem5() -> Result:
    b = E.theorem5()
    r, lam = r_nn, S.lam
    x = S.lam * S.Delta * r
    bt = S.b_thr
    worst = (bt * R5 - 1) / (R5 + 1)
    ratio = p_U / p_L * sp.exp(x)
    coef = lam * S.r_e
    return Result(
        "Theorem 5",
        "verified",
        "general score in [-1, 1] with threshold b",
        (
            *U5.definitions(S_U, S.p_ge, coef),
            *L5.definitions(S_L, p_L, coef),
            U5.lower(m_U),
            L5.upper(M_L),
            Hypothesis(
                "margin", "v separates U = {B >= b} from L = {B < b}", Ge(m_U - M_L, S.Delta)
            ),
            Hypothesis("masses", "p_{>=b} + p_L = 1", Eq(S.p_ge + p_L, 1)),
            Hypothesis("U non-empty", "p_{>=b} > 0", Gt(S.p_ge, 0)),
            Hypothesis(
                "worst-case scores",
                "B >= b on U and B >= -1 on L (Lemma 0)",
                Ge(B_r, (bt * S_U - S_L) / (S_U + S_L)),
            ),
            Hypothesis("R", "R = S_U/S_L", Eq(R5, S_U / S_L)),
            Hypothesis("b", "-1 < b <= 1", Gt(bt, -1)),
            Hypothesis("r_e >= 0", "", Ge(S.r_e, 0)),
        ),
        Ge(B_r, b.expr),
        "B >= (b p e^x - (1 - p))/(p e^x + (1 - p)) = (1+b)/2 tanh(x/2 + ln(p/(1-p))/2) - (1-b)/2; "
        "tends to b, value b p - (1 - p) <= B_0 at r_e = 0.",
        (
            ProofStep(
                "worst-case scores",
                "b on the upper group, -1 on the lower",
                Ge(B_r, (bt * S_U - S_L) / (S_U + S_L)),
                hypothesis("worst-case scores"),
            ),
            ProofStep(
                "ratio form",
                "(b S_U - S_L)/(S_U + S_L) = (bR - 1)/(R + 1)",
                Eq((bt * S_U - S_L) / (S_U + S_L), worst),
                algebra({R5: S_U / S_L}),
            ),
            mass_step("upper mass", U5, S_U, p_U, lam * r, M_L + S.Delta + slack, "min", "+"),
            mass_step("lower mass", L5, S_L, p_L, lam * r, M_L, "max", "+"),
            ProofStep(
                "Lemma R",
                "R >= (p/(1-p)) e^x",
                Ge(R5, ratio),
                lemma(
                    "ratio (Lemma R)",
                    {
                        "N": S_U,
                        "D_d": S_L,
                        "p_1": p_U,
                        "p_2": p_L,
                        "a": lam * r * (M_L + S.Delta + slack),
                        "b": lam * r * M_L,
                        "c": x,
                    },
                ),
                chain=False,
            ),
            ProofStep(
                "monotone in R",
                "(bR - 1)/(R + 1) is increasing in R (b > -1)",
                Ge(worst, worst.subs(R5, ratio)),
                lemma("(bR-1)/(R+1) increasing", {"R": R5, "R_2": ratio, "b_s": bt}),
            ),
            ProofStep(
                "collect",
                "the stated form (p_L = 1 - p)",
                Eq(worst.subs(R5, ratio), b.expr.subs({S.r_e: r, S.p_ge: p_U})),
                algebra({p_L: 1 - p_U}),
            ),
        ),
        "~70%",
        b,
        {S.r_e: r_nn, S.p_ge: p_U, m_U: M_L + S.Delta + slack},
    )
