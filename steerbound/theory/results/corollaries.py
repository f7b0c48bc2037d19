"""Expected helpfulness and Corollaries 2 and 3 (THEORY.md §4, §5, §9)."""

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
from steerbound.theory.symbols import H_r


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


def _steps_product(form: str) -> sp.Product:
    """``prod_{i=1}^{ell}`` of Theorem 2's parabola (``alpha_i/2``: verified; ``alpha_i``:
    published) with per-step parameters."""
    src = E.theorem2_verified() if form == "verified" else E.theorem2_published()
    return sp.Product(src.expr.subs(_per_step(form), simultaneous=True), (_STEP, 1, _LENGTH))


@cache
def corollary3_expression() -> E.BoundExpression:
    """The per-step factor of Corollary 3's verified statement (the numeric bound multiplies
    it over the steps): read from the statement's product, not retyped."""
    factor = _steps_product("verified").function
    back = {v: k for k, v in _per_step("verified").items()}
    expr = factor.xreplace(back)
    stable = E.theorem2_verified().stable
    return E.BoundExpression(
        "corollary3_step", (S.r_e, S.P0, S.alpha, S.lam, S.sigma, S.beta), expr, stable
    )


_STEP = sp.Symbol("i", integer=True, positive=True)
_LENGTH = sp.Symbol("ell", integer=True, positive=True)
_H_STEP = sp.IndexedBase("P_r(y_i | q, y_<i)", nonnegative=True)


def _per_step(form: str) -> dict[sp.Symbol, sp.Expr]:
    return {s: sp.IndexedBase(s.name)[_STEP] for s in (S.P0, S.alpha, S.sigma, S.beta)}


@cache
def corollary3_forms() -> tuple[Result, ...]:
    py = sp.Symbol("P_{r_e}(y)", nonnegative=True)
    chain_rule = sp.Product(_H_STEP[_STEP], (_STEP, 1, _LENGTH))
    hyps = (
        Hypothesis("chain rule", "P_r(y) = prod_i P_r(y_i | q, y_<i)", Eq(py, chain_rule)),
        Hypothesis("r_e >= 0", "r_e <= 0: the same with Theorem 2's mirror", Ge(S.r_e, 0)),
    )
    verified_bound = _steps_product("verified")
    verified = Result(
        "Corollary 3",
        "verified",
        "multi-token helpfulness (alpha_i/2 per step)",
        (
            *hyps,
            Hypothesis(
                "Theorem 2 per step",
                "Lemma 2b at step i along the correct prefix (per-step P0_i, alpha_i, sigma_i, "
                "beta_i)",
                Le(_H_STEP[_STEP], E.theorem2_verified().expr.subs(_per_step("verified"))),
                cites="Theorem 2 (verified)",
                mapping={H_r: _H_STEP[_STEP], **_per_step("verified")},
            ),
        ),
        Le(py, verified_bound),
        "Product of Lemma 2b over the steps of the correct answer: deterministic, no union "
        "bound needed.",
        (
            ProofStep("chain rule", "", Eq(py, chain_rule), hypothesis("chain rule")),
            ProofStep(
                "per step",
                "0 <= P_r(y_i|.) <= bound_i, multiply the steps",
                Le(chain_rule, verified_bound),
                lemma(
                    "finite product monotone",
                    {
                        "n": _LENGTH,
                        "f": sp.Lambda(_STEP, _H_STEP[_STEP]),
                        "g": sp.Lambda(_STEP, verified_bound.function),
                    },
                ),
            ),
        ),
        "high",
        corollary3_expression(),
    )
    published = Result(
        "Corollary 3",
        "published",
        "multi-token helpfulness (alpha_i per step)",
        (*hyps, Hypothesis("probability", "claimed w.p. >= 1 - sum_i 2/k_i")),
        Le(py, _steps_product("published")),
        "Inherits the factor-2 problem of T2-paper; the union-bound probability is vacuous "
        "for ell >= k/2.",
        (),
        "~65%; false as stated",
        E.theorem2_published(),
    )
    return verified, published
