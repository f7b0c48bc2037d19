"""Named lemmas, each proved by sympy, to which the inequality steps of the proofs reduce.

A lemma is an implication ``premises => conclusion`` over its own symbols. Its proof is a
small sympy computation (derivative-sign chains, convexity, exact algebra). A proof that sympy
cannot decide returns ``"undecided"``, never ``"passed"``.

The workhorse is :func:`nonneg_on_halfline`: ``f >= 0`` on ``[a, inf)`` follows from
``f(a) >= 0`` and ``f' >= 0`` on ``[a, inf)``, applied recursively to ``f', f'', ...`` until
sympy's assumption system can decide the sign of a derivative outright.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import sympy as sp

from steerbound.theory import witness

Status = str  # "passed" | "failed" | "undecided"


@dataclass(frozen=True)
class LemmaProof:
    status: Status
    detail: str


@dataclass(frozen=True)
class Lemma:
    """``premises => conclusion`` for all values of ``variables`` allowed by their assumptions."""

    name: str
    text: str
    variables: tuple[sp.Symbol, ...]
    premises: tuple[sp.Rel, ...]
    conclusion: sp.Rel
    prover: Callable[[], LemmaProof]

    def prove(self) -> LemmaProof:
        return _prove_cached(self.name)


def _sign_known(expr: sp.Expr) -> bool | None:
    """True if ``expr >= 0`` is decided, False if ``expr < 0`` is decided, None otherwise."""
    if expr.is_nonnegative:
        return True
    if expr.is_negative:
        return False
    return None


def nonneg_on_halfline(
    f: sp.Expr, var: sp.Symbol, start: sp.Expr, max_depth: int = 5
) -> LemmaProof:
    """Prove ``f(var) >= 0`` for ``var >= start`` by a derivative-sign chain."""
    t = sp.Dummy("t", nonnegative=True)
    chain: list[str] = []
    g = f
    for depth in range(max_depth):
        shifted = sp.simplify(g.subs(var, start + t))
        if _sign_known(shifted):
            chain.append(f"f^({depth}) >= 0 on the half-line by sympy assumptions")
            return LemmaProof("passed", "; ".join(chain))
        at_start = sp.simplify(g.subs(var, start))
        known = _sign_known(at_start)
        if known is False:
            return LemmaProof("failed", f"f^({depth})({start}) = {at_start} < 0")
        if known is None:
            return LemmaProof("undecided", f"sign of f^({depth})({start}) = {at_start} unknown")
        chain.append(f"f^({depth})({start}) = {at_start} >= 0")
        g = sp.diff(g, var)
    return LemmaProof("undecided", "derivative chain too long: " + "; ".join(chain))


def positive_derivative(f: sp.Expr, var: sp.Symbol, witness: sp.Expr | None = None) -> LemmaProof:
    """Monotonicity: ``f`` is increasing in ``var`` if ``df/dvar > 0``.

    ``witness`` is an expression equal to the derivative whose sign sympy can decide."""
    d = sp.diff(f, var)
    if witness is not None:
        if sp.simplify(d - witness) != 0 and sp.simplify((d - witness).rewrite(sp.exp)) != 0:
            return LemmaProof("failed", f"derivative {d} != witness {witness}")
        d = witness
    if d.is_positive:
        return LemmaProof("passed", f"d/d{var} = {d} > 0")
    if d.is_nonpositive:
        return LemmaProof("failed", f"d/d{var} = {d} is not positive")
    return LemmaProof("undecided", f"sign of d/d{var} = {d} undecided")


def combine(*proofs: LemmaProof) -> LemmaProof:
    for status in ("failed", "undecided"):
        bad = [p.detail for p in proofs if p.status == status]
        if bad:
            return LemmaProof(status, " | ".join(bad))
    return LemmaProof("passed", " | ".join(p.detail for p in proofs))


def fast_zero(expr: sp.Expr) -> bool:
    """Cheap sufficient test for ``expr == 0``: exp-rewrite, log expansion (sound: sympy only
    expands logs of arguments it knows are positive), then rational cancellation."""
    if expr == 0 or sp.expand(expr) == 0:
        return True
    e = expr.rewrite(sp.exp)
    if _cancels(e):
        return True
    # Inverse hyperbolic functions as logs (artanh x = (ln(1 + x) - ln(1 - x))/2, sympy's own
    # definition), so that e.g. e^{2 artanh B_0} becomes (1 + B_0)/(1 - B_0).
    inverse = (sp.atanh, sp.asinh, sp.acosh)
    return e.has(*inverse) and _cancels(
        e.replace(lambda a: isinstance(a, inverse), lambda a: a.rewrite(sp.log))
    )


def _cancels(e: sp.Expr) -> bool:
    """``e`` is 0 as a rational function of its generators after log and power expansion."""
    e = sp.powsimp(sp.expand(sp.expand_log(e)))
    return bool(sp.cancel(sp.together(e)) == 0)


@lru_cache(maxsize=4096)
def is_zero(expr: sp.Expr) -> LemmaProof:
    """``expr == 0`` identically: "passed" if sympy simplifies it to 0, "failed" with a witness
    point where it is provably non-zero, "undecided" otherwise."""
    if fast_zero(expr):
        return LemmaProof("passed", "simplifies to 0")
    # A provably non-zero value at one allowed point refutes the identity (cheap).
    if witness.nonzero_at_a_point(expr):
        value, point = witness.evaluate(expr), witness.point(expr)
        return LemmaProof("failed", f"difference = {value:.6g} != 0 at {point}")
    diff = sp.simplify(expr)
    if diff != 0:
        diff = sp.simplify(sp.expand_log(diff.rewrite(sp.log)))
    if diff != 0:
        diff = sp.simplify(diff.rewrite(sp.exp))
    if diff == 0:
        return LemmaProof("passed", "simplifies to 0")
    return LemmaProof("undecided", f"difference {diff} not simplified to 0")


_REGISTRY: dict[str, Lemma] = {}


def register(lemma: Lemma) -> Lemma:
    _REGISTRY[lemma.name] = lemma
    return lemma


def get(name: str) -> Lemma:
    from steerbound.theory import lemma_catalog  # noqa: F401  (fills the registry)

    return _REGISTRY[name]


def all_lemmas() -> list[Lemma]:
    from steerbound.theory import lemma_catalog  # noqa: F401

    return list(_REGISTRY.values())


@cache
def _prove_cached(name: str) -> LemmaProof:
    return get(name).prover()
