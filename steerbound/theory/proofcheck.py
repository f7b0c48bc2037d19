"""Checking a :class:`~steerbound.theory.results.model.Result`'s proof with sympy."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from steerbound.theory import lemmas
from steerbound.theory.results.model import ProofStep, Result


@dataclass(frozen=True)
class StepOutcome:
    step: str
    status: str  # "passed" | "failed" | "undecided"
    detail: str


def _norm(rel: sp.Basic) -> tuple[str, sp.Expr]:
    """``(kind, e)`` with the relation equivalent to ``e >= 0`` (kind "ge"), ``e > 0`` ("gt")
    or ``e == 0`` ("eq")."""
    if isinstance(rel, sp.Equality):
        return "eq", rel.lhs - rel.rhs
    if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan)):
        return ("gt" if isinstance(rel, sp.StrictGreaterThan) else "ge"), rel.lhs - rel.rhs
    if isinstance(rel, (sp.LessThan, sp.StrictLessThan)):
        return ("gt" if isinstance(rel, sp.StrictLessThan) else "ge"), rel.rhs - rel.lhs
    raise TypeError(f"not a relation: {rel}")


def _zero(e: sp.Expr) -> bool:
    if lemmas.fast_zero(e):
        return True
    d = sp.simplify(e)
    if d == 0:
        return True
    d = sp.simplify(sp.expand_log(d.rewrite(sp.log)))
    return bool(d == 0 or sp.simplify(d.rewrite(sp.exp)) == 0)


def implies(fact: sp.Basic, target: sp.Basic) -> bool:
    """``fact`` syntactically (up to simplification) gives ``target``."""
    if not isinstance(fact, sp.Rel) or not isinstance(target, sp.Rel):
        return False
    kf, ef = _norm(fact)
    kt, et = _norm(target)
    if ef.free_symbols != et.free_symbols:
        return False  # cheap filter: a matching fact mentions the same symbols
    if kt == "eq":
        return kf == "eq" and (_zero(ef - et) or _zero(ef + et))
    if kt == "gt" and kf != "gt":
        return False
    if _zero(ef - et) or (kf == "eq" and _zero(ef + et)):
        return True
    ratio = sp.simplify(et / ef) if ef != 0 else sp.nan
    return bool(ratio.is_number and ratio.is_positive)  # positive rescaling


def _decide(rel: sp.Basic) -> bool | None:
    if rel is sp.true:
        return True
    if rel is sp.false:
        return False
    kind, e = _norm(rel)
    e = sp.expand(e)
    if e.is_nonnegative is None:
        e = sp.simplify(e)
    if kind == "eq":
        return True if _zero(e) else (False if e.is_nonzero else None)
    if kind == "ge":
        return True if e.is_nonnegative else (False if e.is_negative else None)
    return True if e.is_positive else (False if e.is_nonpositive else None)


def _discharge(premise: sp.Basic, facts: list[sp.Basic]) -> tuple[str, str]:
    if premise is sp.true:
        return "passed", "premise holds identically"
    if any(implies(f, premise) for f in facts):
        return "passed", f"{premise} (established)"
    decided = _decide(premise)
    if decided is True:
        return "passed", f"{premise} (sympy)"
    if decided is False:
        return "failed", f"premise {premise} is false"
    return "undecided", f"premise {premise} undecided"


def _assumption_ok(var: sp.Symbol, value: sp.Expr) -> bool | None:
    """Sign assumptions must be decided by sympy; realness only must not be refuted (the
    arguments of artanh are real by the range hypotheses, which sympy cannot use)."""
    for attr in ("positive", "nonnegative", "integer"):
        if var.assumptions0.get(attr):
            got = getattr(value, f"is_{attr}")
            if got is not True:
                return got
    if var.assumptions0.get("real") and value.is_real is False:
        return False
    return True


def check_step(step: ProofStep, result: Result, facts: list[sp.Basic]) -> StepOutcome:
    by = step.by
    rel = step.relation
    if by.kind == "algebra":
        kind, e = _norm(rel)
        e = e.subs(by.given) if by.given else e
        if kind == "eq":
            ok = _zero(e)
            return StepOutcome(
                step.name,
                "passed" if ok else "failed",
                "simplify(lhs - rhs) == 0" if ok else f"lhs - rhs = {sp.simplify(e)}",
            )
        decided = _decide(sp.Ge(e, 0) if kind == "ge" else sp.Gt(e, 0))
        status = {True: "passed", False: "failed", None: "undecided"}[decided]
        return StepOutcome(step.name, status, f"sign of {sp.simplify(e)} by sympy assumptions")
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
        return StepOutcome(step.name, "passed", f"lemma {lem.name!r} applied termwise")
    for var, value in by.mapping.items():
        fits = _assumption_ok(var, value)
        if fits is not True:
            status = "failed" if fits is False else "undecided"
            return StepOutcome(step.name, status, f"{value} violates the assumptions of {var}")
    concl = lem.conclusion.subs(by.mapping, simultaneous=True)
    if not implies(concl, rel):
        return StepOutcome(step.name, "failed", f"lemma {lem.name!r} gives {concl}, not {rel}")
    outcomes = [_discharge(p.subs(by.mapping, simultaneous=True), facts) for p in lem.premises]
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
    if not _zero(chain[0].lhs - stmt.lhs):
        return StepOutcome("chain", "failed", f"chain starts at {chain[0].lhs}, not {stmt.lhs}")
    for prev, nxt in itertools.pairwise(chain):
        if not _zero(prev.rhs - nxt.lhs):
            return StepOutcome("chain", "failed", f"chain breaks: {prev.rhs} vs {nxt.lhs}")
    if not _zero(chain[-1].rhs - stmt.rhs):
        return StepOutcome("chain", "failed", f"chain ends at {chain[-1].rhs}, not {stmt.rhs}")
    return StepOutcome("chain", "passed", f"{len(chain)} chain steps compose to the statement")


def check_proof(result: Result) -> list[StepOutcome]:
    facts: list[sp.Basic] = [
        h.relation.subs(result.proof_symbols)
        for h in result.hypotheses
        if isinstance(h.relation, sp.Rel)
    ]
    out = []
    for step in result.proof:
        outcome = check_step(step, result, facts)
        out.append(outcome)
        if outcome.status == "passed":
            facts.append(step.relation)
    if result.proof:
        out.append(check_chain(result))
    return out
