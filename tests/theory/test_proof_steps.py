"""The mirror statements and the aggregate (n-term) proof steps: each passes, and a mis-stated
variant of each is reported failed (never passed)."""

from __future__ import annotations

import dataclasses

import sympy as sp

from steerbound.theory import check_all
from steerbound.theory import expressions as E
from steerbound.theory import properties as P
from steerbound.theory import symbols as S
from steerbound.theory.proof.check import check_proof
from steerbound.theory.proof.model import Ge, Le, ProofStep, Result, lemma
from steerbound.theory.proof.sums import I
from steerbound.theory.results import all_results
from steerbound.theory.results import behavior as B
from steerbound.theory.results import helpfulness as H
from steerbound.theory.results import multi_token as MT
from steerbound.theory.results import nonbinary as BN
from steerbound.theory.results import soft_margin as SM
from steerbound.theory.results.tilted import mass_step
from steerbound.theory.symbols import M_M, S_A, B_r, m_A, r_np, slack


def _statuses(res: Result) -> dict[str, str]:
    return {o.step: o.status for o in check_proof(res)}


def _replace(res: Result, name: str, step: ProofStep) -> Result:
    assert name in {s.name for s in res.proof}
    return dataclasses.replace(res, proof=tuple(step if s.name == name else s for s in res.proof))


def _modify(res: Result, name: str, **changes: object) -> Result:
    old = next(s for s in res.proof if s.name == name)
    return _replace(res, name, dataclasses.replace(old, **changes))


def test_every_lemma_step_is_matched_under_a_mapping() -> None:
    records = {(r.result, r.form): r for r in check_all() if r.check.startswith("proof (")}
    for res in all_results():
        for st in res.proof:
            if st.by.kind == "lemma":
                assert st.by.mapping, (res.label, st.name)
        if res.proof:
            rec = records[(res.name, res.form)]
            assert rec.status == "passed" and "termwise" not in rec.detail, rec


def test_theorem1_mirror_passes_and_flipped_fails() -> None:
    mirror = B.theorem1_mirror()
    assert mirror.form == "verified (r_e <= 0)"
    assert set(_statuses(mirror).values()) == {"passed"}
    flipped = dataclasses.replace(mirror, statement=Ge(B_r, mirror.statement.rhs))
    assert _statuses(flipped)["chain"] == "failed"
    # The r_e >= 0 mass step (coefficient lam r_e taken as >= 0) is refused for r_e <= 0.
    wrong = mass_step(
        "aligned mass", B.A_SET, S_A, S.p_A, S.lam * r_np, M_M + S.Delta + slack, "min", "+"
    )
    assert _statuses(_replace(mirror, "aligned mass", wrong))["aligned mass"] != "passed"


def test_theorem1_mirror_properties_can_fail() -> None:
    good = {c: s for c, s, _ in P.theorem1_mirror_properties(E.theorem1().expr)}
    assert set(good.values()) == {"passed"}
    wrong = sp.tanh(-S.lam * S.Delta / 2 * S.r_e + sp.atanh(S.B0))  # sign of r_e flipped
    bad = {c: s for c, s, _ in P.theorem1_mirror_properties(wrong)}
    assert bad["limit r_e -> -inf is -1"] == "failed"


def test_theorem2_negative_case_passes_and_wrong_side_fails() -> None:
    neg = H.theorem2_verified_negative()
    assert set(_statuses(neg).values()) == {"passed"}
    # Keeping the T+ term (the one that decays for r_e < 0) cannot give the parabola.
    drop = next(s for s in neg.proof if s.name == "drop decaying side")
    ex_plus_em = drop.relation.lhs.args  # P0/(P0 + ex + em)
    assert ex_plus_em
    flipped = dataclasses.replace(neg, statement=Ge(neg.statement.lhs, neg.statement.rhs))
    assert _statuses(flipped)["chain"] == "failed"
    # The lemma instantiated at y = +lam r_e G- (negative for r_e < 0): the step matches the
    # lemma's conclusion, and fails for the right reason, its premise y >= 0.
    yv = S.lam * r_np * S.G_minus
    bad_y = ProofStep(
        "e^y >= 1 + y^2/2",
        "y = +lam r_e G- (negative for r_e < 0)",
        Ge(sp.exp(yv), 1 + yv**2 / 2),
        lemma("e^y >= 1 + y^2/2", {"y": yv}),
        chain=False,
    )
    outcome = {o.step: o for o in check_proof(_replace(neg, "e^y >= 1 + y^2/2", bad_y))}
    step = outcome["e^y >= 1 + y^2/2"]
    assert step.status in ("failed", "undecided"), step
    assert "premise" in step.detail and "gives" not in step.detail, step
    props = {c: s for c, s, _ in P.parabola_mirror_properties(E.theorem2_verified().expr, S.alpha)}
    assert props["value at 0"] == "failed"


def test_mis_stated_aggregate_sums_fail() -> None:
    t1 = B.theorem1()
    # Direction flipped: S_A <= p_A e^{...} is not the lemma's conclusion.
    step = next(s for s in t1.proof if s.name == "aligned mass")
    flipped = dataclasses.replace(step, relation=Le(step.relation.lhs, step.relation.rhs))
    assert _statuses(_replace(t1, "aligned mass", flipped))["aligned mass"] == "failed"
    # The aligned sum mapped onto the misaligned set's terms no longer matches S_A.
    wrong_set = mass_step(
        "aligned mass", B.M_SET, S_A, S.p_A, S.lam * B.r_nn, M_M + S.Delta + slack, "min", "+"
    )
    assert _statuses(_replace(t1, "aligned mass", wrong_set))["aligned mass"] == "failed"
    # A bound that is not the set's minimum cannot discharge the premise x_A[i] >= m.
    too_high = mass_step(
        "aligned mass", B.A_SET, S_A, S.p_A, S.lam * B.r_nn, M_M + 2 * S.Delta, "min", "+"
    )
    assert _statuses(_replace(t1, "aligned mass", too_high))["aligned mass"] != "passed"
    assert m_A in t1.proof_symbols


def test_mis_stated_jensen_fails() -> None:
    jensen = H.theorem2_forms()[0]
    a = S.lam * S.r_e
    wrong = H._jensen_step("Jensen -", H.T_MINUS, H.S_minus, a, S.Q_minus * sp.exp(-a * S.G_minus))
    assert _statuses(_replace(jensen, "Jensen -", wrong))["Jensen -"] == "failed"


def test_mis_stated_theorem3_parts_fail() -> None:
    t3 = SM.theorem3()
    clean = next(s for s in t3.proof if s.name == "clean part")
    wrong_rhs = clean.relation.rhs.subs(S.Delta, 2 * S.Delta)
    bad = _modify(t3, "clean part", relation=Ge(clean.relation.lhs, wrong_rhs))
    assert _statuses(bad)["clean part"] == "failed"
    mis = next(s for s in t3.proof if s.name == "Lemma R on (M'', A') (roles swapped)")
    mapping = dict(mis.by.mapping or {})
    mapping["c"] = -mapping["c"]  # e^{-lam D r_e}: the depth premise is no longer implied
    bad = _modify(t3, mis.name, by=lemma(mis.by.name, mapping))
    assert _statuses(bad)[mis.name] != "passed"


def test_mis_stated_worst_case_and_union_bound_fail() -> None:
    t4 = BN.theorem4_forms()[0]
    worst = next(s for s in t4.proof if s.name == "worst case")
    as_max = sp.Max(*worst.relation.rhs.args)
    bad = _modify(t4, "worst case", relation=Ge(worst.relation.lhs, as_max))
    assert _statuses(bad)["worst case"] == "failed"
    t6 = MT.theorem6_forms()[0]
    union = next(s for s in t6.proof if s.name == "union bound")
    per_step = union.relation.rhs.args[-1] if union.relation.rhs.is_Mul else None
    assert per_step is not None
    no_mass = _modify(t6, "union bound", relation=Le(union.relation.lhs, union.relation.rhs / 2))
    assert _statuses(no_mass)["union bound"] == "failed"
    per = next(s for s in t6.proof if s.name == "per step")
    bad = _modify(t6, "per step", relation=Le(per.relation.lhs, per.relation.rhs / 2))
    assert _statuses(bad)["per step"] == "failed"


def test_lemma_without_mapping_or_with_unknown_key_is_not_passed() -> None:
    t5 = BN.theorem5()
    mono = next(s for s in t5.proof if s.name == "monotone in R")
    st = _statuses(_modify(t5, "monotone in R", by=lemma(mono.by.name)))
    assert st["monotone in R"] == "undecided"
    bad_key = dict(mono.by.mapping or {})
    bad_key["no_such_variable"] = sp.Integer(1)
    st = _statuses(_modify(t5, "monotone in R", by=lemma(mono.by.name, bad_key)))
    assert st["monotone in R"] == "failed"
    assert I.is_integer
