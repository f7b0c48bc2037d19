"""Matching relations: canonical forms, implication between relations, and the
instantiation of a lemma under a mapping (with the sign assumptions of its variables)."""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any

import sympy as sp

from steerbound.theory.proof import provers, witness
from steerbound.theory.proof.sums import I, sum_normal


def norm(rel: sp.Basic) -> tuple[str, sp.Expr]:
    """``(kind, e)`` with the relation equivalent to ``e >= 0`` (kind "ge"), ``e > 0`` ("gt")
    or ``e == 0`` ("eq")."""
    if isinstance(rel, sp.Equality):
        return "eq", rel.lhs - rel.rhs
    if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan)):
        return ("gt" if isinstance(rel, sp.StrictGreaterThan) else "ge"), rel.lhs - rel.rhs
    if isinstance(rel, (sp.LessThan, sp.StrictLessThan)):
        return ("gt" if isinstance(rel, sp.StrictLessThan) else "ge"), rel.rhs - rel.lhs
    raise TypeError(f"not a relation: {rel}")


@lru_cache(maxsize=8192)
def is_zero_expr(e: sp.Expr, heavy: bool = True) -> bool:
    """``e == 0``: cheap canonical forms first; ``heavy`` adds ``simplify`` passes. Nothing
    is tried when ``e`` is non-zero at an allowed sample point (:mod:`~steerbound.theory.witness`):
    no simplification could then prove it zero. Memoised (proof checks share many terms)."""
    e = sum_normal(e)
    if e == 0:
        return True
    if witness.nonzero_at_a_point(e):
        return False
    if provers.fast_zero(e):
        return True
    if not heavy:
        return False
    d = sp.simplify(e)
    if d == 0:
        return True
    d = sp.simplify(sp.expand_log(d.rewrite(sp.log)))
    return bool(d == 0 or sp.simplify(d.rewrite(sp.exp)) == 0)


@lru_cache(maxsize=16384)
def implies(fact: sp.Basic, target: sp.Basic, heavy: bool = True) -> bool:
    """``fact`` syntactically (up to simplification, or only up to cheap canonical forms if
    not ``heavy``) gives ``target``. Memoised: a pure function of its (hashable) arguments."""
    if not isinstance(fact, sp.Rel) or not isinstance(target, sp.Rel):
        return False
    kf, ef = norm(fact)
    kt, et = norm(target)
    if ef.free_symbols != et.free_symbols:
        return False  # cheap filter: a matching fact mentions the same symbols
    if heavy and (ef.has(sp.Min, sp.Max, sp.Sum) or et.has(sp.Min, sp.Max, sp.Sum)):
        heavy = False  # simplify is slow and does not help on these: canonical forms only
    if kt == "eq":
        return kf == "eq" and (is_zero_expr(ef - et, heavy) or is_zero_expr(ef + et, heavy))
    if kt == "gt" and kf != "gt":
        return False
    if is_zero_expr(ef - et, heavy) or (kf == "eq" and is_zero_expr(ef + et, heavy)):
        return True
    if ef == 0 or witness.not_a_positive_constant(et / ef):
        return False  # sample values show the ratio is not a positive constant: skip cancel
    ratio = sp.cancel(sum_normal(et / ef))
    if not ratio.is_number and heavy:
        ratio = sp.simplify(et / ef)
    return bool(ratio.is_number and ratio.is_positive)  # positive rescaling


def follows(target: sp.Basic, facts: list[sp.Basic]) -> bool:
    """Some fact gives ``target`` up to cheap canonical forms (premises are matched cheaply:
    a premise that no fact gives cheaply and sympy cannot decide is reported undecided)."""
    return any(implies(f, target, False) for f in facts)


def argumentwise(a: sp.Expr, b: sp.Expr) -> bool:
    """``Min``/``Max`` of pairwise equal arguments are equal (sound, cheap)."""
    if not (isinstance(a, (sp.Min, sp.Max)) and type(a) is type(b) and len(a.args) == len(b.args)):
        return False
    return any(
        all(is_zero_expr(x - y) for x, y in zip(a.args, perm, strict=True))
        for perm in itertools.permutations(b.args)
    )


@lru_cache(maxsize=4096)
def decide(rel: sp.Basic) -> bool | None:
    """``True`` if sympy proves ``rel`` for every value allowed by the symbols' assumptions,
    ``False`` if it is refuted (its negation proved, or a counterexample at an allowed sample
    point: :mod:`~steerbound.theory.witness`), ``None`` otherwise."""
    if rel is sp.true:
        return True
    if rel is sp.false:
        return False
    kind, e = norm(rel)
    e = sp.expand(e)
    if refuted_at_a_point(kind, e):
        return False
    if e.is_nonnegative is None:
        e = sp.simplify(e)
    if kind == "eq":
        return True if is_zero_expr(e) else (False if e.is_nonzero else None)
    if kind == "ge":
        return True if e.is_nonnegative else (False if e.is_negative else None)
    return True if e.is_positive else (False if e.is_nonpositive else None)


def refuted_at_a_point(kind: str, e: sp.Expr) -> bool:
    """``e == 0`` / ``e >= 0`` / ``e > 0`` (``kind`` "eq"/"ge"/"gt") fails at an allowed point."""
    if kind == "eq":
        return witness.nonzero_at_a_point(e)
    return witness.negative_at_a_point(e)  # "ge" and "gt" (a value near 0 refutes nothing)


def var_name(var: Any) -> str:
    if isinstance(var, sp.IndexedBase):
        return str(var.label)
    return var.__name__ if isinstance(var, sp.FunctionClass) else str(var)


def resolve(lem: provers.Lemma, mapping: dict[Any, sp.Expr]) -> dict[Any, sp.Expr]:
    """Mapping keys given by name are resolved to the lemma's variables; an unknown key is an
    error (a mistyped mapping must not silently leave a variable uninstantiated)."""
    by_name = {var_name(v): v for v in lem.variables}
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
    if follows(target, facts):
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


def assumption_ok(var: Any, value: sp.Expr, facts: list[sp.Basic]) -> bool | None:
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
