"""Theorem 1, Corollary 1 and Theorem 3 (THEORY.md §2, §3, §6)."""

from __future__ import annotations

from functools import cache

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import symbols as S
from steerbound.theory.results.common import (
    M_M,
    S_A,
    S_M,
    B_r,
    P_par,
    Q_par,
    m_A,
    r_nn,
    slack,
)
from steerbound.theory.results.model import (
    Eq,
    Ge,
    Gt,
    Hypothesis,
    Le,
    ProofStep,
    Result,
    algebra,
    definition,
    hypothesis,
    lemma,
)

_PARAM = {
    S.p_A: P_par / (P_par + Q_par),
    S.p_M: Q_par / (P_par + Q_par),
    S.B0: (P_par - Q_par) / (P_par + Q_par),
}


def theorem1_hypotheses() -> tuple[Hypothesis, ...]:
    return (
        Hypothesis(
            "binary",
            "single next token, binary B, p_A = P0(A) in (0, 1), p_M = 1 - p_A",
            Eq(S.p_A + S.p_M, 1),
        ),
        Hypothesis("B_0", "B_0 = p_A - p_M", Eq(S.B0, S.p_A - S.p_M)),
        Hypothesis("Assumption 1", "linearized: delta = lam r_e v, ||delta|| = lam r_e"),
        Hypothesis("Assumption 2", "margin: m_A - M_M >= Delta", Ge(m_A - M_M, S.Delta)),
        Hypothesis("r_e >= 0", "non-negative steering", Ge(S.r_e, 0)),
    )


def theorem1_proof(rhs: sp.Expr) -> tuple[ProofStep, ...]:
    """The proof of Theorem 1 ending at ``rhs`` (a mistyped ``rhs`` makes the last step fail)."""
    r, lam, dl = r_nn, S.lam, S.Delta
    ma = M_M + dl + slack
    tilt = S.p_A / S.p_M * sp.exp(lam * r * dl)
    return (
        ProofStep(
            "Lemma 0",
            "B = (S_A - S_M)/(S_A + S_M)",
            Eq(B_r, (S_A - S_M) / (S_A + S_M)),
            definition("Lemma 0 (behavior)"),
        ),
        ProofStep(
            "tanh identity",
            "(S_A - S_M)/(S_A + S_M) = tanh(ln(S_A/S_M)/2)",
            Eq((S_A - S_M) / (S_A + S_M), sp.tanh(sp.log(S_A / S_M) / 2)),
            algebra(),
        ),
        ProofStep(
            "aligned mass",
            "S_A >= p_A e^{lam r_e m_A} (every aligned projection >= m_A)",
            Ge(S_A, S.p_A * sp.exp(lam * r * ma)),
            lemma("weighted sum >= mass * e^min"),
            chain=False,
        ),
        ProofStep(
            "misaligned mass",
            "S_M <= p_M e^{lam r_e M_M}",
            Le(S_M, S.p_M * sp.exp(lam * r * M_M)),
            lemma("weighted sum <= mass * e^max"),
            chain=False,
        ),
        ProofStep(
            "ratio + margin",
            "Lemma R with the margin (Assumption 2) and r_e >= 0",
            Ge(S_A / S_M, tilt),
            lemma(
                "ratio (Lemma R)",
                {
                    sp.Symbol("N", positive=True): S_A,
                    sp.Symbol("D_d", positive=True): S_M,
                    sp.Symbol("p_1", positive=True): S.p_A,
                    sp.Symbol("p_2", positive=True): S.p_M,
                    sp.Symbol("a", real=True): lam * r * ma,
                    sp.Symbol("b", real=True): lam * r * M_M,
                    sp.Symbol("c", real=True): lam * r * dl,
                },
            ),
            chain=False,
        ),
        ProofStep(
            "tanh monotone",
            "tanh(ln(R)/2) is increasing in R",
            Ge(sp.tanh(sp.log(S_A / S_M) / 2), sp.tanh(sp.log(tilt) / 2)),
            lemma(
                "tanh(ln R / 2) monotone",
                {sp.Symbol("R", positive=True): S_A / S_M, sp.Symbol("R_2", positive=True): tilt},
            ),
        ),
        ProofStep(
            "artanh B_0",
            "ln(p_A/p_M)/2 = artanh(B_0) (p_A + p_M = 1)",
            Eq(sp.tanh(sp.log(tilt) / 2), rhs.subs(S.r_e, r)),
            algebra(_PARAM),
        ),
    )


@cache
def theorem1() -> Result:
    b = E.theorem1()
    return Result(
        "Theorem 1",
        "verified",
        "alignment improves (hard margin)",
        theorem1_hypotheses(),
        Ge(B_r, b.expr),
        "B[P_{r_e}] >= tanh(lam Delta/2 r_e + artanh B_0) for r_e >= 0; the same expression is "
        "an upper bound for r_e <= 0 (linearized Assumption 1). Equality at r_e = 0, slope "
        "(lam Delta/2)(1 - B_0^2), tends to 1; tight in the two-cluster geometry.",
        theorem1_proof(b.expr),
        "high (~95%)",
        b,
        {S.r_e: r_nn, m_A: M_M + S.Delta + slack},
        ("The fitted slope of tanh(a r_e + b_0) is lam Delta/2, not lam Delta.",),
    )


@cache
def corollary1() -> Result:
    b = E.corollary1()
    t1 = E.theorem1().expr
    s = sp.Symbol("s_r", nonnegative=True)
    r_at = b.expr + s  # r_e = r* + s, s >= 0
    u = S.lam * S.Delta / 2
    return Result(
        "Corollary 1",
        "verified",
        "alignment guarantee",
        (
            *theorem1_hypotheses()[:4],
            Hypothesis("Theorem 1", "proved above", Ge(B_r, t1)),
            Hypothesis("eps", "0 < eps < 1, -1 < B_0 < 0"),
            Hypothesis(
                "r_e >= r*", "r* = 2/(lam Delta)(artanh(1 - eps) - artanh B_0)", Ge(S.r_e, b.expr)
            ),
        ),
        Ge(B_r, 1 - S.target_eps),
        "r_e >= r*(eps) = 2/(lam Delta)(artanh(1 - eps) - artanh B_0) = "
        "ln((2 - eps)(1 - B_0)/(eps (1 + B_0)))/(lam Delta) implies B[P_{r_e}] >= 1 - eps.",
        (
            ProofStep(
                "Theorem 1",
                "apply Theorem 1 at r_e",
                Ge(B_r, t1.subs(S.r_e, r_at)),
                hypothesis("Theorem 1"),
            ),
            ProofStep(
                "tanh monotone",
                "r_e >= r*",
                Ge(t1.subs(S.r_e, r_at), t1.subs(S.r_e, b.expr)),
                lemma(
                    "tanh monotone",
                    {
                        sp.Symbol("x", real=True): u * r_at + sp.atanh(S.B0),
                        sp.Symbol("y", real=True): u * b.expr + sp.atanh(S.B0),
                    },
                ),
            ),
            ProofStep(
                "inversion",
                "tanh(artanh(1 - eps)) = 1 - eps",
                Eq(t1.subs(S.r_e, b.expr), 1 - S.target_eps),
                algebra(),
            ),
        ),
        "high on content, medium on the printed form",
        b,
        {S.r_e: r_at},
    )


@cache
def theorem3() -> Result:
    b = E.theorem3()
    pmc = sp.Symbol("P_r(M')", nonnegative=True)
    pmm = sp.Symbol("P_r(M'')", nonnegative=True)
    r, e0 = r_nn, S.eps_mis
    margin = 1 + S.B0 - 2 * e0
    clean = sp.tanh(S.lam * S.Delta / 2 * r + sp.log(margin / (1 - S.B0)) / 2)
    mis = 2 * e0 / margin * sp.exp(S.lam * S.D * r)
    return Result(
        "Theorem 3",
        "verified",
        "alignment under a soft margin",
        (
            Hypothesis("Assumption 1", "delta = lam r_e v"),
            Hypothesis("Assumption 4", "constants (Delta, eps_mis, D)"),
            Hypothesis("r_e >= 0", "", Ge(S.r_e, 0)),
            Hypothesis("mass", "1 + B_0 > 2 eps_mis", Gt(margin, 0)),
        ),
        Ge(B_r, b.expr),
        "B >= tanh(lam Delta r_e/2 + ln((1 + B_0 - 2 eps)/(1 - B_0))/2) "
        "- 4 eps/(1 + B_0 - 2 eps) e^{lam D r_e}; equals Theorem 1 at eps_mis = 0.",
        (
            ProofStep(
                "split",
                "B = 1 - 2 P_r(M') - 2 P_r(M'')",
                Eq(B_r, 1 - 2 * pmc - 2 * pmm),
                algebra({B_r: 1 - 2 * pmc - 2 * pmm}),
            ),
            ProofStep(
                "clean part",
                "Lemma R on (A', M'), P0(A') >= (1+B_0)/2 - eps, "
                "P0(M') <= (1-B_0)/2, tanh monotone",
                Ge(1 - 2 * pmc, clean),
                lemma("ratio (Lemma R)"),
                chain=False,
            ),
            ProofStep(
                "misclassified part",
                "Lemma R on (M'', A') with the depth bound",
                Le(pmm, mis),
                lemma("ratio (Lemma R)"),
                chain=False,
            ),
            ProofStep(
                "combine",
                "add the two bounds",
                Ge(1 - 2 * pmc - 2 * pmm, clean - 2 * mis),
                lemma(
                    "add inequalities",
                    {
                        sp.Symbol("x_1", real=True): 1 - 2 * pmc,
                        sp.Symbol("y_1", real=True): clean,
                        sp.Symbol("x_2", real=True): -2 * pmm,
                        sp.Symbol("y_2", real=True): -2 * mis,
                    },
                ),
            ),
            ProofStep(
                "collect", "the stated form", Eq(clean - 2 * mis, b.expr.subs(S.r_e, r)), algebra()
            ),
        ),
        "low-medium (~40%) on the paper's exact formula",
        b,
        {S.r_e: r_nn},
    )
