"""The data model of a result: hypotheses, a sympy statement, and a proof of named steps.

A proof is a *chain* of relations ``lhs_1 (=|>=) rhs_1 = lhs_2 (=|>=) rhs_2 ...`` running from
the statement's left-hand side to its right-hand side, plus *side* steps that establish the
premises of lemma applications. Each step carries a :class:`Justification`:

* ``algebra``: an equality, checked by ``simplify(lhs - rhs) == 0`` (after ``given``
  substitutions, e.g. a parametrisation of probabilities that sum to 1);
* ``lemma``: an instance of a named lemma (:mod:`steerbound.theory.lemmas`) under
  ``mapping``; the instantiated conclusion must match the step, every instantiated premise must
  be a hypothesis, an earlier step, or decided true by sympy, and the lemma must be proved.
  Mapping keys are the lemma's variables or their names; sums are instantiated with
  ``IndexedBase`` and ``Lambda`` values (:mod:`steerbound.theory.lemmas.sums`), and a
  conclusion written with sums is matched after replacing the result's defined quantities
  (hypotheses ``S_A = Sum(...)``) by their definitions. A lemma step without a mapping is
  reported undecided;
* ``hypothesis``: the step is one of the result's hypotheses;
* ``definition``: the step instantiates the statement of a definition result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp

from steerbound.theory.numerics import BoundExpression

JustificationKind = Literal["algebra", "lemma", "hypothesis", "definition"]


@dataclass(frozen=True)
class Justification:
    """Why a step holds. ``given`` (algebra): substitutions ``symbol -> expression`` the
    identity is checked under; each must follow from the hypotheses, or be a
    parametrisation whose fresh symbols ``witness`` expresses in the result's own symbols
    (checked by the proof checker, never trusted)."""

    kind: JustificationKind
    name: str = ""
    mapping: dict[Any, sp.Expr] | None = None
    given: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    witness: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)


def algebra(
    given: dict[sp.Symbol, sp.Expr] | None = None,
    witness: dict[sp.Symbol, sp.Expr] | None = None,
) -> Justification:
    return Justification("algebra", given=dict(given or {}), witness=dict(witness or {}))


def lemma(name: str, mapping: dict[Any, sp.Expr] | None = None) -> Justification:
    return Justification("lemma", name, mapping)


def hypothesis(name: str) -> Justification:
    return Justification("hypothesis", name)


def definition(name: str, mapping: dict[sp.Symbol, sp.Expr] | None = None) -> Justification:
    return Justification("definition", name, mapping or {})


@dataclass(frozen=True)
class ProofStep:
    """One named step: the relation it establishes and why."""

    name: str
    text: str
    relation: sp.Rel
    by: Justification
    chain: bool = True


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis; ``cites`` names an earlier result (its label) whose statement, under
    ``mapping``, must give ``relation``, and whose proof must pass (checked)."""

    name: str
    text: str
    relation: sp.Basic | None = None
    cites: str = ""
    mapping: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.name, self.text, self.relation, self.cites))


@dataclass(frozen=True)
class Result:
    """A definition, assumption, theorem, corollary or proposition of docs/theorem_sheet.md.

    ``form`` distinguishes variants ("verified", "published", "jensen", "tilted", ...);
    ``proof_symbols`` maps statement symbols to the parametrisation the proof works in
    (e.g. ``r_e`` to a nonnegative ``r_e`` when the hypothesis is ``r_e >= 0``, or a margin
    ``m_A = M_M + Delta + s`` with a slack ``s >= 0``); the checker proves it is implied by
    the hypotheses (``witnesses`` may express fresh symbols it cannot solve for).
    """

    name: str
    form: str
    title: str
    hypotheses: tuple[Hypothesis, ...]
    statement: sp.Basic | None
    text: str
    proof: tuple[ProofStep, ...] = ()
    confidence: str = ""
    bound: BoundExpression | None = None
    proof_symbols: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    witnesses: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.form})" if self.form else self.name


def Eq(lhs: sp.Expr, rhs: sp.Expr) -> sp.Rel:
    """``sympy.Eq`` without evaluation (a proof step must stay a relation)."""
    return sp.Eq(lhs, rhs, evaluate=False)


def Ge(lhs: sp.Expr, rhs: sp.Expr) -> sp.Rel:
    return sp.Ge(lhs, rhs, evaluate=False)


def Le(lhs: sp.Expr, rhs: sp.Expr) -> sp.Rel:
    return sp.Le(lhs, rhs, evaluate=False)


def Gt(lhs: sp.Expr, rhs: sp.Expr) -> sp.Rel:
    return sp.Gt(lhs, rhs, evaluate=False)


def Lt(lhs: sp.Expr, rhs: sp.Expr) -> sp.Rel:
    return sp.Lt(lhs, rhs, evaluate=False)
