"""Helpfulness in the limits: the curvature of E[H] and Corollary 2 (docs/theorem_sheet.md)."""

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
from steerbound.theory.results import foundations as F


@cache
def expected_helpfulness() -> Result:
    b = E.expected_helpfulness()
    eh = sp.Symbol("E[H(r_e)]", nonnegative=True)
    return Result(
        "Expected helpfulness",
        "curvature",
        "quadratic decrease in expectation",
        (Hypothesis("i.i.d.", "x_t i.i.d. with variance s^2, sigma^2 = 2 s^2"),),
        Eq(eh, b.expr + sp.Order(S.r_e**3)),
        "E[H] = P0 - (lam sigma r_e)^2/2 P0 [P0(1 - P0) - sum_{t != c} P0(t)^2] + O(r_e^3): "
        "decreasing only if P0(1 - P0) > sum_{t != c} P0(t)^2.",
        (),
        "checked by MC ~1e-5",
        b,
    )


@cache
def corollary2_forms() -> tuple[Result, ...]:
    lim = sp.Symbol("limsup E_q[H_q]", nonnegative=True)
    l_both, l_min, l_max = sp.symbols("L_both L_argmin L_argmax", nonnegative=True)
    k_lim = E.corollary2_limit().expr
    weights = (F.P_both, F.P_argmin, F.P_argmax)
    split = sum((w * v for w, v in zip(weights, (l_both, l_min, l_max), strict=True)), sp.S(0))
    verified = Result(
        "Corollary 2",
        "verified",
        "large steering: helpfulness tends to 1/k",
        (
            Hypothesis("Assumption 1", "linearized"),
            Hypothesis("k >= 2", "k candidate answers", Ge(S.k, 2)),
            Hypothesis(
                "total expectation",
                "E H = sum over the disjoint events (both sides non-empty, c = arg-min, "
                "c = arg-max) of P(event) E[H | event]; limsup of a sum <= sum of the limsups "
                "L_event of the conditional expectations (r_e -> +inf; -inf swaps the roles)",
                Le(lim, split),
            ),
            Hypothesis(
                "both sides non-empty",
                "Lemma 2a's bound tends to 0 (bounded convergence)",
                Le(l_both, 0),
            ),
            Hypothesis(
                "c = arg-min (T- empty)",
                "H <= P0/(P0 + Q+ e^{lam r_e G+}) -> 0",
                Le(l_min, 0),
            ),
            Hypothesis("c = arg-max (T+ empty)", "H <= 1", Le(l_max, 1)),
            Hypothesis(
                "P(both sides)",
                "Assumption 3 (both sides)",
                Eq(F.P_both, E.assumption3_both_sides().expr),
                cites="Assumption 3 (both sides)",
            ),
            Hypothesis(
                "P(arg-max)",
                "Assumption 3 (arg-min) applied to -x",
                Eq(F.P_argmax, E.assumption3_argmin().expr),
                cites="Assumption 3 (arg-min)",
                mapping={F.P_argmin: F.P_argmax},
            ),
        ),
        Le(lim, k_lim),
        "limsup_{r_e -> +-inf} E_q[H_q(r_e)] <= 1/k; equality when the vocabulary is "
        "restricted to the k answers.",
        (
            ProofStep("total expectation", "", Le(lim, split), hypothesis("total expectation")),
            ProofStep(
                "limits",
                "L_both <= 0, L_argmin <= 0, L_argmax <= 1, weights >= 0",
                Le(split, F.P_argmax),
                lemma(
                    "weighted sum (3 terms)",
                    {
                        "x_1": l_both,
                        "x_2": l_min,
                        "x_3": l_max,
                        "y_1": 0,
                        "y_2": 0,
                        "y_3": 1,
                        "w_1": F.P_both,
                        "w_2": F.P_argmin,
                        "w_3": F.P_argmax,
                    },
                ),
            ),
            ProofStep(
                "Assumption 3",
                "P(c = arg-max) = 1/k",
                Eq(F.P_argmax, k_lim),
                algebra({F.P_argmax: E.assumption3_argmin().expr}),
            ),
        ),
        "high (~85%)",
        E.corollary2_limit(),
    )
    curve = sp.Symbol("E_q[H_q(r_e)]", nonnegative=True)
    heuristic = Result(
        "Corollary 2",
        "published",
        "the fitted curve (1 - 2/k) T2paper + 1/k as a bound",
        (Hypothesis("Assumption 3", "k answers"),),
        Le(curve, E.corollary2_heuristic().expr),
        "The paper's fitted curve replaces two sigmoid terms by 1/k: a heuristic, not a bound.",
        (),
        "not a bound",
        E.corollary2_heuristic(),
    )
    return verified, heuristic
