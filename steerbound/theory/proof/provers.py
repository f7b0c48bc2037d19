"""Named lemmas, each proved by sympy, to which the inequality steps of the proofs reduce.

A lemma is an implication ``premises => conclusion`` over its own symbols. Its proof is a
small sympy computation (derivative-sign chains, convexity, exact algebra). A proof that sympy
cannot decide returns ``"undecided"``, never ``"passed"``.

The workhorse is :func:`nonneg_on_halfline`: ``f >= 0`` on ``[a, inf)`` follows from
``f(a) >= 0`` and ``f' >= 0`` on ``[a, inf)``, applied recursively to ``f', f'', ...`` until
sympy's assumption system can decide the sign of a derivative outright.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

import sympy as sp

from steerbound.theory.proof import witness

#: The one set of verdicts of every check: a proof, a proof step, a property, a check record.
#: ``published (fails)`` marks a published form shown false on its counterexample (expected).
Status = Literal["passed", "failed", "undecided", "published (fails)"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: its status and a human-readable detail."""

    status: Status
    detail: str


#: A lemma's proof is a verdict (the name the engine has always used).
LemmaProof = Verdict


Prover = Callable[["Lemma"], LemmaProof]


@dataclass(frozen=True)
class Lemma:
    """``premises => conclusion`` for all values of ``variables`` allowed by their assumptions.

    ``method`` proves the lemma *from its statement*: it receives the lemma and reads its
    ``premises`` and ``conclusion`` (a generic method such as :func:`by_halfline`, or
    :func:`declared`, which proves a fixed implication and then checks that the stated one
    follows from it). :meth:`prove` also searches sample points for a counterexample to the
    statement (:func:`refute_numerically`): a statement false at a point fails.
    """

    name: str
    text: str
    variables: tuple[Any, ...]
    premises: tuple[sp.Rel, ...]
    conclusion: sp.Rel
    method: Prover

    def prove(self) -> LemmaProof:
        return _prove_cached(self)


@cache
def _prove_cached(lem: Lemma) -> LemmaProof:
    refuted = refute_numerically(lem)
    if refuted is not None:
        return refuted
    return lem.method(lem)


# ------------------------------------------------------------------ numeric refutation
def _sample(var: Any, rng: random.Random) -> float:
    if getattr(var, "is_integer", False):
        return float(rng.randint(1, 6))
    mag = rng.choice((0.05, 0.5, 1.0, 2.0, 5.0)) * rng.random()
    if getattr(var, "is_positive", False):
        return mag + 1e-3
    if getattr(var, "is_nonnegative", False):
        return 0.0 if rng.random() < 0.1 else mag
    return mag if rng.random() < 0.5 else -mag


_Side = tuple[type, sp.Basic, sp.Basic]


def _instance(lem: Lemma, rng: random.Random) -> tuple[list[_Side], _Side, dict[str, Any]]:
    """The premises (one per index ``i = 1..n`` for indexed ones) and the conclusion, as
    ``(relation type, lhs, rhs)`` with every variable replaced by a sampled value; sums of
    symbolic length get ``n`` terms (sides are kept apart: a numeric relation would evaluate)."""
    from steerbound.theory.proof.sums import I

    values: dict[Any, Any] = {}
    sizes = [v for v in lem.variables if isinstance(v, sp.Symbol) and v.is_integer]
    size = {v: rng.randint(1, 3) for v in sizes}
    n_max = max(size.values(), default=3)
    for v in lem.variables:
        if isinstance(v, sp.Symbol):
            values[v] = sp.Integer(size[v]) if v in size else sp.Float(_sample(v, rng), 20)
    sides: list[list[Any]] = [[type(r), r.lhs, r.rhs] for r in (*lem.premises, lem.conclusion)]

    def each(fn: Callable[[sp.Basic], sp.Basic]) -> None:
        for side in sides:
            side[1], side[2] = fn(side[1]), fn(side[2])

    each(lambda e: e.xreplace(values))
    for v in lem.variables:
        if isinstance(v, sp.IndexedBase):
            base = v
        elif isinstance(v, sp.FunctionClass):
            base = sp.IndexedBase(f"_{v.__name__}", real=True)
            each(_replacer(v, sp.Lambda(I, base[I])))
        else:
            continue
        like = v if isinstance(v, sp.IndexedBase) else sp.Dummy(real=True)
        vals = {base[j]: sp.Float(_sample(like, rng), 20) for j in range(1, n_max + 1)}
        each(lambda e: e.doit())
        each(_xreplacer(vals))
        values[v] = list(vals.values())
    premises: list[_Side] = []
    for kind, lhs, rhs in sides[:-1]:
        if lhs.has(I) or rhs.has(I):
            for j in range(1, n_max + 1):
                premises.append((kind, lhs.xreplace({I: j}), rhs.xreplace({I: j})))
        else:
            premises.append((kind, lhs, rhs))
    kind, lhs, rhs = sides[-1]
    return premises, (kind, lhs.doit(), rhs.doit()), {str(k): v for k, v in values.items()}


def _replacer(old: Any, new: Any) -> Callable[[sp.Basic], sp.Basic]:
    return lambda e: e.replace(old, new)


def _xreplacer(rule: dict[Any, Any]) -> Callable[[sp.Basic], sp.Basic]:
    return lambda e: e.xreplace(rule)


def _truth(rel: _Side, slack: float) -> bool | None:
    """``rel`` at a numeric point, up to a relative margin ``slack`` (negative: strict)."""
    kind, lhs_e, rhs_e = rel
    try:
        lhs, rhs = complex(sp.N(lhs_e, 20)), complex(sp.N(rhs_e, 20))
    except (TypeError, ValueError):
        return None
    if abs(lhs.imag) > 1e-12 or abs(rhs.imag) > 1e-12:
        return None
    a, b = lhs.real, rhs.real
    tol = slack * (1 + abs(a) + abs(b))
    if kind is sp.Equality:
        return abs(a - b) <= abs(tol)
    if issubclass(kind, (sp.GreaterThan, sp.StrictGreaterThan)):
        return a - b >= -tol
    return b - a >= -tol


def refute_numerically(lem: Lemma, samples: int = 16) -> LemmaProof | None:
    """A ``failed`` proof if the statement is false at a sampled point (premises hold with a
    margin, conclusion fails by a margin); ``None`` if no counterexample was found. Sampling
    only refutes: a lemma passes only through its ``method``. Deterministic (seeded by name)."""
    rng = random.Random(sum(map(ord, lem.name)))
    if any(isinstance(v, (sp.IndexedBase, sp.FunctionClass)) for v in lem.variables):
        samples = 6  # sums of symbolic length: each sample expands them (slow)
    for _ in range(samples):
        try:
            premises, conclusion, point = _instance(lem, rng)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if not all(_truth(p, -1e-9) for p in premises):
            continue  # premises must hold with a margin (strictly inside the domain)
        if _truth(conclusion, 1e-9) is False:
            return LemmaProof("failed", f"statement false at {point}")
    return None


# --------------------------------------------------------------------- generic methods
def _premise_bound(lem: Lemma, var: sp.Symbol) -> sp.Expr | None:
    """``a`` if some premise states ``var >= a`` (or ``a <= var``) with ``a`` free of ``var``."""
    for p in lem.premises:
        if isinstance(p, (sp.GreaterThan, sp.StrictGreaterThan)) and p.lhs == var:
            low = p.rhs
        elif isinstance(p, (sp.LessThan, sp.StrictLessThan)) and p.rhs == var:
            low = p.lhs
        else:
            continue
        if not low.has(var):
            return low
    return None


def _ge_difference(rel: sp.Rel) -> sp.Expr:
    """``e`` with ``rel`` equivalent to ``e >= 0`` (``>=``/``<=`` relations)."""
    if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan)):
        return rel.lhs - rel.rhs
    if isinstance(rel, (sp.LessThan, sp.StrictLessThan)):
        return rel.rhs - rel.lhs
    raise TypeError(f"not an inequality: {rel}")


def by_halfline(var: sp.Symbol) -> Prover:
    """Conclusion ``f >= g``, a premise ``var >= a``: :func:`nonneg_on_halfline` of ``f - g``
    on ``[a, inf)``. Without such a premise the lemma is not proved."""

    def method(lem: Lemma) -> LemmaProof:
        start = _premise_bound(lem, var)
        if start is None:
            return LemmaProof("failed", f"no premise {var} >= a: the chain needs a half-line")
        return nonneg_on_halfline(_ge_difference(lem.conclusion), var, start)

    return method


def by_even_halfline(var: sp.Symbol) -> Prover:
    """Conclusion ``f >= g`` with ``f - g`` even in ``var``: the chain on ``var >= 0``."""

    def method(lem: Lemma) -> LemmaProof:
        d = _ge_difference(lem.conclusion)
        return combine(is_zero(d.subs(var, -var) - d), nonneg_on_halfline(d, var, 0))

    return method


def by_identity(lem: Lemma) -> LemmaProof:
    """Conclusion ``lhs = rhs`` identically (no premises used)."""
    if not isinstance(lem.conclusion, sp.Equality):
        return LemmaProof("failed", "by_identity needs an equation")
    d = lem.conclusion.lhs - lem.conclusion.rhs
    return is_zero(d.rewrite(sp.exp) if d.has(sp.tanh, sp.cosh, sp.sinh) else d)


def by_monotone(hi: sp.Symbol, lo: sp.Symbol, derivative: sp.Expr | None = None) -> Prover:
    """Premise ``hi >= lo``; conclusion ``F(hi) >= F(lo)`` (``F`` increasing) or
    ``F(hi) <= F(lo)`` (decreasing): the conclusion's right side must be its left side with
    ``hi -> lo``, and the derivative's sign is decided (``derivative``: an expression proved
    equal to ``dF/dhi`` whose sign sympy decides)."""

    def method(lem: Lemma) -> LemmaProof:
        if _premise_bound(lem, hi) != lo:
            return LemmaProof("failed", f"no premise {hi} >= {lo}")
        c = lem.conclusion
        if c.lhs.has(lo) or c.lhs.xreplace({hi: lo}) != c.rhs:
            return LemmaProof("failed", f"conclusion is not F({hi}) vs F({lo})")
        increasing = isinstance(c, (sp.GreaterThan, sp.StrictGreaterThan))
        f = c.lhs if increasing else -c.lhs
        return positive_derivative(f, hi, derivative)

    return method


def _solve_slack(e: sp.Expr, var: Any, s: sp.Basic) -> sp.Expr | None:
    sol = sp.solve(sp.Eq(e, s), var, dict=False)
    return sol[0] if isinstance(sol, list) and len(sol) == 1 else None


def _relax_exponentials(e: sp.Expr, slacks: set[sp.Basic]) -> sp.Expr:
    """Replace ``exp(A + u)`` where ``u`` (the part with slack variables) is decided ``>= 0``
    (``<= 0``) by ``exp(A)(1 + t)`` (``exp(A)(1 - t)``) with a fresh ``t >= 0``: a stronger
    claim (it holds for every ``t >= 0``, in particular ``t = |e^u - 1|``), so sound."""
    from steerbound.theory.proof.sums import I

    def relax(arg: sp.Expr) -> sp.Expr:
        terms = sp.Add.make_args(sp.expand(arg))
        slack_part = sp.Add(*(t for t in terms if t.free_symbols & slacks or _has_base(t, slacks)))
        rest = sp.expand(arg) - slack_part
        if slack_part == 0:
            return sp.exp(arg)
        indexed = slack_part.has(I)
        t = (
            sp.IndexedBase(f"t_{len(seen)}", nonnegative=True)[I]
            if indexed
            else sp.Dummy("t", nonnegative=True)
        )
        seen.append(t)
        if slack_part.is_nonnegative:
            return sp.exp(rest) * (1 + t)
        if slack_part.is_nonpositive:
            return sp.exp(rest) * (1 - t)
        return sp.exp(arg)

    seen: list[sp.Basic] = []
    return e.replace(lambda a: isinstance(a, sp.exp), lambda a: relax(a.args[0]))


def _has_base(t: sp.Expr, slacks: set[sp.Basic]) -> bool:
    return any(i.base in slacks for i in t.atoms(sp.Indexed))


def by_slack(*solve_for: Any) -> Prover:
    """Each premise ``X >= Y`` (``X > Y``) is written ``X - Y = s`` with a fresh ``s >= 0``
    (``s > 0``) and solved for the next variable of ``solve_for`` (an undefined function
    ``f`` is replaced by ``Lambda(i, ...)`` with an indexed slack); the conclusion's
    difference, with exponentials of slacks relaxed (:func:`_relax_exponentials`), must then
    be nonnegative by sympy's assumptions (termwise for sums). Reads the premises and
    conclusion: a dropped premise leaves a variable unconstrained and the sign undecided."""

    def method(lem: Lemma) -> LemmaProof:
        from steerbound.theory.proof.sums import I, sum_nonnegative, sum_normal

        if len(solve_for) != len(lem.premises):
            return LemmaProof(
                "failed", f"{len(lem.premises)} premises, {len(solve_for)} variables to solve"
            )
        equation = isinstance(lem.conclusion, sp.Equality)
        diff = (
            lem.conclusion.lhs - lem.conclusion.rhs if equation else _ge_difference(lem.conclusion)
        )
        premises = list(lem.premises)
        slacks: set[sp.Basic] = set()
        steps = []
        for j, (var, prem) in enumerate(zip(solve_for, premises, strict=True)):
            strict = isinstance(prem, (sp.StrictGreaterThan, sp.StrictLessThan))
            if isinstance(prem, sp.Equality):
                value = _solve_slack(prem.lhs - prem.rhs, var, sp.Integer(0))
                if value is None:
                    return LemmaProof("undecided", f"cannot solve premise {prem} for {var}")
                diff = diff.xreplace({var: value})
                premises = [p.xreplace({var: value}) for p in premises]
                steps.append(f"{prem} solved for {var}")
                continue
            e = _ge_difference(prem)
            if isinstance(var, sp.FunctionClass):
                t = sp.IndexedBase(
                    f"s_{j}", **({"positive": True} if strict else {"nonnegative": True})
                )
                sub: Any = sp.Lambda(
                    I, sp.solve(sp.Eq(e.replace(var, sp.Lambda(I, _F[I])), t[I]), _F[I])[0]
                )
                slacks.add(t)
                replace = lambda x, v=var, s=sub: x.replace(v, s)  # noqa: E731
            else:
                s = (
                    sp.Symbol(f"s_{j}", positive=True)
                    if strict
                    else sp.Symbol(f"s_{j}", nonnegative=True)
                )
                value = _solve_slack(e, var, s)
                if value is None:
                    return LemmaProof("undecided", f"cannot solve premise {prem} for {var}")
                slacks.add(s)
                replace = lambda x, v=var, val=value: x.xreplace({v: val})  # noqa: E731
            diff = replace(diff)
            premises = [replace(p) if isinstance(p, sp.Basic) else p for p in premises]
            steps.append(f"{prem} as {var} = ... + slack")
        if equation:
            return combine(LemmaProof("passed", "; ".join(steps)), is_zero(sp.expand(diff)))
        relaxed = (
            sum_normal(_relax_exponentials(sp.expand(diff), slacks))
            if diff.has(sp.Sum)
            else (_relax_exponentials(sp.expand(diff), slacks))
        )
        if relaxed.has(sp.Sum):
            ok = sum_nonnegative(relaxed)
        else:
            num, den = sp.fraction(sp.together(sp.expand(relaxed)))
            ok = bool(
                (sp.expand(num).is_nonnegative and den.is_positive)
                or sp.factor(sp.together(relaxed)).is_nonnegative
            )
        detail = "; ".join(steps) + f"; difference {relaxed} >= 0"
        return LemmaProof("passed" if ok else "undecided", detail)

    return method


_F = sp.IndexedBase("_f", real=True)


def declared(
    premises: tuple[sp.Rel, ...], conclusion: sp.Rel, proof: Callable[[], LemmaProof]
) -> Prover:
    """A bespoke proof ``proof()`` of the fixed implication ``premises => conclusion``; the
    stated lemma passes only if each of these premises is one of the stated premises (so the
    stated lemma assumes at least as much) and the stated conclusion is this one."""

    def method(lem: Lemma) -> LemmaProof:
        missing = [p for p in premises if p not in lem.premises]
        if missing:
            return LemmaProof("failed", f"the proof needs premises {missing}, not stated")
        if lem.conclusion != conclusion:
            return LemmaProof("failed", f"proved {conclusion}, stated {lem.conclusion}")
        return proof()

    return method


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
