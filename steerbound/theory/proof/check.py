"""Checking a :class:`~steerbound.theory.results.model.Result`'s proof with sympy."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp

from steerbound.theory import lemmas
from steerbound.theory.proof import witness
from steerbound.theory.proof.matching import (
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
from steerbound.theory.proof.model import ProofStep, Result
from steerbound.theory.proof.provers import Status


@dataclass(frozen=True)
class StepOutcome:
    """The verdict on one proof step (or on the chain, parametrisation, citations)."""

    step: str
    status: Status
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


def _discharge(premise: sp.Basic, facts: list[sp.Basic]) -> tuple[Status, str]:
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
    status: Status
    if by.kind == "algebra":
        if rel.has(sp.Derivative, sp.Subs):
            rel = rel.func(rel.lhs.doit(), rel.rhs.doit(), evaluate=False)
        kind, e = norm(rel)
        # xreplace too: a given on an indexed term x[i] applies inside sums over i
        e = e.subs(by.given).xreplace(by.given) if by.given else e
        if kind == "eq":
            ok = argumentwise(rel.lhs.subs(by.given), rel.rhs.subs(by.given)) or is_zero_expr(e)
            if not ok and e.has(sp.Sum, sp.Product):
                ok = is_zero_expr(sp.simplify(e.doit()))
            detail = "simplify(lhs - rhs) == 0" if ok else f"lhs - rhs = {e} != 0"
            if not ok:
                detail += _at_point(sp.Eq(e, 0))
            return StepOutcome(step.name, "passed" if ok else "failed", detail)
        target = sp.Ge(e, 0) if kind == "ge" else sp.Gt(e, 0)
        decided = decide(target)
        verdicts: dict[bool | None, Status] = {True: "passed", False: "failed", None: "undecided"}
        status = verdicts[decided]
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
        status = _proof_status(defn.label) if defn.proof else "undecided"
        if ok and status != "passed":
            return StepOutcome(step.name, status, f"{by.name} is not proved ({status})")
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
            bad_fit: Status = "failed" if fits is False else "undecided"
            return StepOutcome(step.name, bad_fit, f"{value} violates the assumptions of {var}")
    concl = instantiate(lem.conclusion, mapping)
    if not _matches(concl, rel, defs or {}):
        return StepOutcome(step.name, "failed", f"lemma {lem.name!r} gives {concl}, not {rel}")
    outcomes = [_discharge(instantiate(p, mapping), facts) for p in lem.premises]
    worst: tuple[Status, ...] = ("failed", "undecided")
    for status in worst:
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


def _hypothesis_facts(result: Result) -> list[sp.Basic]:
    """The hypotheses' relations in the statement's symbols, plus ``a >= m`` for every
    argument ``a`` of a definition ``m = Min(...)`` (``a <= m`` for ``Max``)."""
    out: list[sp.Basic] = [h.relation for h in result.hypotheses if isinstance(h.relation, sp.Rel)]
    for rel in list(out):
        if isinstance(rel, sp.Equality) and isinstance(rel.rhs, (sp.Min, sp.Max)):
            for arg in rel.rhs.args:
                out.append(
                    sp.Ge(arg, rel.lhs) if isinstance(rel.rhs, sp.Min) else sp.Le(arg, rel.lhs)
                )
    return out


def _follows_from(target: sp.Basic, facts: list[sp.Basic]) -> bool:
    """``target`` is a fact up to canonical forms or a positive (sympy-decided) factor."""
    if any(implies(f, target) for f in facts):
        return True
    kt, et = norm(target)
    for f in facts:
        if not isinstance(f, sp.Rel):
            continue
        kf, ef = norm(f)
        if ef == 0 or (kt == "gt" and kf != "gt") or (kf == "eq") != (kt == "eq"):
            continue
        ratio = sp.cancel(sp.together(et / ef))
        if (ratio.is_positive or (kt == "eq" and ratio.is_nonzero)) and not ratio.has(sp.zoo):
            return True
    return False


def _sign_from(value: sp.Expr, attr: str, facts: list[sp.Basic]) -> bool:
    got = getattr(sp.simplify(value), f"is_{attr}")
    if got:
        return True
    target = sp.Gt(value, 0) if attr == "positive" else sp.Ge(value, 0)
    return _follows_from(target, facts)


def check_parametrisation(result: Result) -> StepOutcome | None:
    """Every substitution the proof works under (``proof_symbols`` and the ``given`` of
    algebra steps) is implied by the hypotheses: fresh symbols are solved for (or taken from
    the declared witnesses), each fresh symbol's sign assumption must follow from a
    hypothesis at its witness value, and each substitution must then hold identically,
    modulo the hypotheses' equations."""
    subs: dict[sp.Basic, sp.Expr] = dict(result.proof_symbols)
    declared: dict[sp.Basic, sp.Expr] = dict(result.witnesses)
    for step in result.proof:
        if step.by.kind == "algebra":
            for key, value in step.by.given.items():
                if key in subs and not is_zero_expr(subs[key] - value):
                    subs[(key, step.name)] = value  # type: ignore[index]
                else:
                    subs[key] = value
            declared.update(step.by.witness)
    if not subs:
        return None
    pairs = [(k[0] if isinstance(k, tuple) else k, v) for k, v in subs.items()]
    facts = _hypothesis_facts(result)
    own: set[sp.Basic] = set()
    for h in result.hypotheses:
        if isinstance(h.relation, sp.Basic):
            own |= h.relation.free_symbols
    if isinstance(result.statement, sp.Basic):
        own |= result.statement.free_symbols
    own |= {k for k, _ in pairs}
    fresh = sorted({s for _, v in pairs for s in v.free_symbols} - own, key=str)
    witness = {k: v for k, v in declared.items() if k in fresh}
    todo = [f for f in fresh if f not in witness]
    progress = True
    while todo and progress:  # solve equations with one unknown fresh symbol, repeatedly
        progress = False
        for k, v in pairs:
            unknown = [f for f in todo if f in v.xreplace(witness).free_symbols]
            if len(unknown) != 1:
                continue
            sol = sp.solve(sp.Eq(k, v.xreplace(witness), evaluate=False), unknown[0], dict=True)
            if len(sol) == 1 and unknown[0] in sol[0]:
                witness[unknown[0]] = sol[0][unknown[0]]
                todo.remove(unknown[0])
                progress = True
    if todo:
        eqs = [sp.Eq(k, v.xreplace(witness), evaluate=False) for k, v in pairs]
        sol = sp.solve([e for e in eqs if e.free_symbols & set(todo)], todo, dict=True)
        if len(sol) != 1 or set(sol[0]) != set(todo):
            return StepOutcome(
                "parametrisation", "undecided", f"cannot express {todo} in the hypotheses' terms"
            )
        witness.update(sol[0])
    details = []
    for f in fresh:
        for attr in ("positive", "nonnegative"):
            if getattr(f, f"is_{attr}") and not _sign_from(witness[f], attr, facts):
                return StepOutcome(
                    "parametrisation",
                    "failed",
                    f"{f} = {witness[f]} must be {attr}: no hypothesis gives it",
                )
        details.append(f"{f} = {witness[f]}")
    equations = [
        f for f in facts if isinstance(f, sp.Equality) and not f.has(sp.Sum, sp.Min, sp.Max)
    ]
    for key, value in pairs:
        target = sp.Eq(key, value.xreplace(witness), evaluate=False)
        if is_zero_expr(target.lhs - target.rhs) or _follows_from(target, facts):
            continue
        solvable = [s for s in target.free_symbols if any(e.has(s) for e in equations)]
        reduced = None
        if equations and solvable:
            sol = sp.solve(equations, solvable, dict=True)
            if len(sol) == 1:
                reduced = sp.simplify((target.lhs - target.rhs).subs(sol[0]))
        if reduced is None or reduced != 0:
            return StepOutcome(
                "parametrisation", "failed", f"{key} = {value} does not follow from the hypotheses"
            )
    return StepOutcome(
        "parametrisation", "passed", "implied by the hypotheses; " + ", ".join(details)
    )


def check_citations(result: Result) -> StepOutcome | None:
    """Each hypothesis that cites an earlier result is given by that result's statement and
    that result's own proof passes (no result cites itself or a later one)."""
    cited = [h for h in result.hypotheses if h.cites]
    if not cited:
        return None
    from steerbound.theory.results import registry

    order = [r.label for r in registry.all_results()]
    for h in cited:
        if h.cites not in order or result.label not in order:
            return StepOutcome("citations", "failed", f"unknown result {h.cites!r}")
        if order.index(h.cites) >= order.index(result.label):
            return StepOutcome("citations", "failed", f"{h.cites} is not an earlier result")
        source = registry.by_label(h.cites)
        if source.statement is None or not source.proof:
            return StepOutcome("citations", "failed", f"{h.cites} has no proof")
        if h.relation is None or not implies(source.statement.xreplace(h.mapping), h.relation):
            return StepOutcome(
                "citations", "failed", f"{h.name}: {h.relation} is not {h.cites}'s statement"
            )
        interface = source.statement.free_symbols
        facts = _hypothesis_facts(result)
        for need in source.hypotheses:
            rel = need.relation
            if not isinstance(rel, sp.Rel) or not rel.free_symbols <= interface:
                continue  # a definition of the cited result's own quantities
            mapped = rel.xreplace(h.mapping)
            if not _follows_from(mapped, facts):
                return StepOutcome(
                    "citations",
                    "failed",
                    f"{h.cites} needs its hypothesis {need.name} ({mapped}): not a hypothesis",
                )
        status = _proof_status(h.cites)
        if status != "passed":
            return StepOutcome("citations", status, f"{h.cites}: proof {status}")
    return StepOutcome("citations", "passed", ", ".join(h.cites for h in cited))


_STATUS: dict[str, Status] = {}


def _proof_status(label: str) -> Status:
    if label not in _STATUS:
        from steerbound.theory.results import registry

        outcomes = check_proof(registry.by_label(label))
        bad = [o.status for o in outcomes if o.status != "passed"]
        _STATUS[label] = "failed" if "failed" in bad else ("undecided" if bad else "passed")
    return _STATUS[label]


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
        for extra in (check_parametrisation(result), check_citations(result)):
            if extra is not None:
                out.append(extra)
    return out
