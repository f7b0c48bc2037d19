"""Theorem 6 (multi-token alignment, docs/theorem_sheet.md), proved over the aligned prefixes.

Index ``i`` runs over the aligned prefixes ``pi_i`` (length < ell) of a response. The event
"misaligned" is the disjoint union over i of "``pi_i``, then a misaligned token", so
``P_r(misaligned) = sum_i P_r(pi_i) P_r(M | pi_i)``; the prefixes of each length have total
probability <= 1, hence ``sum_i P_r(pi_i) <= ell``. At each prefix Theorem 1 holds with that
step's ``B_i = P0(A_i|pi_i) - P0(M_i|pi_i) >= B_min``.
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
    Lt,
    ProofStep,
    Result,
    algebra,
    hypothesis,
    lemma,
)
from steerbound.theory.proof.sums import I, finite_sum, length
from steerbound.theory.symbols import B_r, H_r, r_nn

n_pi = length("n_pi")
W = sp.IndexedBase("P_r(pi)", nonnegative=True)
B_i = sp.IndexedBase("B_i", real=True)
B_ir = sp.IndexedBase("B_{i,r}", real=True)
p_mis = sp.IndexedBase("P_r(M|pi)", nonnegative=True)
pmis = sp.Symbol("P_r(misaligned)", nonnegative=True)


def _side(name: str, text: str, rel: sp.Rel, lem: str, mapping: dict) -> ProofStep:  # type: ignore[type-arg]
    return ProofStep(name, text, rel, lemma(lem, mapping), chain=False)


@cache
def theorem6_forms() -> tuple[Result, ...]:
    b = E.theorem6()
    r = r_nn
    c = S.lam * S.Delta / 2 * r
    u_i, u = c + sp.atanh(B_i[I]), c + sp.atanh(S.B_min)
    per_step = (1 - sp.tanh(u)) / 2
    mass = finite_sum(W[I], n_pi)
    hyps = (
        Hypothesis("prefix-closed", "aligned iff every token aligned; length <= ell"),
        Hypothesis(
            "decomposition",
            "misaligned = disjoint union over aligned prefixes pi_i of 'pi_i, then M'",
            Eq(pmis, finite_sum(W[I] * p_mis[I], n_pi)),
        ),
        Hypothesis(
            "prefix mass", "aligned prefixes of each length < ell: mass <= 1", Le(mass, S.ell)
        ),
        Hypothesis(
            "Theorem 1 at every prefix",
            "Theorem 1's hypotheses at every aligned prefix (common lam, Delta)",
            Ge(B_ir[I], sp.tanh(S.lam * S.Delta / 2 * S.r_e + sp.atanh(B_i[I]))),
        ),
        Hypothesis(
            "Definition 1 at every prefix",
            "P_r(M | pi_i) = (1 - B_{i,r})/2",
            Eq(p_mis[I], (1 - B_ir[I]) / 2),
        ),
        Hypothesis("B_min", "B_min = min_i B_i > -1", Ge(B_i[I], S.B_min)),
        Hypothesis("B_min > -1", "", Gt(S.B_min, -1)),
        Hypothesis("B_i < 1", "misaligned tokens have positive mass", Lt(B_i[I], 1)),
        Hypothesis("Definition 1", "B = 1 - 2 P_r(misaligned)", Eq(B_r, 1 - 2 * pmis)),
        Hypothesis("r_e >= 0", "", Ge(S.r_e, 0)),
    )
    steps = (
        ProofStep(
            "Definition 1",
            "B = 1 - 2 P_r(misaligned)",
            Eq(B_r, 1 - 2 * pmis),
            hypothesis("Definition 1"),
        ),
        _side(
            "artanh monotone",
            "B_i >= B_min",
            Ge(sp.atanh(B_i[I]), sp.atanh(S.B_min)),
            "artanh monotone",
            {"x": B_i[I], "y": S.B_min},
        ),
        _side(
            "tanh monotone", "", Ge(sp.tanh(u_i), sp.tanh(u)), "tanh monotone", {"x": u_i, "y": u}
        ),
        _side(
            "Theorem 1 with B_min",
            "",
            Ge(B_ir[I], sp.tanh(u)),
            "transitivity",
            {"x": B_ir[I], "y": sp.tanh(u_i), "z": sp.tanh(u)},
        ),
        _side(
            "per step",
            "P_r(M | pi_i) <= (1 - tanh(lam Delta r_e/2 + artanh B_min))/2",
            Le(p_mis[I], per_step),
            "a - c x >= a - c y",
            {"x": sp.tanh(u), "y": B_ir[I], "a": sp.Rational(1, 2), "c_0": sp.Rational(1, 2)},
        ),
        _side("tanh <= 1", "", Le(sp.tanh(u), 1), "tanh x <= 1", {"x": u}),
        _side(
            "union bound",
            "sum over the aligned prefixes",
            Le(pmis, mass * per_step),
            "union bound (sum <= mass * max)",
            {"n": n_pi, "w": W, "f": sp.Lambda(I, p_mis[I]), "m": per_step},
        ),
        _side(
            "prefix mass <= ell",
            "",
            Ge(per_step * S.ell, per_step * mass),
            "multiply by c >= 0",
            {"x_1": S.ell, "y_1": mass, "c_0": per_step},
        ),
        _side(
            "P_r(misaligned) <= ell per step",
            "",
            Ge(S.ell * per_step, pmis),
            "transitivity",
            {"x": S.ell * per_step, "y": mass * per_step, "z": pmis},
        ),
        ProofStep(
            "1 - 2x",
            "B = 1 - 2 P_r(misaligned) >= 1 - 2 ell (per step)",
            Ge(1 - 2 * pmis, 1 - 2 * S.ell * per_step),
            lemma("a - c x >= a - c y", {"x": pmis, "y": S.ell * per_step, "a": 1, "c_0": 2}),
        ),
        ProofStep(
            "collect",
            "the stated form",
            Eq(1 - 2 * S.ell * per_step, b.expr.subs(S.r_e, r)),
            algebra(),
        ),
    )
    verified = Result(
        "Theorem 6",
        "verified",
        "multi-token alignment with B_min",
        hyps,
        Ge(B_r, b.expr),
        "B >= 1 - ell (1 - tanh(lam Delta r_e/2 + artanh B_min)); ell = 1 is Theorem 1.",
        steps,
        "medium (~60%)",
        b,
        {S.r_e: r_nn},
    )
    b0 = Result(
        "Theorem 6",
        "published",
        "multi-token alignment with the response-level B_0",
        (*hyps[:4], Hypothesis("B_0 <= B_i", "the paper's (false) per-step claim"), hyps[-1]),
        Ge(B_r, b.expr.subs(S.B_min, S.B0)),
        "The same expression fed B_0 instead of B_min; it relies on B_0 <= B_i for every step, "
        "which is false in general.",
        (),
        "false in general",
        b,
    )
    return verified, b0


# ------------------------------------------------------------------------ Corollary 3
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
