"""Checks that are not properties of one bound expression: the numeric (stable) forms, the fit
forms, Proposition 1's gradient, Assumption 3's 1/k, the expected-helpfulness expansion,
Corollary 2's limit and Corollary 3's expansion."""

from __future__ import annotations

import itertools

import sympy as sp

from steerbound.theory import expressions as E
from steerbound.theory import fitforms as F
from steerbound.theory import symbols as S
from steerbound.theory.numerics import expand_primitives
from steerbound.theory.proof.provers import Status, is_zero
from steerbound.theory.properties import Outcome

r = S.r_e


def _same(a: sp.Expr, b: sp.Expr) -> tuple[Status, str]:
    """Compare two expressions, peeling matching Max/Min wrappers argument by argument."""
    if isinstance(a, (sp.Max, sp.Min)) and type(a) is type(b) and len(a.args) == len(b.args):
        for perm in itertools.permutations(b.args):
            outs = [_same(x, y) for x, y in zip(a.args, perm, strict=True)]
            if all(s == "passed" for s, _ in outs):
                return "passed", "argumentwise: " + "; ".join(d for _, d in outs)
        return "undecided", f"no argument matching for {type(a).__name__}"
    diff = a - b
    signs = [e.args[0] for e in diff.atoms(sp.sign)]
    if signs:  # split into the cases arg = +w and arg = -w (w > 0); arg = 0 is continuous
        w = sp.Symbol("w", positive=True)
        arg = signs[0]
        sym = next(s for s in sorted(arg.free_symbols, key=str) if sp.degree(arg, s) == 1)
        cases = [is_zero(diff.subs(sym, sp.solve(sp.Eq(arg, t * w), sym)[0])) for t in (1, -1)]
        status: Status = (
            "passed"
            if all(o.status == "passed" for o in cases)
            else ("failed" if any(o.status == "failed" for o in cases) else "undecided")
        )
        return status, f"cases sign({arg}) = +-1: " + "; ".join(o.detail for o in cases)
    p = is_zero(diff)
    return p.status, p.detail


def stable_form(bound: E.BoundExpression) -> Outcome:
    """The lambdified stable form equals the statement's expression (primitives expanded)."""
    status, detail = _same(expand_primitives(bound.stable), bound.target)
    return "numeric form == statement", status, detail


def fit_form(fit: F.FitForm) -> Outcome:
    back = fit.form.expr.subs(fit.back_substitution)
    p = is_zero(back - fit.source.expr)
    stable = is_zero(expand_primitives(fit.form.stable) - fit.form.expr)
    status = p.status if p.status != "passed" else stable.status
    return (
        f"{fit.name}: back-substitution gives the theorem",
        status,
        f"{fit.back_substitution}: {p.detail}; stable form: {stable.detail}",
    )


def proposition1() -> list[Outcome]:
    """Gradient of the DPO-like and contrast losses w.r.t. the last hidden state (3 tokens, d=2)."""
    h = sp.Matrix(sp.symbols("h1 h2", real=True))
    U = sp.Matrix(3, 2, sp.symbols("u11 u12 u21 u22 u31 u32", real=True))
    bp, cref, eta = sp.symbols("beta_p c_ref eta", positive=True)
    z = U * h
    logp = [z[i] - sp.log(sum(sp.exp(z[j]) for j in range(3))) for i in range(3)]
    diff = logp[0] - logp[1]  # y+ = token 0, y- = token 1
    du = (U[0, :] - U[1, :]).T
    dpo = -sp.log(1 / (1 + sp.exp(-(bp * diff - cref))))
    kappa = bp / (1 + sp.exp(-(cref - bp * diff)))
    g_dpo = sp.Matrix([sp.diff(dpo, hi) for hi in h])
    contrast = -logp[0] + logp[1]
    g_con = sp.Matrix([sp.diff(contrast, hi) for hi in h])
    # Weight update of the last linear map h = W a: take the contrast loss as a function of W.
    a = sp.Matrix(sp.symbols("a1 a2", real=True))
    W = sp.Matrix(2, 2, sp.symbols("w11 w12 w21 w22", real=True))
    on_h = {hi: wa for hi, wa in zip(h, W * a, strict=True)}
    loss_w = contrast.subs(on_h)
    grad_w = sp.Matrix(2, 2, lambda i, j: sp.diff(loss_w, W[i, j]))
    dh = -eta * grad_w * a  # h(W - eta grad_W L) - h(W)
    checks = [
        ("DPO: grad_h L = -kappa (u+ - u-)", g_dpo + kappa * du),
        ("contrast loss: grad_h L = -(u+ - u-) (kappa = 1)", g_con + du),
        (
            "weight step on h = W a moves h by -eta ||a||^2 grad_h L",
            dh + eta * (a.T * a)[0] * g_con.subs(on_h),
        ),
    ]
    out = []
    for name, vec in checks:
        proofs = [is_zero(sp.simplify(v.rewrite(sp.exp))) for v in vec]
        status: Status = (
            "passed"
            if all(p.status == "passed" for p in proofs)
            else ("failed" if any(p.status == "failed" for p in proofs) else "undecided")
        )
        out.append((name, status, "; ".join(p.detail for p in proofs)))
    return out


def assumption3() -> list[Outcome]:
    """sigma^2 = Var g = 2 Var x for i.i.d. x (computed by sympy.stats, Normal projections)."""
    from sympy import stats

    mu = sp.Symbol("mu", real=True)
    s = sp.Symbol("s", positive=True)
    xt, xc = stats.Normal("x_t", mu, s), stats.Normal("x_c", mu, s)
    var_g = sp.simplify(stats.variance(xt - xc))
    p = is_zero(var_g - 2 * stats.variance(xt))
    return [("Var g = 2 Var x for i.i.d. x", p.status, f"Var(x_t - x_c) = {var_g}")]


def expected_helpfulness(expr: sp.Expr) -> Outcome:
    """Second-order expansion of E[H] for 3 tokens with i.i.d. projections (E x = 0, Var s^2)."""
    p1, p2 = sp.symbols("p1 p2", positive=True)
    p0 = 1 - p1 - p2
    a, s2 = sp.symbols("a s2", positive=True)
    x = sp.symbols("x0:3", real=True)
    h = (
        p0
        * sp.exp(a * x[0])
        / (p0 * sp.exp(a * x[0]) + p1 * sp.exp(a * x[1]) + p2 * sp.exp(a * x[2]))
    )
    taylor = sum(sp.diff(h, a, n).subs(a, 0) * a**n / sp.factorial(n) for n in range(3))
    poly = sp.Poly(sp.expand(taylor), *x)
    expect = sum(
        coef * sp.prod([(s2 if e == 2 else (0 if e == 1 else 1)) for e in mon])
        for mon, coef in poly.terms()
    )
    want = expr.subs(
        {S.P0: p0, S.sum_sq: p1**2 + p2**2, S.sigma: sp.sqrt(2 * s2), S.lam * S.r_e: a}
    ).subs({S.lam: 1, S.r_e: a})
    p = is_zero(sp.expand(expect - want))
    return "E[H] series to O(r_e^3) (3 tokens, i.i.d.)", p.status, p.detail


def corollary3(step: sp.Expr) -> Outcome:
    """Second-order coefficient of the 2-step denominator, with each step's factor read from
    Corollary 3's statement (``step = P0/(P0 + c (1 - P0)(1 + y^2/2))``): the coefficient is
    ``prod_i d_i(0) * sum_i w_i (sigma_i beta_i)^2 / 2`` with ``w_i = c_i (1 - P0_i)/d_i(0)``."""
    p = sp.symbols("P1 P2", positive=True)
    al = sp.symbols("alpha1 alpha2", positive=True)
    sb = sp.symbols("c1 c2", positive=True)  # sigma_i beta_i
    x = sp.Symbol("x", real=True)  # lam r_e
    sub = [
        {S.P0: p[i], S.alpha: al[i], S.sigma: sb[i], S.beta: 1, S.lam * S.r_e: x} for i in range(2)
    ]
    dens = [sp.cancel(p[i] / step.subs(sub[i]).subs({S.lam: 1, S.r_e: x})) for i in range(2)]
    c = [sp.cancel((d.subs(x, 0) - p[i]) / (1 - p[i])) for i, d in enumerate(dens)]
    prod0 = sp.prod([p[i] + c[i] * (1 - p[i]) for i in range(2)])
    w = [c[i] * (1 - p[i]) / (p[i] + c[i] * (1 - p[i])) for i in range(2)]
    coeff = sp.diff(sp.prod(dens), x, 2).subs(x, 0) / 2
    res = is_zero(coeff - prod0 * sum(w[i] * sb[i] ** 2 for i in range(2)) / 2)
    return (
        "denominator = prod(P0_i + c_i(1-P0_i))(1 + x^2/2 sum w_i s_i^2 b_i^2 + ...)",
        res.status,
        res.detail,
    )
