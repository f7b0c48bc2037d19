"""Expected helpfulness and Corollaries 2 and 3 (THEORY.md §4, §5, §9)."""

from __future__ import annotations

from functools import cache

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import symbols as S
from steerbound.theory.results.model import Eq, Hypothesis, Le, Result


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
    verified = Result(
        "Corollary 2",
        "verified",
        "large steering: helpfulness tends to 1/k",
        (
            Hypothesis("Assumption 3", "k exchangeable continuous answers per query"),
            Hypothesis("Assumption 1", "linearized"),
        ),
        Le(lim, E.corollary2_limit().expr),
        "limsup_{r_e -> +-inf} E_q[H_q(r_e)] <= 1/k; equality when the vocabulary is "
        "restricted to the k answers.",
        (),
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


def _steps_product(form: str) -> sp.Expr:
    i, ell = (
        sp.Symbol("i", integer=True, positive=True),
        sp.Symbol("ell", integer=True, positive=True),
    )
    src = E.theorem2_verified() if form == "verified" else E.theorem2_published()
    idx = {s: sp.IndexedBase(s.name)[i] for s in (S.P0, S.alpha, S.sigma, S.beta)}
    return sp.Product(src.expr.subs(idx, simultaneous=True), (i, 1, ell))


@cache
def corollary3_forms() -> tuple[Result, ...]:
    py = sp.Symbol("P_{r_e}(y)", nonnegative=True)
    hyps = (
        Hypothesis("chain rule", "P_r(y) = prod_i P_r(y_i | q, y_<i)"),
        Hypothesis("Theorem 2 per step", "per-step P0_i, alpha_i, sigma_i, beta_i"),
    )
    verified = Result(
        "Corollary 3",
        "verified",
        "multi-token helpfulness (alpha_i/2 per step)",
        hyps,
        Le(py, _steps_product("verified")),
        "Product of Lemma 2b over the steps of the correct answer: deterministic, no union "
        "bound needed.",
        (),
        "high",
        E.theorem2_verified(),
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
