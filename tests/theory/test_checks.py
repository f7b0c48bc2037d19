"""The symbolic checker: all verified forms pass, published forms fail on their
counterexamples, and mistyped forms are detected (the checks can fail)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import sympy as sp

from steerbound.cli import main
from steerbound.theory import check_all, counterexamples, format_check_table
from steerbound.theory import expressions as E
from steerbound.theory import properties as P
from steerbound.theory import symbols as S
from steerbound.theory.checks import exit_code
from steerbound.theory.proof.check import check_proof
from steerbound.theory.proof.provers import is_zero, nonneg_on_halfline
from steerbound.theory.results import all_results
from steerbound.theory.results.behavior import theorem1, theorem1_proof


@pytest.fixture(scope="module")
def records():  # type: ignore[no-untyped-def]
    return check_all()


def test_every_verified_check_passes(records) -> None:  # type: ignore[no-untyped-def]
    bad = [r for r in records if r.status in ("failed", "undecided")]
    assert not bad, bad
    assert exit_code(records) == 0


def test_every_result_is_covered(records) -> None:  # type: ignore[no-untyped-def]
    names = {r.name for r in all_results()}
    for want in (
        "Definition 1",
        "Assumption 1",
        "Assumption 4",
        "Theorem 1",
        "Corollary 1",
        "Theorem 2",
        "Expected helpfulness",
        "Corollary 2",
        "Theorem 3",
        "Theorem 4",
        "Theorem 5",
        "Theorem 6",
        "Corollary 3",
        "Proposition 1",
    ):
        assert want in names
    forms = {(r.name, r.form) for r in all_results()}
    assert {("Theorem 2", f) for f in ("jensen", "verified", "tilted", "published")} <= forms
    checked = {(r.result, r.form) for r in records}
    for res in all_results():
        if res.proof or res.bound is not None:
            assert (res.name, res.form) in checked


def test_published_forms_fail_on_their_counterexamples(records) -> None:  # type: ignore[no-untyped-def]
    failing = {(r.result, r.form) for r in records if r.status == "published (fails)"}
    assert failing == {
        ("Theorem 2", "published"),
        ("Theorem 4", "published"),
        ("Theorem 6", "published"),
        ("Corollary 3", "published"),
        ("Corollary 2", "published"),
    }
    for r in records:
        if r.status == "published (fails)":
            assert r.counterexample and r.counterexample["violated"] is True


def test_counterexample_values_match_theory_md() -> None:
    t2 = counterexamples.theorem2_published()
    assert float(t2.exact) == pytest.approx(0.5200, abs=5e-5)
    assert float(t2.published) == pytest.approx(0.4988, abs=5e-5)
    assert float(t2.verified) == pytest.approx(0.6656, abs=5e-5)
    t4 = counterexamples.theorem4_published()
    assert float(t4.exact) == pytest.approx(-0.205, abs=1e-3)
    assert float(t4.published) == pytest.approx(-0.151, abs=1e-3)
    t6 = counterexamples.theorem6_published()
    assert float(t6.exact) == pytest.approx(0.889, abs=1e-3)
    assert float(t6.published) == pytest.approx(0.941, abs=1e-3)


def test_numeric_published_forms_violated_on_counterexamples() -> None:
    import steerbound.theory as T

    # T2-paper geometry: alpha = 1, sigma*beta = 1, lam*r_e = 0.1, exact H = 0.52002.
    exact = 0.5 / (0.5 + 0.25 * np.exp(0.1) + 0.25 * np.exp(-0.3))
    assert exact > T.theorem2_parabolic_bound(0.1, 0.5, 1.0, 1.0, 1.0, 1.0, form="published")
    assert exact <= T.theorem2_parabolic_bound(0.1, 0.5, 1.0, 1.0, 1.0, 1.0)
    assert exact <= T.theorem2_jensen_bound(0.1, 0.5, 0.25, 0.25, 1.0, 3.0, 1.0) + 1e-15
    b4 = (0.2 * np.exp(0.5) - 0.5) / (0.2 * np.exp(0.5) + 0.5 + 0.3 * np.exp(-5))
    assert b4 < T.theorem4_bound(0.5, 0.2, 0.5, 0.3, 1.0, 1.0, form="published")
    assert b4 >= T.theorem4_bound(0.5, 0.2, 0.5, 0.3, 1.0, 1.0)


def test_mistyped_theorem1_is_detected() -> None:
    """Dropping the 1/2 (tanh(lam Delta r_e + artanh B0)) must fail the proof and properties."""
    wrong = sp.tanh(S.lam * S.Delta * S.r_e + sp.atanh(S.B0))
    good = theorem1()
    bad = dataclasses.replace(
        good, statement=sp.Ge(good.statement.lhs, wrong), proof=theorem1_proof(wrong)
    )
    outcomes = check_proof(bad)
    assert any(o.status == "failed" for o in outcomes)
    assert all(o.status == "passed" for o in check_proof(good))
    statuses = {c: s for c, s, _ in P.theorem1_properties(wrong)}
    assert statuses["slope at 0 = (lam Delta/2)(1 - B_0^2)"] == "failed"
    assert statuses["tight in the two-cluster geometry"] == "failed"


def test_mistyped_theorem2_verified_is_detected() -> None:
    """Using alpha instead of alpha/2 in the verified parabola changes the curvature check."""
    pub = E.theorem2_published().expr
    statuses = {c: s for c, s, _ in P.parabola_properties(pub, S.alpha / 2)}
    assert statuses["value at 0"] == "failed"


def test_lemma_machinery_can_fail_and_stay_undecided() -> None:
    y = sp.Symbol("y", real=True)
    assert nonneg_on_halfline(sp.exp(y) - 1 - y, y, 0).status == "passed"
    assert nonneg_on_halfline(1 + y - sp.exp(y), y, 0).status == "failed"
    assert is_zero(sp.tanh(y) - (sp.exp(2 * y) - 1) / (sp.exp(2 * y) + 1)).status == "passed"
    assert is_zero(sp.tanh(y) - y).status == "failed"
    f = sp.Function("f")
    assert is_zero(f(y) - y).status == "undecided"  # unknown function: never "passed"


def test_format_table(records) -> None:  # type: ignore[no-untyped-def]
    text = format_check_table(records)
    assert "Theorem 2" in text and "published (fails)" in text
    assert "0 failed, 0 undecided" in text


def test_cli_json_and_sheets(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    md, tex = tmp_path / "sheet.md", tmp_path / "sheet.tex"
    code = main(["theory", "--json", "--markdown", str(md), "--latex", str(tex)])
    assert code == 0
    entries = json.loads(capsys.readouterr().out)
    assert {"result", "form", "check", "status", "detail", "counterexample"} <= set(entries[0])
    t2 = [
        e
        for e in entries
        if e["result"] == "Theorem 2" and e["form"] == "published" and e["counterexample"]
    ]
    assert t2 and t2[0]["status"] == "published (fails)"
    sheet = md.read_text()
    assert "## Theorem 1 (verified)" in sheet and "\\tanh" in sheet and "**Proof.**" in sheet
    assert tex.read_text().startswith("\\documentclass")
