"""Checking a :class:`~steerbound.theory.results.model.Result`'s proof with sympy."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp

from steerbound.theory import lemmas, witness
from steerbound.theory.matching import (
    argumentwise,
    assumption_ok,
    decide,
    expand_defs,
    implies,
    instantiate,
    is_zero_expr,
    norm,
    refuted_at_a_point,
    resolve,
    var_name,
)
from steerbound.theory.results.model import ProofStep, Result


@dataclass(frozen=True)
class StepOutcome:
    step: str
    status: str  # "passed" | "failed" | "undecided"
    detail: str


def _at_point(rel: sp.Basic) -> str:
    """Where a refuted relation ``e (=|>=|>) 0`` fails (an allowed sample point), if it does."""
    if not isinstance(rel, sp.Rel):
        return ""
    kind, e = norm(rel)
    e = sp.expand(e)
    if not refuted_at_a_point(kind, e):
        return ""
    return f" at {witness.point(e)}, difference {witness.evaluate(e):.6g}"


def _negation_known(rel: sp.Rel) -> bool:
    """sympy's assumptions (no simplification) decide that ``rel`` is false everywhere."""
    kind, e = norm(rel)
    e = sp.expand(e)
    return bool(
        e.is_nonzero if kind == "eq" else (e.is_negative if kind == "ge" else e.is_nonpositive)
    )


def _discharge(premise: sp.Basic, facts: list[sp.Basic]) -> tuple[str, str]:
    if premise is sp.true:
        return "passed", "premise holds identically"
    if any(implies(f, premise, False) for f in facts):
        return "passed", f"{premise} (established)"
    decided = decide(premise)
    if decided is True:
        return "passed", f"{premise} (sympy)"
    if decided is False:
        where = _at_point(premise)
        if where and not _negation_known(premise):
            # False at an allowed point: not implied by the symbols' assumptions alone, yet it
            # may follow from the hypotheses, which are only matched syntactically.
            return "undecided", f"premise {premise} not established (fails{where})"
        return "failed", f"premise {premise} is false"
    return "undecided", f"premise {premise} undecided"


def _matches(concl: sp.Basic, rel: sp.Basic, defs: dict[sp.Expr, sp.Expr]) -> bool:
    """The lemma's instantiated conclusion gives the step: as written, then with the defined
    quantities expanded (computed only when needed); cheap canonical forms before simplify."""
    expanded: list[tuple[sp.Basic, sp.Basic]] = []

    def pairs() -> Iterator[tuple[sp.Basic, sp.Basic]]:
        yield concl, rel
        if defs:
            if not expanded:
                expanded.append((expand_defs(concl, defs), expand_defs(rel, defs)))
            yield expanded[0]

    return any(implies(a, b, heavy) for heavy in (False, True) for a, b in pairs())


def check_step(
    step: ProofStep,
    result: Result,
    facts: list[sp.Basic],
    defs: dict[sp.Expr, sp.Expr] | None = None,
) -> StepOutcome:
    """Check one step against the facts (hypotheses and earlier passed steps); ``defs`` are
    the definitional hypotheses used to match a lemma's conclusion written with sums."""
    by = step.by
    rel = step.relation
    if by.kind == "algebra":
        kind, e = norm(rel)
        e = e.subs(by.given) if by.given else e
        if kind == "eq":
            ok = argumentwise(rel.lhs.subs(by.given), rel.rhs.subs(by.given)) or is_zero_expr(e)
            detail = "simplify(lhs - rhs) == 0" if ok else f"lhs - rhs = {e} != 0"
            if not ok:
                detail += _at_point(sp.Eq(e, 0))
            return StepOutcome(step.name, "passed" if ok else "failed", detail)
        target = sp.Ge(e, 0) if kind == "ge" else sp.Gt(e, 0)
        decided = decide(target)
        status = {True: "passed", False: "failed", None: "undecided"}[decided]
        where = _at_point(target) if decided is False else ""
        return StepOutcome(step.name, status, f"sign of {e} by sympy assumptions{where}")
    if by.kind == "hypothesis":
        hyp = [h for h in result.hypotheses if h.name == by.name]
        if hyp and hyp[0].relation is not None:
            target = hyp[0].relation.subs(result.proof_symbols)
            if implies(target, rel):
                return StepOutcome(step.name, "passed", f"hypothesis {by.name}")
        return StepOutcome(step.name, "failed", f"not the hypothesis {by.name!r}")
    if by.kind == "definition":
        from steerbound.theory.results import registry

        defn = registry.definitions().get(by.name)
        if defn is None or defn.statement is None:
            return StepOutcome(step.name, "failed", f"unknown definition {by.name!r}")
        inst = defn.statement.subs(by.mapping or {})
        ok = implies(inst, rel)
        return StepOutcome(
            step.name,
            "passed" if ok else "failed",
            f"instance of {by.name}" if ok else f"{rel} is not {inst}",
        )
    lem = lemmas.get(by.name)
    proof = lem.prove()
    if proof.status != "passed":
        return StepOutcome(step.name, proof.status, f"lemma {lem.name}: {proof.detail}")
    if by.mapping is None:
        return StepOutcome(step.name, "undecided", f"lemma {lem.name!r} without a mapping")
    try:
        mapping = resolve(lem, by.mapping)
    except KeyError as exc:
        return StepOutcome(step.name, "failed", str(exc))
    missing = [var_name(v) for v in lem.variables if v not in mapping]
    if missing:
        return StepOutcome(step.name, "failed", f"lemma {lem.name!r}: {missing} not mapped")
    for var, value in mapping.items():
        fits = assumption_ok(var, value, facts)
        if fits is not True:
            status = "failed" if fits is False else "undecided"
            return StepOutcome(step.name, status, f"{value} violates the assumptions of {var}")
    concl = instantiate(lem.conclusion, mapping)
    if not _matches(concl, rel, defs or {}):
        return StepOutcome(step.name, "failed", f"lemma {lem.name!r} gives {concl}, not {rel}")
    outcomes = [_discharge(instantiate(p, mapping), facts) for p in lem.premises]
    for status in ("failed", "undecided"):
        bad = [d for s, d in outcomes if s == status]
        if bad:
            return StepOutcome(step.name, status, "; ".join(bad))
    return StepOutcome(step.name, "passed", f"lemma {lem.name!r}")


def check_chain(result: Result) -> StepOutcome:
    """The chain steps compose to the statement by transitivity."""
    stmt = result.statement
    chain = [s.relation for s in result.proof if s.chain]
    if stmt is None or not chain:
        return StepOutcome("chain", "undecided", "no statement or no chain")
    if isinstance(stmt, sp.Equality) and sp.Order in {type(a) for a in sp.preorder_traversal(stmt)}:
        return StepOutcome("chain", "undecided", "asymptotic statement")
    stmt = stmt.subs(result.proof_symbols)
    want = (
        "ge"
        if isinstance(stmt, (sp.GreaterThan, sp.StrictGreaterThan))
        else ("le" if isinstance(stmt, (sp.LessThan, sp.StrictLessThan)) else "eq")
    )
    dirs = set()
    for r in chain:
        if isinstance(r, sp.Equality):
            continue
        dirs.add("ge" if isinstance(r, (sp.GreaterThan, sp.StrictGreaterThan)) else "le")
    if dirs - {want}:
        return StepOutcome("chain", "failed", f"chain directions {dirs} vs statement {want}")
    if not is_zero_expr(chain[0].lhs - stmt.lhs):
        return StepOutcome("chain", "failed", f"chain starts at {chain[0].lhs}, not {stmt.lhs}")
    for prev, nxt in itertools.pairwise(chain):
        if not is_zero_expr(prev.rhs - nxt.lhs):
            return StepOutcome("chain", "failed", f"chain breaks: {prev.rhs} vs {nxt.lhs}")
    if not is_zero_expr(chain[-1].rhs - stmt.rhs):
        return StepOutcome("chain", "failed", f"chain ends at {chain[-1].rhs}, not {stmt.rhs}")
    return StepOutcome("chain", "passed", f"{len(chain)} chain steps compose to the statement")


def check_proof(result: Result) -> list[StepOutcome]:
    facts: list[sp.Basic] = [
        h.relation.subs(result.proof_symbols)
        for h in result.hypotheses
        if isinstance(h.relation, sp.Rel)
    ]
    defs = {
        f.lhs: f.rhs
        for f in facts
        if isinstance(f, sp.Equality) and isinstance(f.lhs, (sp.Symbol, sp.Indexed))
    }
    out = []
    for step in result.proof:
        outcome = check_step(step, result, facts, defs)
        out.append(outcome)
        if outcome.status == "passed":
            facts.append(step.relation)
    if result.proof:
        out.append(check_chain(result))
    return out
