"""Theorem 3: alignment under a soft margin (docs/theorem_sheet.md), proved step by step.

Token sets: ``A'`` (clean aligned, min projection ``m_A'``), ``M'`` (clean misaligned, max
``M_M'``), ``M''`` (misclassified misaligned, max ``M_M''``); the rest of the vocabulary
(misclassified aligned tokens) has tilted mass ``S_rest >= 0``. The margin
``m_A' - M_M' >= Delta`` and the depth ``M_M'' - m_A' <= D`` are parametrised by slacks.
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
    ProofStep,
    Result,
    algebra,
    hypothesis,
    lemma,
)
from steerbound.theory.results.tilted import TokenSet, mass_step
from steerbound.theory.symbols import B_r, r_nn, slack

AC, MC, MM = TokenSet("Ac"), TokenSet("Mc"), TokenSet("Mm")
S_Ac, S_Mc, S_Mm = sp.symbols("S_A' S_M' S_M''", positive=True)
S_rest = sp.Symbol("S_rest", nonnegative=True)
p_Ac, p_Mc, p_Mm = sp.symbols("p_A' p_M' p_M''", positive=True)
m_Ac, M_Mc, M_Mm = sp.symbols("m_A' M_M' M_M''", real=True)
s_D = sp.Symbol("s_D", nonnegative=True)
pmc = sp.Symbol("P_r(M')", nonnegative=True)
pmm = sp.Symbol("P_r(M'')", nonnegative=True)
Z = S_Ac + S_Mc + S_Mm + S_rest


def _step(name: str, text: str, rel: sp.Rel, lem: str, mapping: dict) -> ProofStep:  # type: ignore[type-arg]
    return ProofStep(name, text, rel, lemma(lem, mapping), chain=False)


def _trans(name: str, x: sp.Expr, y: sp.Expr, z: sp.Expr) -> ProofStep:
    return _step(name, "transitivity", Ge(x, z), "transitivity", {"x": x, "y": y, "z": z})


def _hypotheses() -> tuple[Hypothesis, ...]:
    e0, coef = S.eps_mis, S.lam * S.r_e
    return (
        Hypothesis("Assumption 1", "delta = lam r_e v"),
        *AC.definitions(S_Ac, p_Ac, coef),
        *MC.definitions(S_Mc, p_Mc, coef),
        *MM.definitions(S_Mm, p_Mm, coef),
        AC.lower(m_Ac),
        MC.upper(M_Mc),
        MM.upper(M_Mm),
        Hypothesis("Assumption 4: margin", "m_A' - M_M' >= Delta", Ge(m_Ac - M_Mc, S.Delta)),
        Hypothesis("Assumption 4: depth", "M_M'' - m_A' <= D", Le(M_Mm - m_Ac, S.D)),
        Hypothesis(
            "clean aligned mass",
            "P0(A') >= P0(A) - P0(E) >= (1 + B_0)/2 - eps_mis",
            Ge(p_Ac, (1 + S.B0) / 2 - e0),
        ),
        Hypothesis("clean misaligned mass", "P0(M') <= P0(M)", Le(p_Mc, (1 - S.B0) / 2)),
        Hypothesis("misclassified mass", "P0(M'') <= P0(E) <= eps_mis", Le(p_Mm, e0)),
        Hypothesis("Lemma 0 on M'", "P_r(M') = S_M'/Z", Eq(pmc, S_Mc / Z)),
        Hypothesis("Lemma 0 on M''", "P_r(M'') = S_M''/Z", Eq(pmm, S_Mm / Z)),
        Hypothesis(
            "Definition 1", "B = 1 - 2 P_r(M), M = M' u M''", Eq(B_r, 1 - 2 * pmc - 2 * pmm)
        ),
        Hypothesis("r_e >= 0", "", Ge(S.r_e, 0)),
        Hypothesis("mass", "1 + B_0 > 2 eps_mis", Gt(1 + S.B0 - 2 * e0, 0)),
        Hypothesis("B_0 < 1", "some misaligned mass", Gt(1 - S.B0, 0)),
    )


def _clean(r: sp.Expr, clean: sp.Expr) -> tuple[ProofStep, ...]:
    e0, lam = S.eps_mis, S.lam
    tilt = sp.exp(lam * r * S.Delta)
    q = ((1 + S.B0) / 2 - e0) / ((1 - S.B0) / 2)
    half = 1 - 2 * S_Mc / (S_Ac + S_Mc)
    t_s = sp.tanh(sp.log(S_Ac / S_Mc) / 2)
    t_p = sp.tanh(sp.log(p_Ac / p_Mc * tilt) / 2)
    t_q = sp.tanh(sp.log(q * tilt) / 2)
    lhs = 1 - 2 * pmc
    given = {S.B0: 1 - sp.Symbol("Q_m", positive=True)}
    given[S.eps_mis] = (2 - sp.Symbol("Q_m", positive=True) - sp.Symbol("P_m", positive=True)) / 2
    return (
        _step(
            "drop from the normaliser",
            "S_M'/Z <= S_M'/(S_M' + S_A')",
            Le(S_Mc / Z, S_Mc / (S_Mc + S_Ac)),
            "P/(P+X) decreasing",
            {"P": S_Mc, "X_1": S_Ac + S_Mm + S_rest, "X_2": S_Ac},
        ),
        _step(
            "1 - 2x",
            "1 - 2 P_r(M') >= 1 - 2 S_M'/(S_A' + S_M')",
            Ge(lhs, half),
            "a - c x >= a - c y",
            {"x": S_Mc / Z, "y": S_Mc / (S_Mc + S_Ac), "a": 1, "c_0": 2},
        ),
        ProofStep("tanh identity", "on (A', M')", Eq(half, t_s), algebra(), chain=False),
        mass_step("clean aligned", AC, S_Ac, p_Ac, lam * r, M_Mc + S.Delta + slack, "min", "+"),
        mass_step("clean misaligned", MC, S_Mc, p_Mc, lam * r, M_Mc, "max", "+"),
        _step(
            "Lemma R on (A', M')",
            "margin Delta on the clean tokens",
            Ge(S_Ac / S_Mc, p_Ac / p_Mc * tilt),
            "ratio (Lemma R)",
            {
                "N": S_Ac,
                "D_d": S_Mc,
                "p_1": p_Ac,
                "p_2": p_Mc,
                "a": lam * r * (M_Mc + S.Delta + slack),
                "b": lam * r * M_Mc,
                "c": lam * r * S.Delta,
            },
        ),
        _step(
            "tanh monotone (1)",
            "",
            Ge(t_s, t_p),
            "tanh(ln R / 2) monotone",
            {"R": S_Ac / S_Mc, "R_2": p_Ac / p_Mc * tilt},
        ),
        _step(
            "clean masses",
            "P0(A')/P0(M') >= ((1 + B_0)/2 - eps)/((1 - B_0)/2)",
            Ge(p_Ac / p_Mc, q),
            "quotient",
            {"N": p_Ac, "n": (1 + S.B0) / 2 - e0, "D_d": p_Mc, "d": (1 - S.B0) / 2},
        ),
        _step(
            "scale by e^{lam Delta r_e}",
            "",
            Ge(tilt * p_Ac / p_Mc, tilt * q),
            "multiply by c >= 0",
            {"x_1": p_Ac / p_Mc, "y_1": q, "c_0": tilt},
        ),
        _step(
            "tanh monotone (2)",
            "",
            Ge(t_p, t_q),
            "tanh(ln R / 2) monotone",
            {"R": p_Ac / p_Mc * tilt, "R_2": q * tilt},
        ),
        ProofStep(
            "collect (clean)",
            "1 + B_0 - 2 eps = P_m > 0, 1 - B_0 = Q_m > 0",
            Eq(t_q, clean),
            algebra(given),
            chain=False,
        ),
        _trans("chain (1)", lhs, half, t_s),
        _trans("chain (2)", lhs, t_s, t_p),
        _trans("chain (3)", lhs, t_p, t_q),
        _trans("clean part", lhs, t_q, clean),
    )


def _misclassified(r: sp.Expr, mis: sp.Expr) -> tuple[ProofStep, ...]:
    e0, lam = S.eps_mis, S.lam
    tilt = sp.exp(lam * r * S.D)
    low = (1 + S.B0) / 2 - e0
    ratio = S_Mm / S_Ac
    max_mm = M_Mc + S.Delta + slack + S.D - s_D  # M_M'' = m_A' + D - s_D
    mid = p_Mm / p_Ac * tilt
    top = e0 / low * tilt
    return (
        _step(
            "drop from the normaliser (M'')",
            "S_M''/S_A' >= S_M''/Z",
            Ge(ratio, pmm),
            "quotient",
            {"N": S_Mm, "n": S_Mm, "D_d": S_Ac, "d": Z},
        ),
        mass_step("misclassified", MM, S_Mm, p_Mm, lam * r, max_mm, "max", "+"),
        _step(
            "Lemma R on (M'', A') (roles swapped)",
            "depth bound D",
            Le(ratio, mid),
            "ratio (Lemma R, roles swapped)",
            {
                "N": S_Mm,
                "D_d": S_Ac,
                "p_1": p_Mm,
                "p_2": p_Ac,
                "a": lam * r * max_mm,
                "b": lam * r * (M_Mc + S.Delta + slack),
                "c": lam * r * S.D,
            },
        ),
        _step(
            "misclassified masses",
            "P0(M'')/P0(A') <= eps/((1 + B_0)/2 - eps)",
            Ge(e0 / low, p_Mm / p_Ac),
            "quotient",
            {"N": e0, "n": p_Mm, "D_d": low, "d": p_Ac},
        ),
        _step(
            "scale by e^{lam D r_e}",
            "",
            Ge(tilt * e0 / low, tilt * p_Mm / p_Ac),
            "multiply by c >= 0",
            {"x_1": e0 / low, "y_1": p_Mm / p_Ac, "c_0": tilt},
        ),
        _trans("chain (4)", top, mid, ratio),
        _trans("misclassified part", top, ratio, pmm),
        ProofStep("collect (misclassified)", "", Eq(top, mis), algebra(), chain=False),
    )


@cache
def theorem3() -> Result:
    b = E.theorem3()
    r, e0 = r_nn, S.eps_mis
    margin = 1 + S.B0 - 2 * e0
    clean = sp.tanh(S.lam * S.Delta / 2 * r + sp.log(margin / (1 - S.B0)) / 2)
    mis = 2 * e0 / margin * sp.exp(S.lam * S.D * r)
    steps = (
        ProofStep(
            "split",
            "B = 1 - 2 P_r(M') - 2 P_r(M'')",
            Eq(B_r, 1 - 2 * pmc - 2 * pmm),
            hypothesis("Definition 1"),
        ),
        *_clean(r, clean),
        *_misclassified(r, mis),
        ProofStep(
            "combine",
            "add the two bounds",
            Ge(1 - 2 * pmc - 2 * pmm, clean - 2 * mis),
            lemma(
                "add inequalities",
                {"x_1": 1 - 2 * pmc, "y_1": clean, "x_2": -2 * pmm, "y_2": -2 * mis},
            ),
        ),
        ProofStep(
            "collect", "the stated form", Eq(clean - 2 * mis, b.expr.subs(S.r_e, r)), algebra()
        ),
    )
    return Result(
        "Theorem 3",
        "verified",
        "alignment under a soft margin",
        _hypotheses(),
        Ge(B_r, b.expr),
        "B >= tanh(lam Delta r_e/2 + ln((1 + B_0 - 2 eps)/(1 - B_0))/2) "
        "- 4 eps/(1 + B_0 - 2 eps) e^{lam D r_e}; equals Theorem 1 at eps_mis = 0.",
        steps,
        "low-medium (~40%) on the paper's exact formula",
        b,
        {S.r_e: r, m_Ac: M_Mc + S.Delta + slack, M_Mm: M_Mc + S.Delta + slack + S.D - s_D},
    )
