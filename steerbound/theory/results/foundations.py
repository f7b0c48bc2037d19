"""Definition 1, Lemma 0, Assumptions 1-4 and Proposition 1 (docs/theorem_sheet.md)."""

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
    hypothesis,
    lemma,
)
from steerbound.theory.proof.sums import I, finite_sum
from steerbound.theory.symbols import M_M, S_A, S_M, B_r, H_r, S_minus, S_out, S_plus, m_A

#: Definition 1's symbols: B[P], P(A), P(M).
B_P = sp.Symbol("B[P]", real=True)
P_A = sp.Symbol("P(A)", nonnegative=True)
P_M = sp.Symbol("P(M)", nonnegative=True)
P_A_r = sp.Symbol("P_{r_e}(A)", nonnegative=True)
W_c = sp.Symbol("W", nonnegative=True)  # sum_{t != c} P0(t) e^{<u_t, delta>}
x_c = sp.Symbol("x_c", real=True)  # <u_c, v>
a_r = S.lam * S.r_e


@cache
def definition1() -> Result:
    return Result(
        "Definition 1",
        "",
        "behavior expectation",
        (
            Hypothesis(
                "expectation",
                "B[P] = sum_s P(s) B(s) with B = +1 on A, -1 on M = B^-1(-1)",
                Eq(B_P, P_A * 1 + P_M * (-1)),
            ),
            Hypothesis("binary score", "A and M partition the strings", Eq(P_A + P_M, 1)),
        ),
        Eq(B_P, 2 * P_A - 1),
        "B[P] = sum_s P(s) B(s) in [-1, 1]; for binary B it is P(A) - P(M) = 2 P(A) - 1. "
        "Helpfulness H_q(r_e) = P_{r_e}(correct answer | q).",
        (
            ProofStep(
                "expectation",
                "P(A)*(+1) + P(M)*(-1)",
                Eq(B_P, P_A - P_M),
                hypothesis("expectation"),
            ),
            ProofStep(
                "partition", "P(M) = 1 - P(A)", Eq(P_A - P_M, 2 * P_A - 1), algebra({P_M: 1 - P_A})
            ),
        ),
        confidence="high",
    )


@cache
def lemma0_behavior() -> Result:
    return Result(
        "Lemma 0",
        "behavior",
        "exponential tilting (binary behavior)",
        (
            Hypothesis(
                "tilting",
                "P_r(t) = P0(t) e^<u_t,delta> / sum_s P0(s) e^<u_s,delta>, summed over A",
                Eq(P_A_r, S_A / (S_A + S_M)),
            ),
            Hypothesis(
                "Definition 1",
                "B[P_r] = 2 P_r(A) - 1",
                Eq(B_r, 2 * P_A_r - 1),
                cites="Definition 1",
                mapping={B_P: B_r, P_A: P_A_r},
            ),
        ),
        Eq(B_r, (S_A - S_M) / (S_A + S_M)),
        "With S_X = sum_{t in X} P0(t) e^<u_t, delta>, B[P_r] = P_r(A) - P_r(M) = "
        "(S_A - S_M)/(S_A + S_M).",
        (
            ProofStep(
                "Definition 1",
                "B = 2 P_r(A) - 1",
                Eq(B_r, 2 * P_A_r - 1),
                hypothesis("Definition 1"),
            ),
            ProofStep(
                "tilting",
                "P_r(A) = S_A/(S_A + S_M); common denominator",
                Eq(2 * P_A_r - 1, (S_A - S_M) / (S_A + S_M)),
                algebra({P_A_r: S_A / (S_A + S_M)}),
            ),
        ),
        confidence="exact",
    )


@cache
def lemma0_helpfulness() -> Result:
    e_c = sp.exp(a_r * x_c)
    return Result(
        "Lemma 0",
        "helpfulness",
        "exponential tilting (helpfulness)",
        (
            Hypothesis(
                "tilting",
                "P_r(c) = P0 e^{a x_c}/(P0 e^{a x_c} + W), W = sum_{t != c} P0(t) e^{a x_t}",
                Eq(H_r, S.P0 * e_c / (S.P0 * e_c + W_c)),
            ),
            Hypothesis(
                "split",
                "W = e^{a x_c} (S_out + S_+ + S_-): g_t = x_t - x_c, S_X = sum_X P0(t) e^{a g_t} "
                "over the tokens outside T (and ties), T+ (g_t > 0) and T- (g_t < 0)",
                Eq(W_c, e_c * (S_out + S_plus + S_minus)),
            ),
        ),
        Eq(H_r, S.P0 / (S.P0 + S_out + S_plus + S_minus)),
        "H = P0 / (P0 + sum_{t != c} P0(t) e^{a g_t}), split into tokens outside T (and ties "
        "g_t = 0), S_out, and the sides S_+ (g_t > 0), S_- (g_t < 0).",
        (
            ProofStep(
                "tilting",
                "Lemma 0 at c",
                Eq(H_r, S.P0 * e_c / (S.P0 * e_c + W_c)),
                hypothesis("tilting"),
            ),
            ProofStep(
                "divide by e^{a x_c}",
                "W e^{-a x_c} = S_out + S_+ + S_-",
                Eq(S.P0 * e_c / (S.P0 * e_c + W_c), S.P0 / (S.P0 + S_out + S_plus + S_minus)),
                algebra({W_c: e_c * (S_out + S_plus + S_minus)}),
            ),
        ),
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
    return a1, a2, *assumption3(), a4


#: Assumption 3's events: c is the arg-min / arg-max of the k projections; T+ and T- both
#: non-empty; and the probability that the i-th token of T is the arg-min.
P_argmin = sp.Symbol("P(c = arg-min)", nonnegative=True)
P_argmax = sp.Symbol("P(c = arg-max)", nonnegative=True)
P_both = sp.Symbol("P(T+ and T- non-empty)", nonnegative=True)
p_argmin = sp.IndexedBase("P(t_i = arg-min)", nonnegative=True)


@cache
def assumption3() -> tuple[Result, Result]:
    """Assumption 3 and its two consequences for every k >= 2, proved."""
    k = S.k
    total = finite_sum(p_argmin[I], k)
    argmin = E.assumption3_argmin().expr
    hyps = (
        Hypothesis(
            "exchangeable",
            "the k projections x_t = <u_t, v>, t in T, are exchangeable (c in T): every token of "
            "T is the arg-min with the same probability",
            Eq(p_argmin[I], P_argmin),
        ),
        Hypothesis(
            "continuous",
            "a continuous joint law: ties have probability 0, so exactly one token is the arg-min",
            Eq(total, 1),
        ),
        Hypothesis("k >= 2", "T has at least two tokens", Ge(k, 2)),
    )
    first = Result(
        "Assumption 3",
        "arg-min",
        "random projections: P(c is the arg-min) = 1/k",
        hyps,
        Eq(P_argmin, argmin),
        "T = top-k set with mass >= 1 - eps containing c; x_t exchangeable and continuous; "
        "g_t = x_t - x_c; sigma^2 = Var g_t (= 2 Var x for i.i.d. x). Each of the k tokens is "
        "the arg-min with the same probability, and these k events partition the sample space.",
        (
            ProofStep("partition", "", Eq(total, 1), hypothesis("continuous"), chain=False),
            ProofStep(
                "exchangeable",
                "k equal terms",
                Eq(total, k * P_argmin),
                algebra({p_argmin[I]: P_argmin}),
                chain=False,
            ),
            ProofStep(
                "k P = 1",
                "",
                Eq(k * P_argmin, 1),
                lemma("equal to the same", {"x_1": total, "y_1": k * P_argmin, "y_2": 1}),
                chain=False,
            ),
            ProofStep(
                "divide by k",
                "",
                Eq(P_argmin, argmin),
                lemma("divide by c > 0", {"x_1": P_argmin, "y_1": 1, "c_p": k}),
            ),
        ),
        "medium",
    )
    both = E.assumption3_both_sides().expr
    second = Result(
        "Assumption 3",
        "both sides",
        "random projections: P(T+ and T- both non-empty) = 1 - 2/k",
        (
            Hypothesis("k >= 2", "T has at least two tokens", Ge(k, 2)),
            Hypothesis(
                "events",
                "T- is empty iff c is the arg-min, T+ iff c is the arg-max; for k >= 2 the two "
                "events are disjoint (ties have probability 0)",
                Eq(P_both, 1 - P_argmin - P_argmax),
            ),
            Hypothesis(
                "arg-min",
                "Assumption 3 (arg-min)",
                Eq(P_argmin, argmin),
                cites="Assumption 3 (arg-min)",
            ),
            Hypothesis(
                "arg-max",
                "Assumption 3 (arg-min) applied to -x (exchangeable and continuous too)",
                Eq(P_argmax, argmin),
                cites="Assumption 3 (arg-min)",
                mapping={P_argmin: P_argmax},
            ),
        ),
        Eq(P_both, both),
        "The bound of Lemma 2b is non-trivial iff T+ and T- are both non-empty: probability "
        "exactly 1 - 2/k under Assumption 3.",
        (
            ProofStep("complement", "", Eq(P_both, 1 - P_argmin - P_argmax), hypothesis("events")),
            ProofStep(
                "1/k each",
                "",
                Eq(1 - P_argmin - P_argmax, both),
                algebra({P_argmin: argmin, P_argmax: argmin}),
            ),
        ),
        "medium",
    )
    return first, second


#: Proposition 1's symbols: the logits z_j, their change w_j = <u_j, d> along a direction d
#: of the hidden state, the pair (y+, y-), the DPO constants, and the loss derivative.
z_l = sp.IndexedBase("z", real=True)
w_l = sp.IndexedBase("w", real=True)
n_vocab = sp.Symbol("n_V", integer=True, positive=True)
y_plus, y_minus = sp.symbols("y_+ y_-", integer=True, positive=True)
beta_p, c_ref = sp.symbols("beta_p c_ref", positive=True)
t_dir = sp.Symbol("t", real=True)
kappa = sp.Symbol("kappa", positive=True)
dL = sp.Symbol("<grad_h L, d>", real=True)


def _log_p(y: sp.Expr) -> sp.Expr:
    """``log P(y | h + t d)`` for the softmax over ``n_V`` tokens."""
    j = sp.Symbol("j", integer=True, positive=True)
    norm = sp.Sum(sp.exp(z_l[j] + t_dir * w_l[j]), (j, 1, n_vocab))
    return z_l[y] + t_dir * w_l[y] - sp.log(norm)


def dpo_loss() -> sp.Expr:
    """``-log sigma(beta_p [log P(y+) - log P(y-)] - c_ref)`` at ``h + t d``."""
    margin = beta_p * (_log_p(y_plus) - _log_p(y_minus)) - c_ref
    return sp.log(1 + sp.exp(-margin))


@cache
def proposition1() -> Result:
    z = z_l[y_plus] - z_l[y_minus]
    kappa_def = beta_p / (1 + sp.exp(-(c_ref - beta_p * z)))
    return Result(
        "Proposition 1",
        "",
        "one preference-learning step is a steering step",
        (
            Hypothesis(
                "pairwise loss",
                "L = -log sigma(beta_p [log P(y+) - log P(y-)] - c_ref), softmax over n_V tokens",
            ),
            Hypothesis(
                "directional derivative",
                "<grad_h L, d> = d/dt L(h + t d) at t = 0, w_j = <u_j, d>",
                Eq(dL, sp.Subs(sp.Derivative(dpo_loss(), t_dir), t_dir, 0)),
            ),
            Hypothesis(
                "kappa",
                "kappa = beta_p sigma(c_ref - beta_p z), z = z_+ - z_-",
                Eq(kappa, kappa_def),
            ),
        ),
        Eq(dL, -kappa * (w_l[y_plus] - w_l[y_minus])),
        "h <- h - eta grad_h L is steering with r_e = eta and vector -grad_h L; at the last layer "
        "grad_h L = -kappa (u_{y+} - u_{y-}) (for every direction d: <grad_h L, d> = -kappa "
        "(w_+ - w_-)), kappa = beta_p sigma(c_ref - beta_p z) > 0; the log-normaliser cancels. "
        "For a weight update of h = W a the coefficient is eta ||a||^2, not eta.",
        (
            ProofStep(
                "chain rule",
                "differentiate along d",
                Eq(dL, sp.Subs(sp.Derivative(dpo_loss(), t_dir), t_dir, 0)),
                hypothesis("directional derivative"),
            ),
            ProofStep(
                "log Z cancels",
                "d/dt at 0; sigma' = sigma (1 - sigma)",
                Eq(
                    sp.Subs(sp.Derivative(dpo_loss(), t_dir), t_dir, 0),
                    -kappa * (w_l[y_plus] - w_l[y_minus]),
                ),
                algebra({kappa: kappa_def}),
            ),
        ),
        confidence="~80%",
    )
