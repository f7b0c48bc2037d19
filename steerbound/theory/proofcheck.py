"""Checking a :class:`~steerbound.theory.results.model.Result`'s proof with sympy."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import sympy as sp

from steerbound.theory import lemmas
from steerbound.theory.results.model import ProofStep, Result
from steerbound.theory.sums import I, sum_normal


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


def _zero(e: sp.Expr, heavy: bool = True) -> bool:
    """``e == 0``: cheap canonical forms first; ``heavy`` adds ``simplify`` passes."""
    e = sum_normal(e)
    if lemmas.fast_zero(e):
        return True
    if not heavy:
        return False
    d = sp.simplify(e)
    if d == 0:
        return True
    d = sp.simplify(sp.expand_log(d.rewrite(sp.log)))
    return bool(d == 0 or sp.simplify(d.rewrite(sp.exp)) == 0)


def implies(fact: sp.Basic, target: sp.Basic, heavy: bool = True) -> bool:
    """``fact`` syntactically (up to simplification, or only up to cheap canonical forms if
    not ``heavy``) gives ``target``."""
    if not isinstance(fact, sp.Rel) or not isinstance(target, sp.Rel):
        return False
    kf, ef = _norm(fact)
    kt, et = _norm(target)
    if ef.free_symbols != et.free_symbols:
        return False  # cheap filter: a matching fact mentions the same symbols
    if kt == "eq":
        return kf == "eq" and (_zero(ef - et, heavy) or _zero(ef + et, heavy))
    if kt == "gt" and kf != "gt":
        return False
    if _zero(ef - et, heavy) or (kf == "eq" and _zero(ef + et, heavy)):
        return True
    if ef == 0:
        return False
    ratio = sp.cancel(sum_normal(et / ef))
    if not ratio.is_number and heavy:
        ratio = sp.simplify(et / ef)
    return bool(ratio.is_number and ratio.is_positive)  # positive rescaling


def _follows(target: sp.Basic, facts: list[sp.Basic]) -> bool:
    """Some fact gives ``target`` up to cheap canonical forms (premises are matched cheaply:
    a premise that no fact gives cheaply and sympy cannot decide is reported undecided)."""
    return any(implies(f, target, False) for f in facts)


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
    if any(implies(f, premise, False) for f in facts):
        return "passed", f"{premise} (established)"
    decided = _decide(premise)
    if decided is True:
        return "passed", f"{premise} (sympy)"
    if decided is False:
        return "failed", f"premise {premise} is false"
    return "undecided", f"premise {premise} undecided"


def _name(var: Any) -> str:
    if isinstance(var, sp.IndexedBase):
        return str(var.label)
    return var.__name__ if isinstance(var, sp.FunctionClass) else str(var)


def resolve(lem: lemmas.Lemma, mapping: dict[Any, sp.Expr]) -> dict[Any, sp.Expr]:
    """Mapping keys given by name are resolved to the lemma's variables; an unknown key is an
    error (a mistyped mapping must not silently leave a variable uninstantiated)."""
    by_name = {_name(v): v for v in lem.variables}
    out: dict[Any, sp.Expr] = {}
    for key, value in mapping.items():
        var = by_name.get(key) if isinstance(key, str) else key
        if var is None or var not in lem.variables:
            raise KeyError(f"lemma {lem.name!r} has no variable {key!r}")
        out[var] = sp.sympify(value)
    return out


def instantiate(expr: sp.Basic, mapping: dict[Any, sp.Expr]) -> sp.Basic:
    """Simultaneous structural substitution (symbols, ``IndexedBase``s), then undefined
    functions replaced by their ``Lambda``s."""
    plain = {k: v for k, v in mapping.items() if not isinstance(k, sp.FunctionClass)}
    out = expr.xreplace(plain)
    for fn, lam in mapping.items():
        if isinstance(fn, sp.FunctionClass):
            out = out.replace(fn, lam)
    return out


def _sign_ok(value: sp.Expr, attr: str, facts: list[sp.Basic]) -> bool | None:
    """``value`` has sign ``attr`` ("positive"/"nonnegative"): by sympy's assumptions, by a
    fact, factorwise for products and powers, or after rewriting in exponentials."""
    got = getattr(value, f"is_{attr}")
    if got is not None:
        return got
    target = sp.Gt(value, 0) if attr == "positive" else sp.Ge(value, 0)
    if _follows(target, facts):
        return True
    if attr == "nonnegative" and _sign_ok(value, "positive", facts):
        return True
    if isinstance(value, sp.Mul):
        signs = [_sign_ok(a, attr, facts) for a in value.args]
        if all(signs):
            return True
    if isinstance(value, sp.Pow) and value.exp.is_real and _sign_ok(value.base, "positive", facts):
        return True
    if value.has(sp.tanh, sp.cosh, sp.sinh):
        return getattr(sp.simplify(value.rewrite(sp.exp)), f"is_{attr}") or None
    return None


def _assumption_ok(var: Any, value: sp.Expr, facts: list[sp.Basic]) -> bool | None:
    """Sign assumptions must be established (sympy or the facts); realness only must not be
    refuted (the arguments of artanh are real by the range hypotheses). ``IndexedBase`` and
    function variables are checked on their ``i``-th term."""
    if isinstance(var, sp.IndexedBase):
        if not isinstance(value, sp.IndexedBase):
            return False
        var, value = var[I], value[I]
    elif isinstance(var, sp.FunctionClass):
        if not isinstance(value, sp.Lambda):
            return False
        var, value = var(I), value(I)
    for attr in ("positive", "nonnegative", "integer"):
        if getattr(var, f"is_{attr}"):
            got = value.is_integer if attr == "integer" else _sign_ok(value, attr, facts)
            if got is not True:
                return got
    if var.is_real and value.is_real is False:
        return False
    return True


def expand_defs(rel: sp.Basic, defs: dict[sp.Expr, sp.Expr]) -> sp.Basic:
    """Replace defined quantities (hypotheses ``symbol = expression``) by their definitions."""
    for _ in range(3):
        new = rel.subs(defs)
        if new == rel:
            break
        rel = new
    return rel


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
        return StepOutcome(step.name, "undecided", f"lemma {lem.name!r} without a mapping")
    try:
        mapping = resolve(lem, by.mapping)
    except KeyError as exc:
        return StepOutcome(step.name, "failed", str(exc))
    missing = [_name(v) for v in lem.variables if v not in mapping]
    if missing:
        return StepOutcome(step.name, "failed", f"lemma {lem.name!r}: {missing} not mapped")
    for var, value in mapping.items():
        fits = _assumption_ok(var, value, facts)
        if fits is not True:
            status = "failed" if fits is False else "undecided"
            return StepOutcome(step.name, status, f"{value} violates the assumptions of {var}")
    concl = instantiate(lem.conclusion, mapping)
    defs = defs or {}
    pairs = [(concl, rel)]
    if defs:
        pairs.append((expand_defs(concl, defs), expand_defs(rel, defs)))
    if not any(implies(a, b, h) for h in (False, True) for a, b in pairs):
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
