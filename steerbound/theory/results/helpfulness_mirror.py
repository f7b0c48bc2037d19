"""Lemma 2b (verified parabolic Theorem 2) for r_e < 0: the mirror of the r_e >= 0 case, with
the roles of T+ and T- exchanged (THEORY.md §4: "the case a < 0 is symmetric with T-")."""

from __future__ import annotations

from functools import cache

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import symbols as S
from steerbound.theory.parameters import ALPHA_DEFINITION, BETA_DEFINITION
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
from steerbound.theory.results.helpfulness import _dec, _frac, _t2_common
from steerbound.theory.symbols import H_r, m_G, m_Q, r_np, s_Gm, s_Q, s_Qm

#: The definitions of alpha and beta used by the numeric parameters, with the minima named.
_ALPHA = ALPHA_DEFINITION.subs(sp.Min(S.Q_plus, S.Q_minus), m_Q)
_BETA = BETA_DEFINITION.subs(sp.Min(S.G_plus, S.G_minus), m_G)


@cache
def theorem2_verified_negative() -> Result:
    """Drop the T+ term (it decays for r_e < 0), keep Q- e^{-lam r_e G-} with
    ``y = -lam r_e G- >= 0``, then ``e^y >= 1 + y^2/2``, ``Q- >= min Q``, ``G- >= min G``."""
    vb = E.theorem2_verified()
    r, lam = r_np, S.lam
    qp, qm, gm = m_Q + s_Q, m_Q + s_Qm, m_G + s_Gm
    y = -lam * r * gm
    ex = qp * sp.exp(lam * r * S.G_plus)  # decays for r_e < 0
    em = qm * sp.exp(y)
    quad = qm * (1 + y**2 / 2)
    low = m_Q * (1 + (lam * r * m_G) ** 2 / 2)
    ab = {S.alpha: 2 * m_Q / (1 - S.P0), S.beta: m_G / S.sigma}
    jb = E.theorem2_jensen()
    hyps = (
        *_t2_common(),
        Hypothesis("Lemma 2a", "Jensen form", Le(H_r, jb.expr), cites="Theorem 2 (jensen)"),
        Hypothesis("alpha", "alpha = 2 min(Q+, Q-)/(1 - P0)", Eq(S.alpha, _ALPHA)),
        Hypothesis("beta", "beta = min(G+, G-)/sigma", Eq(S.beta, _BETA)),
        Hypothesis("min Q", "m_Q = min(Q+, Q-)", Eq(m_Q, sp.Min(S.Q_plus, S.Q_minus))),
        Hypothesis("min G", "m_G = min(G+, G-)", Eq(m_G, sp.Min(S.G_plus, S.G_minus))),
        Hypothesis("r_e < 0", "negative steering (mirror of r_e >= 0)", Le(S.r_e, 0)),
    )
    steps = (
        ProofStep("Lemma 2a", "Jensen form", Le(H_r, _frac(ex + em)), hypothesis("Lemma 2a")),
        _dec("drop decaying side", "remove Q+ e^{lam r_e G+} >= 0", ex + em, em),
        ProofStep(
            "e^y >= 1 + y^2/2",
            "y = -lam r_e G- >= 0",
            Ge(sp.exp(y), 1 + y**2 / 2),
            lemma("e^y >= 1 + y^2/2", {"y": y}),
            chain=False,
        ),
        ProofStep(
            "scale",
            "times Q- >= 0",
            Ge(em, quad),
            lemma("multiply by c >= 0", {"x_1": sp.exp(y), "y_1": 1 + y**2 / 2, "c_0": qm}),
            chain=False,
        ),
        _dec("quadratic", "e^y >= 1 + y^2/2", em, quad),
        _dec("minimum", "Q- >= min Q, G- >= min G", quad, low),
        ProofStep(
            "alpha, beta",
            "min Q = (alpha/2)(1 - P0), min G = sigma beta",
            Eq(_frac(low), vb.expr.subs(S.r_e, r)),
            algebra(ab),
        ),
    )
    return Result(
        "Theorem 2",
        "verified (r_e < 0)",
        "helpfulness: parabolic form with alpha/2 (Lemma 2b), negative steering",
        hyps,
        Le(H_r, vb.expr),
        "The same bound for r_e < 0, by the symmetric argument on T-: "
        "H <= P0/(P0 + (alpha/2)(1 - P0)(1 + (lam sigma beta r_e)^2/2)).",
        steps,
        "high (0 violations)",
        None,
        {S.r_e: r, S.Q_plus: qp, S.Q_minus: qm, S.G_minus: gm},
    )
