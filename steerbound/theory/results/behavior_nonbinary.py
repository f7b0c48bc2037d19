"""Theorems 4 and 5 (non-binary scores) and Theorem 6 (multi-token) (THEORY.md §8, §9)."""

from __future__ import annotations

from functools import cache

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import symbols as S
from steerbound.theory.results.common import B_r, r_nn
from steerbound.theory.results.model import (
    Eq,
    Ge,
    Gt,
    Hypothesis,
    Le,
    ProofStep,
    Result,
    algebra,
    lemma,
)

_ms, _ns = sp.Symbol("m_s", nonnegative=True), sp.Symbol("n_s", nonnegative=True)


@cache
def theorem4_forms() -> tuple[Result, ...]:
    x = S.lam * S.Delta * r_nn
    mu = S.p_minus / S.p_plus * sp.exp(-x)
    nu = S.p_zero / S.p_plus * sp.exp(-x)
    m, n = sp.Symbol("m", nonnegative=True), sp.Symbol("n", nonnegative=True)
    hyps = (
        Hypothesis("Assumption 1", "delta = lam r_e v"),
        Hypothesis("margin", "v separates A (+1) from M (-1) and N (0) with margin Delta"),
        Hypothesis("masses", "p+ + p- + p0 = 1", Eq(S.p_plus + S.p_minus + S.p_zero, 1)),
        Hypothesis("r_e >= 0", "", Ge(S.r_e, 0)),
    )
    vb = E.theorem4_verified()
    f = (1 - m) / (1 + m + n)
    first = (1 - mu) / (1 + mu + nu)
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
                "B = (1 - m)/(1 + m + n), m = S_M/S_A <= mu, n = S_N/S_A <= nu",
                Eq(B_r, f),
                algebra({B_r: f}),
            ),
            ProofStep(
                "worst case",
                "(1-m)/(1+m+n) decreases in m, and in n when mu <= 1; "
                "for mu > 1 the worst case n = 0 gives (1 - mu)/(1 + mu) (Lemma R: m <= mu, "
                "n <= nu)",
                Ge(f, vb.expr.subs(S.r_e, r_nn)),
                lemma("(1-m)/(1+m+n) monotone"),
            ),
            ProofStep(
                "first term",
                "(1 - mu)/(1 + mu + nu) in the masses",
                Eq(
                    first,
                    (S.p_plus * sp.exp(x) - S.p_minus)
                    / (S.p_plus * sp.exp(x) + S.p_minus + S.p_zero),
                ),
                algebra(),
                chain=False,
            ),
            ProofStep(
                "second term",
                "(1 - mu)/(1 + mu) = tanh(x/2 + ln(p+/p-)/2)",
                Eq((1 - mu) / (1 + mu), sp.tanh(x / 2 + sp.log(S.p_plus / S.p_minus) / 2)),
                algebra(),
                chain=False,
            ),
        ),
        "medium (~55%) on the paper's form; the min form is always valid",
        vb,
        {S.r_e: r_nn},
    )
    pb = E.theorem4_published()
    published = Result(
        "Theorem 4",
        "published",
        "trinary score, closed form (T4-closed)",
        hyps,
        Ge(B_r, pb.expr),
        "B >= (p+(e^x - 1) + B_0)/(p+(e^x - 1) + 1); valid only where it is >= 0 "
        "(p+ e^x >= p-); fails for B_0 < 0.",
        (),
        "medium (~55%); false for B_0 < 0",
        pb,
    )
    return verified, published


@cache
def theorem5() -> Result:
    b = E.theorem5()
    rr = sp.Symbol("R", positive=True)
    x = S.lam * S.Delta * r_nn
    p, q, bt = S.p_ge, 1 - S.p_ge, S.b_thr
    worst = (bt * rr - 1) / (rr + 1)
    ratio = p / q * sp.exp(x)
    return Result(
        "Theorem 5",
        "verified",
        "general score in [-1, 1] with threshold b",
        (
            Hypothesis("margin", "v separates {B >= b} from {B < b} with margin Delta"),
            Hypothesis("b", "-1 < b <= 1", Gt(bt, -1)),
            Hypothesis("r_e >= 0", "", Ge(S.r_e, 0)),
        ),
        Ge(B_r, b.expr),
        "B >= (b p e^x - (1 - p))/(p e^x + (1 - p)) = (1+b)/2 tanh(x/2 + ln(p/(1-p))/2) - (1-b)/2; "
        "tends to b, value b p - (1 - p) <= B_0 at r_e = 0.",
        (
            ProofStep(
                "worst-case scores",
                "b on the upper group, -1 on the lower: E B >= (bR-1)/(R+1)",
                Ge(B_r, worst),
                algebra({B_r: worst}),
            ),
            ProofStep(
                "monotone in R",
                "R >= (p/(1-p)) e^x by Lemma R",
                Ge(worst, worst.subs(rr, ratio)),
                lemma("(bR-1)/(R+1) increasing"),
            ),
            ProofStep(
                "collect",
                "the stated form",
                Eq(worst.subs(rr, ratio), b.expr.subs(S.r_e, r_nn)),
                algebra(),
            ),
        ),
        "~70%",
        b,
        {S.r_e: r_nn},
    )


@cache
def theorem6_forms() -> tuple[Result, ...]:
    b = E.theorem6()
    pmis = sp.Symbol("P_r(misaligned)", nonnegative=True)
    step = sp.Symbol("P_r(M_i|.)", nonnegative=True)
    u = S.lam * S.Delta / 2 * r_nn + sp.atanh(S.B_min)
    per_step = (1 - sp.tanh(u)) / 2
    hyps = (
        Hypothesis("prefix-closed", "aligned iff every token aligned; length <= ell"),
        Hypothesis("per step", "Theorem 1's hypotheses at every step and aligned prefix"),
        Hypothesis("B_min", "B_min = min_{i, prefix} (P0(A_i|.) - P0(M_i|.)) > -1"),
        Hypothesis("r_e >= 0", "", Ge(S.r_e, 0)),
    )
    verified = Result(
        "Theorem 6",
        "verified",
        "multi-token alignment with B_min",
        hyps,
        Ge(B_r, b.expr),
        "B >= 1 - ell (1 - tanh(lam Delta r_e/2 + artanh B_min)); ell = 1 is Theorem 1.",
        (
            ProofStep(
                "Definition 1",
                "B = 1 - 2 P_r(misaligned)",
                Eq(B_r, 1 - 2 * pmis),
                algebra({B_r: 1 - 2 * pmis}),
            ),
            ProofStep(
                "per step",
                "Theorem 1 at each step with B_i >= B_min",
                Le(step, per_step),
                lemma("tanh monotone"),
                chain=False,
            ),
            ProofStep(
                "union bound",
                "P_r(misaligned) <= sum over <= ell steps",
                Ge(1 - 2 * pmis, 1 - 2 * S.ell * per_step),
                lemma("union bound"),
            ),
            ProofStep(
                "collect",
                "the stated form",
                Eq(1 - 2 * S.ell * per_step, b.expr.subs(S.r_e, r_nn)),
                algebra(),
            ),
        ),
        "medium (~60%)",
        b,
        {S.r_e: r_nn},
    )
    b0 = Result(
        "Theorem 6",
        "published",
        "multi-token alignment with the response-level B_0",
        (*hyps[:2], Hypothesis("B_0 <= B_i", "the paper's (false) per-step claim"), hyps[3]),
        Ge(B_r, b.expr.subs(S.B_min, S.B0)),
        "The same expression fed B_0 instead of B_min; it relies on B_0 <= B_i for every step, "
        "which is false in general.",
        (),
        "false in general",
        b,
    )
    return verified, b0
