"""Theorem 1 (and its mirror for r_e <= 0) and Corollary 1 (docs/theorem_sheet.md)."""

from __future__ import annotations

from functools import cache

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import symbols as S
from steerbound.theory.proof.model import (
    Eq,
    Ge,
    Hypothesis,
    Le,
    ProofStep,
    Result,
    algebra,
    definition,
    hypothesis,
    lemma,
)
from steerbound.theory.results.tilted import TokenSet, mass_step
from steerbound.theory.symbols import (
    M_M,
    S_A,
    S_M,
    B_r,
    P_par,
    Q_par,
    m_A,
    r_nn,
    r_np,
    slack,
)

_PARAM = {
    S.p_A: P_par / (P_par + Q_par),
    S.p_M: Q_par / (P_par + Q_par),
    S.B0: (P_par - Q_par) / (P_par + Q_par),
}


A_SET, M_SET = TokenSet("A"), TokenSet("M")


def theorem1_hypotheses(sign: str = "+") -> tuple[Hypothesis, ...]:
    """Theorem 1's hypotheses for ``r_e >= 0`` (``sign="+"``) or the mirror ``r_e <= 0``."""
    coef = S.lam * S.r_e
    return (
        Hypothesis(
            "binary",
            "single next token, binary B, p_A = P0(A) in (0, 1), p_M = 1 - p_A",
            Eq(S.p_A + S.p_M, 1),
        ),
        Hypothesis("B_0", "B_0 = p_A - p_M", Eq(S.B0, S.p_A - S.p_M)),
        *A_SET.definitions(S_A, S.p_A, coef),
        *M_SET.definitions(S_M, S.p_M, coef),
        A_SET.lower(m_A),
        M_SET.upper(M_M),
        Hypothesis("Assumption 1", "linearized: delta = lam r_e v, ||delta|| = lam |r_e|"),
        Hypothesis("Assumption 2", "margin: m_A - M_M >= Delta", Ge(m_A - M_M, S.Delta)),
        Hypothesis("r_e >= 0", "non-negative steering", Ge(S.r_e, 0))
        if sign == "+"
        else Hypothesis("r_e <= 0", "non-positive steering (mirror)", Le(S.r_e, 0)),
    )


def _ratio_mapping(num: sp.Expr, den: sp.Expr, p1: sp.Expr, p2: sp.Expr, a, b, c) -> dict:  # type: ignore[no-untyped-def]
    return {"N": num, "D_d": den, "p_1": p1, "p_2": p2, "a": a, "b": b, "c": c}


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
        mass_step("aligned mass", A_SET, S_A, S.p_A, lam * r, ma, "min", "+"),
        mass_step("misaligned mass", M_SET, S_M, S.p_M, lam * r, M_M, "max", "+"),
        ProofStep(
            "ratio + margin",
            "Lemma R on (A, M) with the margin (Assumption 2) and r_e >= 0",
            Ge(S_A / S_M, tilt),
            lemma(
                "ratio (Lemma R)",
                _ratio_mapping(S_A, S_M, S.p_A, S.p_M, lam * r * ma, lam * r * M_M, lam * r * dl),
            ),
            chain=False,
        ),
        ProofStep(
            "tanh monotone",
            "tanh(ln(R)/2) is increasing in R",
            Ge(sp.tanh(sp.log(S_A / S_M) / 2), sp.tanh(sp.log(tilt) / 2)),
            lemma("tanh(ln R / 2) monotone", {"R": S_A / S_M, "R_2": tilt}),
        ),
        ProofStep(
            "artanh B_0",
            "ln(p_A/p_M)/2 = artanh(B_0) (p_A + p_M = 1)",
            Eq(sp.tanh(sp.log(tilt) / 2), rhs.subs(S.r_e, r)),
            algebra(_PARAM),
        ),
    )


def theorem1_mirror_proof(rhs: sp.Expr) -> tuple[ProofStep, ...]:
    """The mirror proof (``r_e <= 0``, upper bound): Lemma R with the roles of A and M
    swapped, every exponent coefficient ``lam r_e <= 0``."""
    r, lam, dl = r_np, S.lam, S.Delta
    ma = M_M + dl + slack
    tilt = S.p_M / S.p_A * sp.exp(-lam * r * dl)
    return (
        ProofStep(
            "Lemma 0",
            "B = (S_A - S_M)/(S_A + S_M)",
            Eq(B_r, (S_A - S_M) / (S_A + S_M)),
            definition("Lemma 0 (behavior)"),
        ),
        ProofStep(
            "tanh identity",
            "(S_A - S_M)/(S_A + S_M) = -tanh(ln(S_M/S_A)/2)",
            Eq((S_A - S_M) / (S_A + S_M), -sp.tanh(sp.log(S_M / S_A) / 2)),
            algebra(),
        ),
        mass_step("misaligned mass", M_SET, S_M, S.p_M, lam * r, M_M, "max", "-"),
        mass_step("aligned mass", A_SET, S_A, S.p_A, lam * r, ma, "min", "-"),
        ProofStep(
            "ratio (roles swapped) + margin",
            "Lemma R on (M, A): S_M/S_A >= (p_M/p_A) e^{-lam r_e Delta} for r_e <= 0",
            Ge(S_M / S_A, tilt),
            lemma(
                "ratio (Lemma R)",
                _ratio_mapping(S_M, S_A, S.p_M, S.p_A, lam * r * M_M, lam * r * ma, -lam * r * dl),
            ),
            chain=False,
        ),
        ProofStep(
            "tanh monotone",
            "-tanh(ln(R)/2) is decreasing in R",
            Le(-sp.tanh(sp.log(S_M / S_A) / 2), -sp.tanh(sp.log(tilt) / 2)),
            lemma("tanh(ln R / 2) monotone", {"R": S_M / S_A, "R_2": tilt}),
        ),
        ProofStep(
            "artanh B_0",
            "-ln(p_M/p_A)/2 = artanh(B_0) (p_A + p_M = 1)",
            Eq(-sp.tanh(sp.log(tilt) / 2), rhs.subs(S.r_e, r)),
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
        "an upper bound for r_e <= 0 (linearized Assumption 1; proved separately). Equality at "
        "r_e = 0, slope (lam Delta/2)(1 - B_0^2), tends to 1; tight in the two-cluster geometry.",
        theorem1_proof(b.expr),
        "high (~95%)",
        b,
        {S.r_e: r_nn, m_A: M_M + S.Delta + slack},
        ("The fitted slope of tanh(a r_e + b_0) is lam Delta/2, not lam Delta.",),
        {P_par: S.p_A, Q_par: S.p_M},
    )


@cache
def theorem1_mirror() -> Result:
    b = E.theorem1()
    return Result(
        "Theorem 1",
        "verified (r_e <= 0)",
        "mirror: an upper bound for non-positive steering",
        theorem1_hypotheses("-"),
        Le(B_r, b.expr),
        "B[P_{r_e}] <= tanh(lam Delta/2 r_e + artanh B_0) for r_e <= 0 under the linearized "
        "Assumption 1 (delta = lam r_e v): Lemma R with the roles of A and M swapped. Equality "
        "at r_e = 0; tends to -1 as r_e -> -inf.",
        theorem1_mirror_proof(b.expr),
        "high (~95%)",
        None,
        {S.r_e: r_np, m_A: M_M + S.Delta + slack},
        witnesses={P_par: S.p_A, Q_par: S.p_M},
    )


_T1_BASE = {"binary", "B_0", "Assumption 1", "Assumption 2"}


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
            *(h for h in theorem1_hypotheses() if h.name in _T1_BASE),
            Hypothesis("r_e >= 0", "Theorem 1's range", Ge(S.r_e, 0)),
            Hypothesis("Theorem 1", "proved above", Ge(B_r, t1), cites="Theorem 1 (verified)"),
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
