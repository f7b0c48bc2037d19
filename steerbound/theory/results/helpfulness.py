"""Theorem 2 (four forms), expected helpfulness, Corollaries 2 and 3 (docs/theorem_sheet.md)."""

from __future__ import annotations

from functools import cache

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import symbols as S
from steerbound.theory.lemmas.arithmetic import y0_root
from steerbound.theory.parameters import ALPHA_DEFINITION, BETA_DEFINITION
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
from steerbound.theory.proof.sums import I, finite_sum
from steerbound.theory.results.tilted import TokenSet
from steerbound.theory.symbols import (
    H_r,
    S_minus,
    S_out,
    S_plus,
    m_G,
    m_Q,
    r_nn,
    r_np,
    s_G,
    s_Gm,
    s_Q,
    s_Qm,
)

_P, _X1, _X2 = (
    sp.Symbol("P", positive=True),
    sp.Symbol("X_1", nonnegative=True),
    sp.Symbol("X_2", nonnegative=True),
)
_Y, _Z = sp.Symbol("y", real=True), sp.Symbol("z", real=True)
_XA, _YA, _C0 = (
    sp.Symbol("x_1", real=True),
    sp.Symbol("y_1", real=True),
    sp.Symbol("c_0", nonnegative=True),
)

#: The definitions of alpha and beta used by the numeric parameters, with the minima named.
_ALPHA = ALPHA_DEFINITION.subs(sp.Min(S.Q_plus, S.Q_minus), m_Q)
_BETA = BETA_DEFINITION.subs(sp.Min(S.G_plus, S.G_minus), m_G)


def _alpha_beta_hypotheses() -> tuple[Hypothesis, ...]:
    """alpha and beta as the numeric parameters define them, with the minima named."""
    return (
        Hypothesis("alpha", "alpha = 2 min(Q+, Q-)/(1 - P0)", Eq(S.alpha, _ALPHA)),
        Hypothesis("beta", "beta = min(G+, G-)/sigma", Eq(S.beta, _BETA)),
        Hypothesis("min Q", "m_Q = min(Q+, Q-)", Eq(m_Q, sp.Min(S.Q_plus, S.Q_minus))),
        Hypothesis("min G", "m_G = min(G+, G-)", Eq(m_G, sp.Min(S.G_plus, S.G_minus))),
    )


def _frac(x: sp.Expr) -> sp.Expr:
    return S.P0 / (S.P0 + x)


def _dec(name: str, text: str, x1: sp.Expr, x2: sp.Expr, chain: bool = True) -> ProofStep:
    return ProofStep(
        name,
        text,
        Le(_frac(x1), _frac(x2)),
        lemma("P/(P+X) decreasing", {_P: S.P0, _X1: x1, _X2: x2}),
        chain,
    )


T_PLUS, T_MINUS = TokenSet("T+"), TokenSet("T-")


def _side_definitions() -> tuple[Hypothesis, ...]:
    """T+ (``x = g_t > 0``) and T- (``x = |g_t| = -g_t > 0``), both non-empty (an empty side
    has zero mass and its Jensen step is dropped)."""
    a = S.lam * S.r_e
    g = {
        S.G_plus: finite_sum(T_PLUS.P[I] * T_PLUS.x[I], T_PLUS.n) / S.Q_plus,
        S.G_minus: finite_sum(T_MINUS.P[I] * T_MINUS.x[I], T_MINUS.n) / S.Q_minus,
    }
    return (
        *T_PLUS.definitions(S_plus, S.Q_plus, a),
        *T_MINUS.definitions(S_minus, S.Q_minus, -a),
        *(Hypothesis(str(k), "P0-weighted mean distance", Eq(k, v)) for k, v in g.items()),
    )


def _jensen_step(
    name: str, ts: TokenSet, tilted: sp.Symbol, coef: sp.Expr, rhs: sp.Expr
) -> ProofStep:
    return ProofStep(
        name,
        f"sum_{{{ts.name}}} P0 e^{{a g}} >= Q e^{{a G}} (Jensen, n terms)",
        Ge(tilted, rhs),
        lemma(
            "Jensen (exp convex, n terms)",
            {"n": ts.n, "w_p": ts.P, "f": sp.Lambda(I, ts.x[I]), "c_r": coef},
        ),
        chain=False,
    )


def _t2_common() -> tuple[Hypothesis, ...]:
    return (
        Hypothesis("Assumption 1", "delta = lam r_e v (linearized)"),
        Hypothesis("T", "T = top-k set, c in T; Q+-, G+- as in docs/theorem_sheet.md"),
    )


@cache
def theorem2_forms() -> tuple[Result, ...]:
    a = S.lam * S.r_e
    jb = E.theorem2_jensen()
    plus, minus = S.Q_plus * sp.exp(a * S.G_plus), S.Q_minus * sp.exp(-a * S.G_minus)
    jensen = Result(
        "Theorem 2",
        "jensen",
        "helpfulness: Jensen form (Lemma 2a)",
        (*_t2_common(), *_side_definitions()),
        Le(H_r, jb.expr),
        "H(r_e) <= P0/(P0 + Q+ e^{lam r_e G+} + Q- e^{-lam r_e G-}) for all r_e; tight at 0 iff "
        "eps = 0; exact for k = 2.",
        (
            ProofStep(
                "Lemma 0",
                "tilting",
                Eq(H_r, _frac(S_out + S_plus + S_minus)),
                definition("Lemma 0 (helpfulness)"),
            ),
            _dec(
                "drop tail", "remove tokens outside T", S_out + S_plus + S_minus, S_plus + S_minus
            ),
            _jensen_step("Jensen +", T_PLUS, S_plus, a, plus),
            _jensen_step("Jensen -", T_MINUS, S_minus, -a, minus),
            ProofStep(
                "add",
                "both sides",
                Ge(S_plus + S_minus, plus + minus),
                lemma(
                    "add inequalities",
                    {
                        _XA: S_plus,
                        _YA: plus,
                        sp.Symbol("x_2", real=True): S_minus,
                        sp.Symbol("y_2", real=True): minus,
                    },
                ),
                chain=False,
            ),
            _dec("Jensen", "denominator bound", S_plus + S_minus, plus + minus),
        ),
        "high",
        jb,
    )
    lemma2a = Hypothesis("Lemma 2a", "Jensen form", Le(H_r, jb.expr), cites="Theorem 2 (jensen)")

    # Lemma 2b (verified parabola, alpha/2), case r_e >= 0 (r_e <= 0 is the mirror with T-).
    vb = E.theorem2_verified()
    r = r_nn
    qp, qm, gp = m_Q + s_Q, m_Q + s_Qm, m_G + s_G
    ex = qp * sp.exp(S.lam * r * gp)
    em = qm * sp.exp(-S.lam * r * S.G_minus)
    quad = qp * (1 + (S.lam * r * gp) ** 2 / 2)
    low = m_Q * (1 + (S.lam * r * m_G) ** 2 / 2)
    ab = {S.alpha: 2 * m_Q / (1 - S.P0), S.beta: m_G / S.sigma}
    hyp_ab = _alpha_beta_hypotheses()
    verified = Result(
        "Theorem 2",
        "verified",
        "helpfulness: parabolic form with alpha/2 (Lemma 2b)",
        (
            *_t2_common(),
            lemma2a,
            *hyp_ab,
            Hypothesis("r_e >= 0", "r_e <= 0: mirror with T-", Ge(S.r_e, 0)),
        ),
        Le(H_r, vb.expr),
        "H(r_e) <= P0/(P0 + (alpha/2)(1 - P0)(1 + (lam sigma beta r_e)^2/2)), deterministic; "
        "non-trivial iff T+ and T- are both non-empty (probability exactly 1 - 2/k).",
        (
            ProofStep("Lemma 2a", "Jensen form", Le(H_r, _frac(ex + em)), hypothesis("Lemma 2a")),
            _dec("drop decaying side", "remove Q- e^{-a G-} >= 0", ex + em, ex),
            ProofStep(
                "e^y >= 1 + y^2/2",
                "y = lam r_e G+ >= 0",
                Ge(sp.exp(S.lam * r * gp), 1 + (S.lam * r * gp) ** 2 / 2),
                lemma("e^y >= 1 + y^2/2", {_Y: S.lam * r * gp}),
                chain=False,
            ),
            ProofStep(
                "scale",
                "times Q+ >= 0",
                Ge(ex, quad),
                lemma(
                    "multiply by c >= 0",
                    {_XA: sp.exp(S.lam * r * gp), _YA: 1 + (S.lam * r * gp) ** 2 / 2, _C0: qp},
                ),
                chain=False,
            ),
            _dec("quadratic", "e^y >= 1 + y^2/2", ex, quad),
            _dec("minimum", "Q+ >= min Q, G+ >= min G", quad, low),
            ProofStep(
                "alpha, beta",
                "min Q = (alpha/2)(1 - P0), min G = sigma beta",
                Eq(_frac(low), vb.expr.subs(S.r_e, r)),
                algebra(ab),
            ),
        ),
        "high (0 violations)",
        vb,
        {S.r_e: r, S.Q_plus: qp, S.Q_minus: qm, S.G_plus: gp},
    )

    tb = E.theorem2_tilted()
    x, y = S.lam * S.r_e * S.G_plus, S.lam * S.r_e * S.G_minus
    z, h = (x + y) / 2, sp.exp((x - y) / 2)
    jt = qp * sp.exp(x) + qm * sp.exp(-y)
    tilted = Result(
        "Theorem 2",
        "tilted",
        "helpfulness: tilted form (Lemma 2c)",
        (*_t2_common(), lemma2a, hyp_ab[0], hyp_ab[2]),
        Le(H_r, tb.expr),
        "H <= P0/(P0 + alpha(1 - P0) e^{lam r_e (G+ - G-)/2}(1 + (lam Gbar r_e)^2/2)), all r_e.",
        (
            ProofStep("Lemma 2a", "Jensen form", Le(H_r, _frac(jt)), hypothesis("Lemma 2a")),
            _dec("min Q", "Q+- >= m = min Q", jt, m_Q * (sp.exp(x) + sp.exp(-y))),
            ProofStep(
                "cosh identity",
                "e^x + e^-y = 2 e^{(x-y)/2} cosh((x+y)/2)",
                Eq(_frac(m_Q * (sp.exp(x) + sp.exp(-y))), _frac(2 * m_Q * h * sp.cosh(z))),
                algebra(),
            ),
            ProofStep(
                "cosh",
                "cosh z >= 1 + z^2/2",
                Ge(sp.cosh(z), 1 + z**2 / 2),
                lemma("cosh z >= 1 + z^2/2", {_Z: z}),
                chain=False,
            ),
            ProofStep(
                "scale",
                "times 2 m e^{(x-y)/2} >= 0",
                Ge(2 * m_Q * h * sp.cosh(z), 2 * m_Q * h * (1 + z**2 / 2)),
                lemma("multiply by c >= 0", {_XA: sp.cosh(z), _YA: 1 + z**2 / 2, _C0: 2 * m_Q * h}),
                chain=False,
            ),
            _dec("quadratic", "cosh bound", 2 * m_Q * h * sp.cosh(z), 2 * m_Q * h * (1 + z**2 / 2)),
            ProofStep(
                "alpha",
                "2 min Q = alpha (1 - P0)",
                Eq(_frac(2 * m_Q * h * (1 + z**2 / 2)), tb.expr),
                algebra({S.alpha: ab[S.alpha]}),
            ),
        ),
        "high (0 violations)",
        tb,
        {S.Q_plus: qp, S.Q_minus: qm},
    )

    pb = E.theorem2_published()
    published = Result(
        "Theorem 2",
        "published",
        "helpfulness: the paper's parabola (T2-paper)",
        (
            *_t2_common(),
            Hypothesis("probability", "claimed with probability >= 1 - 2/k"),
            hyp_ab[0],
        ),
        Le(H_r, pb.expr),
        "H <= P0/(P0 + alpha(1 - P0)(1 + (lam sigma beta r_e)^2/2)). Its proof uses "
        "e^{aG+} + e^{-aG-} >= 2 cosh(a min G+-), false unless G+ = G-; violations only in "
        "lam sigma beta |r_e| < y0 ~ 1.319 (e^y0 = 2 + y0^2).",
        (),
        "medium (~60%) that this is the paper's form; it is false",
        pb,
    )
    return jensen, verified, tilted, published


# ------------------------------------------------ Lemma 2b for r_e < 0 (the mirror)
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
        *_alpha_beta_hypotheses(),
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


# ----------------------------------- T2-paper where it holds: lam sigma beta r_e >= y0
@cache
def theorem2_published_window() -> Result:
    """(T2-paper) holds for every geometry once ``y = lam sigma beta r_e >= y0`` (``e^y0 = 2 +
    y0^2``): keep the growing side, ``Q+ e^{a G+} >= m_Q e^{a m_G} >= m_Q (2 + (a m_G)^2)``,
    and ``2 m_Q = alpha (1 - P0)``. Case ``r_e >= 0``; ``r_e <= 0`` is the mirror with T-."""
    pb = E.theorem2_published()
    r, lam = r_nn, S.lam
    qp, qm, gp = m_Q + s_Q, m_Q + s_Qm, m_G + s_G
    ex = qp * sp.exp(lam * r * gp)
    em = qm * sp.exp(-lam * r * S.G_minus)
    low_exp = m_Q * sp.exp(lam * r * m_G)
    mid = m_Q * sp.exp(lam * r * gp)
    yv = lam * r * m_G
    quad = m_Q * (2 + yv**2)
    y0 = y0_root()[1]
    return Result(
        "Theorem 2",
        "published (lam sigma beta r_e >= y0)",
        "the paper's parabola holds outside the small-steering window",
        (
            *_t2_common(),
            Hypothesis(
                "Lemma 2a",
                "Jensen form",
                Le(H_r, E.theorem2_jensen().expr),
                cites="Theorem 2 (jensen)",
            ),
            *_alpha_beta_hypotheses(),
            Hypothesis("r_e >= 0", "r_e <= 0: mirror with T-", Ge(S.r_e, 0)),
            Hypothesis(
                "window",
                f"lam sigma beta r_e >= y0 (= {float(y0):.6f}, rounded up)",
                Ge(S.lam * S.sigma * S.beta * S.r_e, y0),
            ),
        ),
        Le(H_r, pb.expr),
        "H <= P0/(P0 + alpha(1 - P0)(1 + (lam sigma beta r_e)^2/2)) whenever "
        "lam sigma beta |r_e| >= y0 ~ 1.319: violations of T2-paper lie in the window below.",
        (
            ProofStep("Lemma 2a", "Jensen form", Le(H_r, _frac(ex + em)), hypothesis("Lemma 2a")),
            _dec("drop decaying side", "remove Q- e^{-a G-} >= 0", ex + em, ex),
            ProofStep(
                "Q+ >= min Q",
                "(m_Q + s_Q) e^{a G+} >= m_Q e^{a G+}",
                Ge(ex, mid),
                algebra(),
                chain=False,
            ),
            ProofStep(
                "G+ >= min G",
                "e^{a G+} >= e^{a m_G} (a >= 0)",
                Ge(sp.exp(lam * r * gp), sp.exp(lam * r * m_G)),
                lemma("exp monotone", {"x": lam * r * gp, "y": lam * r * m_G}),
                chain=False,
            ),
            ProofStep(
                "scale (1)",
                "times m_Q >= 0",
                Ge(mid, low_exp),
                lemma(
                    "multiply by c >= 0",
                    {_XA: sp.exp(lam * r * gp), _YA: sp.exp(lam * r * m_G), _C0: m_Q},
                ),
                chain=False,
            ),
            ProofStep(
                "combine",
                "",
                Ge(ex, low_exp),
                lemma("transitivity", {"x": ex, "y": mid, "z": low_exp}),
                chain=False,
            ),
            _dec("minimum", "Q+ e^{a G+} >= m_Q e^{a m_G}", ex, low_exp),
            ProofStep(
                "y0 window",
                "e^y >= 2 + y^2 for y = lam m_G r_e >= y0",
                Ge(sp.exp(yv), 2 + yv**2),
                lemma("e^y >= 2(1 + y^2/2) for y >= y0", {_Y: yv}),
                chain=False,
            ),
            ProofStep(
                "scale (2)",
                "times m_Q >= 0",
                Ge(low_exp, quad),
                lemma("multiply by c >= 0", {_XA: sp.exp(yv), _YA: 2 + yv**2, _C0: m_Q}),
                chain=False,
            ),
            _dec("parabola", "e^y >= 2 + y^2", low_exp, quad),
            ProofStep(
                "alpha, beta",
                "2 min Q = alpha (1 - P0), min G = sigma beta",
                Eq(_frac(quad), pb.expr.subs({S.r_e: r, S.beta: m_G / S.sigma})),
                algebra({S.alpha: 2 * m_Q / (1 - S.P0)}),
            ),
        ),
        "high (follows from Lemma 2a)",
        None,
        {S.r_e: r, S.Q_plus: qp, S.Q_minus: qm, S.G_plus: gp, S.beta: m_G / S.sigma},
    )
