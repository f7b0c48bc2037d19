"""Token sets as finite sums, and the proof steps that bound their tilted masses.

A :class:`TokenSet` ``X`` has unsteered probabilities ``P_X[i] > 0`` and projections
``x_X[i] = <u_t, v>`` for ``i = 1..n_X``. Its unsteered mass is ``p_X = sum_i P_X[i]`` and its
tilted mass at ``delta = lam r_e v`` is ``S_X = sum_i P_X[i] e^{lam r_e x_X[i]}`` (Lemma 0).
The steps built here instantiate the n-term lemmas of
:mod:`steerbound.theory.lemmas.sums` under an explicit mapping, so the checker matches
them against the definitions carried as hypotheses (:meth:`TokenSet.definitions`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from steerbound.theory.proof.model import Eq, Ge, Hypothesis, Le, ProofStep, lemma
from steerbound.theory.proof.sums import I, finite_sum, length


@dataclass(frozen=True)
class TokenSet:
    """One token set: ``P[i]`` (probabilities), ``x[i]`` (projections on v), ``n`` terms."""

    name: str

    @property
    def P(self) -> sp.IndexedBase:
        return sp.IndexedBase(f"P_{self.name}", positive=True)

    @property
    def x(self) -> sp.IndexedBase:
        return sp.IndexedBase(f"x_{self.name}", real=True)

    @property
    def n(self) -> sp.Symbol:
        return length(f"n_{self.name}")

    def mass(self) -> sp.Expr:
        return finite_sum(self.P[I], self.n)

    def tilted(self, coef: sp.Expr) -> sp.Expr:
        """``sum_i P[i] e^{coef x[i]}`` (``coef = lam r_e``)."""
        return finite_sum(self.P[I] * sp.exp(coef * self.x[I]), self.n)

    def definitions(
        self, tilted: sp.Symbol, mass: sp.Symbol, coef: sp.Expr
    ) -> tuple[Hypothesis, ...]:
        return (
            Hypothesis(
                f"S_{self.name}",
                f"tilted mass of {self.name} (Lemma 0)",
                Eq(tilted, self.tilted(coef)),
            ),
            Hypothesis(f"p_{self.name}", f"unsteered mass of {self.name}", Eq(mass, self.mass())),
        )

    def lower(self, bound: sp.Expr) -> Hypothesis:
        """``bound`` is the minimum projection: ``x[i] >= bound`` for every i."""
        return Hypothesis(
            f"min {self.name}", f"min projection of {self.name}", Ge(self.x[I], bound)
        )

    def upper(self, bound: sp.Expr) -> Hypothesis:
        return Hypothesis(
            f"max {self.name}", f"max projection of {self.name}", Le(self.x[I], bound)
        )


def mass_step(
    name: str,
    ts: TokenSet,
    tilted: sp.Symbol,
    mass: sp.Symbol,
    coef: sp.Expr,
    bound: sp.Expr,
    side: str,
    coef_sign: str,
) -> ProofStep:
    """``S_X >= p_X e^{coef * bound}`` or ``<=``, from the n-term lemmas.

    ``side`` "min" if ``x[i] >= bound`` for all i, "max" if ``x[i] <= bound``;
    ``coef_sign`` "+" (``coef >= 0``) or "-" (``coef <= 0``: the lemma is instantiated with
    ``c = -coef`` and the projections negated). The relation's direction follows: the sum is
    bounded below when (min, +) or (max, -), above otherwise.
    """
    neg = coef_sign == "-"
    lower = (side == "min") != neg
    lemma_name = "finite sum >= mass * e^(c min)" if lower else "finite sum <= mass * e^(c max)"
    sign = -1 if neg else 1
    mapping = {
        "n": ts.n,
        "w": ts.P,
        "f": sp.Lambda(I, sign * ts.x[I]),
        "c": sign * coef,
        "m": sign * bound,
    }
    rel = (Ge if lower else Le)(tilted, mass * sp.exp(coef * bound))
    text = f"each term of S_{ts.name} against its {side} projection (n-term lemma)"
    return ProofStep(name, text, rel, lemma(lemma_name, mapping), chain=False)
