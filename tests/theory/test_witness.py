"""Sample points used to refute claims quickly: they respect the symbols' assumptions, so a
true identity under those assumptions is never refuted, and they never make a claim pass."""

from __future__ import annotations

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from steerbound.theory.proof import witness
from steerbound.theory.proof.matching import decide, implies, is_zero_expr
from steerbound.theory.proof.provers import is_zero
from steerbound.theory.proof.sums import I, finite_sum, length


def test_points_satisfy_every_assumption() -> None:
    syms = [
        sp.Symbol("a", positive=True),
        sp.Symbol("b", negative=True),
        sp.Symbol("c", nonpositive=True, integer=True),
        sp.Symbol("d", integer=True, positive=True),
        sp.Symbol("e", real=True),
        sp.Symbol("f", nonnegative=True),
    ]
    at = witness.point(sp.Add(*syms))
    assert at is not None
    for s in syms:
        value = at[str(s)]
        for fact, want in s.assumptions0.items():
            assert getattr(value, f"is_{fact}") is want, (s, fact, value)
    assert witness.point(sp.Add(*syms)) == at  # deterministic


def test_identity_true_only_under_the_assumptions_is_not_refuted() -> None:
    # sqrt((x + y)^2) = -(x + y) for x, y < 0 (and not for x, y > 0).
    x, y = sp.symbols("x y", negative=True)
    e = sp.sqrt(x**2 + 2 * x * y + y**2) + x + y
    assert not witness.nonzero_at_a_point(e)
    assert is_zero(e).status != "failed"  # sympy may not prove it, but must not refute it
    u, v = sp.symbols("u v", positive=True)
    wrong = e.xreplace({x: u, y: v})  # the same formula for positive symbols is not zero
    assert witness.nonzero_at_a_point(wrong)
    assert is_zero(wrong).status == "failed"
    assert not is_zero_expr(wrong)


def test_sums_of_symbolic_length_are_evaluated_on_a_genuine_instance() -> None:
    n = length("n")
    w = sp.IndexedBase("w", positive=True)
    x = sp.IndexedBase("x", real=True)
    c = sp.Symbol("c", positive=True)
    split = finite_sum(w[I] * (1 + x[I]), n) - finite_sum(w[I], n) - finite_sum(w[I] * x[I], n)
    assert not witness.nonzero_at_a_point(split)  # linearity holds at the instance
    assert is_zero_expr(split)
    # sum w e^{c x} vs W e^{c x}: equal when all terms are equal, so not refuted here ...
    tilted = finite_sum(w[I] * sp.exp(c * x[I]), n) - finite_sum(w[I], n) * sp.exp(c * x[I])
    assert not witness.nonzero_at_a_point(tilted)
    # ... but a factor 2 is.
    assert witness.nonzero_at_a_point(tilted + finite_sum(w[I], n))
    f = sp.Function("f", real=True)
    assert witness.evaluate(finite_sum(f(I), n)) is None  # undefined function: no value


def test_refutation_never_passes_and_decides_false_claims() -> None:
    lam, d = sp.symbols("lambda D", positive=True)
    r = sp.Symbol("r", real=True)
    assert decide(sp.Ge(sp.exp(lam * r), 1 + lam * r - 1)) is not False
    assert decide(sp.Ge(lam * d, 2 * lam * d)) is False  # refuted (and never "passed")
    a = sp.Ge(sp.exp(-lam * d * r), lam)
    assert not implies(a, sp.Ge(sp.exp(lam * d * r), lam))
    assert implies(a, sp.Ge(2 * sp.exp(-lam * d * r), 2 * lam))  # positive rescaling kept


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(-5, 5), min_size=2, max_size=5),
    st.integers(1, 4),
)
def test_polynomial_identities_are_never_refuted(coeffs: list[int], k: int) -> None:
    x = sp.Symbol("x", real=True)
    p = sum(cf * x**i for i, cf in enumerate(coeffs))
    identity = sp.expand(p * (x + k) ** 2) - p * (x + k) ** 2
    assert not witness.nonzero_at_a_point(identity)
    assert is_zero_expr(identity)
