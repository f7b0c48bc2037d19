"""Definition 1, Lemma 0, Assumptions 1-4 and Proposition 1 (THEORY.md §0, §1, §7)."""

from __future__ import annotations

from functools import cache

import sympy as sp

from steerbound.theory import symbols as S
from steerbound.theory.results.common import M_M, S_A, S_M, B_r, H_r, S_minus, S_out, S_plus, m_A
from steerbound.theory.results.model import Eq, Ge, Hypothesis, Le, ProofStep, Result, algebra

P_A_r = sp.Symbol("P_{r_e}(A)", nonnegative=True)


@cache
def definition1() -> Result:
    p_a = sp.Symbol("P(A)", nonnegative=True)
    b = sp.Symbol("B[P]", real=True)
    return Result(
        "Definition 1",
        "",
        "behavior expectation",
        (Hypothesis("binary score", "B: strings -> {-1, +1}, aligned = +1; A = B^-1(+1)"),),
        Eq(b, 2 * p_a - 1),
        "B[P] = sum_s P(s) B(s) in [-1, 1]; for binary B it is P(A) - P(M) = 2 P(A) - 1. "
        "Helpfulness H_q(r_e) = P_{r_e}(correct answer | q).",
        (
            ProofStep(
                "binary",
                "P(A)*(+1) + (1 - P(A))*(-1) = 2 P(A) - 1",
                Eq(b, p_a - (1 - p_a)),
                algebra({b: 2 * p_a - 1}),
            ),
            ProofStep("simplify", "collect", Eq(p_a - (1 - p_a), 2 * p_a - 1), algebra()),
        ),
        confidence="high",
    )


@cache
def lemma0_behavior() -> Result:
    return Result(
        "Lemma 0",
        "behavior",
        "exponential tilting (binary behavior)",
        (Hypothesis("Lemma 0", "P_r(t) = P0(t) e^<u_t,delta> / sum_s P0(s) e^<u_s,delta>"),),
        Eq(B_r, (S_A - S_M) / (S_A + S_M)),
        "With S_X = sum_{t in X} P0(t) e^<u_t, delta>, B[P_r] = P_r(A) - P_r(M) = "
        "(S_A - S_M)/(S_A + S_M).",
        (
            ProofStep(
                "Definition 1",
                "B = 2 P_r(A) - 1 with P_r(A) = S_A/(S_A + S_M)",
                Eq(B_r, 2 * S_A / (S_A + S_M) - 1),
                algebra({B_r: (S_A - S_M) / (S_A + S_M)}),
            ),
            ProofStep(
                "simplify",
                "common denominator",
                Eq(2 * S_A / (S_A + S_M) - 1, (S_A - S_M) / (S_A + S_M)),
                algebra(),
            ),
        ),
        confidence="exact",
    )


@cache
def lemma0_helpfulness() -> Result:
    return Result(
        "Lemma 0",
        "helpfulness",
        "exponential tilting (helpfulness)",
        (Hypothesis("Lemma 0", "tilted law; T = top-k set, g_t = <u_t - u_c, v>"),),
        Eq(H_r, S.P0 / (S.P0 + S_out + S_plus + S_minus)),
        "H = P0 / (P0 + sum_{t != c} P0(t) e^{a g_t}), split into tokens outside T (and ties "
        "g_t = 0), S_out, and the sides S_+ (g_t > 0), S_- (g_t < 0).",
        confidence="exact",
    )


@cache
def assumptions() -> tuple[Result, ...]:
    norm = sp.Symbol("||delta(r_e)||", nonnegative=True)
    p_e = sp.Symbol("P0(E)", nonnegative=True)
    a1 = Result(
        "Assumption 1",
        "",
        "linear response of the last layer",
        (Hypothesis("small r_e", "|r_e| small; linearized: delta(r_e) = lam r_e v"),),
        Eq(norm, S.lam * sp.Abs(S.r_e)),
        "||delta(r_e)|| = lam |r_e| with lam > 0; linearized form delta = lam r_e v with "
        "a fixed unit v, so delta_hat = sign(r_e) v.",
        confidence="high",
    )
    a2 = Result(
        "Assumption 2",
        "",
        "hard margin",
        (Hypothesis("delta_hat = v", "direction for r_e > 0"),),
        Ge(m_A - M_M, S.Delta),
        "min_{a in A, m in M} <u_a - u_m, v> >= Delta > 0.",
        confidence="high",
    )
    a3 = Result(
        "Assumption 3",
        "",
        "random projections on the top-k tokens",
        (Hypothesis("exchangeable", "x_t = <u_t, v>, t in T, exchangeable and continuous"),),
        Eq(sp.Symbol("Pr[T+ and T- non-empty]"), 1 - 2 / S.k),
        "T = top-k set with mass >= 1 - eps containing c; g_t = x_t - x_c; "
        "sigma^2 = Var g_t (= 2 Var x for i.i.d. x).",
        confidence="medium",
    )
    a4 = Result(
        "Assumption 4",
        "",
        "soft margin",
        (Hypothesis("misclassified set", "E with P0(E) <= eps_mis; A' = A\\E, M' = M\\E"),),
        Le(p_e, S.eps_mis),
        "Margin Delta on the clean tokens A', M'; misclassified misaligned tokens "
        "penetrate the aligned cluster by at most a depth D.",
        confidence="medium-low",
    )
    return a1, a2, a3, a4


@cache
def proposition1() -> Result:
    grad = sp.Symbol("grad_h L", real=True)
    kappa = sp.Symbol("kappa", positive=True)
    du = sp.Symbol("(u_{y+} - u_{y-})", real=True)
    return Result(
        "Proposition 1",
        "",
        "one preference-learning step is a steering step",
        (
            Hypothesis("pairwise loss", "L = -log sigma(beta_p [log P(y+) - log P(y-)] - c_ref)"),
            Hypothesis("representations", "the hidden representations h_l are the variables"),
        ),
        Eq(grad, -kappa * du),
        "h <- h - eta grad_h L is steering with r_e = eta and vector -grad_h L; at the last layer "
        "grad_h L = -kappa (u_{y+} - u_{y-}), kappa = beta_p sigma(c_ref - beta_p z) > 0. For a "
        "weight update of h = W a the coefficient is eta ||a||^2, not eta.",
        confidence="~80%",
    )
