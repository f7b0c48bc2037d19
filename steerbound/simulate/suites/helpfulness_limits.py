"""Check suite of the helpfulness-limits family: curvature of ``E[H]`` and Corollary 2.

Statements about distributions of geometries (Assumption 3 is what makes them true):

* ``E[H(r_e)] = P0 - (lam sigma r_e)^2/2 P0 [P0(1-P0) - sum P0(t)^2] + O(r_e^4)`` (symmetric
  laws), compared with ``theory.expected_helpfulness_quadratic``;
* Corollary 2: ``lim E_q H_q(r_e) = 1/k`` on the restricted vocabulary, and the paper's
  heuristic curve (not a bound).
"""

from __future__ import annotations

import numpy as np

from steerbound import theory
from steerbound.simulate.exact import helpfulness
from steerbound.simulate.geometries import PROJECTION_LAWS, sample_topk
from steerbound.simulate.geometries.laws import exchangeable_projections
from steerbound.simulate.harness import (
    BoundTally,
    CheckResult,
    SuiteContext,
    describe_token_case,
    probability_fields,
    symmetric_grid,
)
from steerbound.simulate.suites.helpfulness import topk_exact, topk_parameters

__all__ = ["G_STD", "suite_corollary2", "suite_curvature"]


#: Population std of ``g_t = x_t - x_c`` for each unit-scale law of ``laws.PROJECTION_LAWS``.
G_STD = {
    "gaussian": np.sqrt(2.0),
    "laplace": np.sqrt(2.0),
    "student_t3": np.sqrt(2.0),
    "factor": 1.0,
}

_CURVATURE_P0 = (
    ((0.7, 0.1, 0.1, 0.1), 0),
    ((0.1, 0.3, 0.3, 0.3), 0),  # expected helpfulness rises: P0(1-P0) < sum P0(t)^2
    ((0.4, 0.3, 0.2, 0.1), 1),
)

_CURVATURE_U = (0.05, 0.1)  # lam * sigma * r_e


def suite_curvature(ctx: SuiteContext) -> list[CheckResult]:
    """Monte-Carlo second-order coefficient of ``E[H]`` against the theory's expansion.

    Antithetic pairs ``(x, -x)`` cancel the odd orders per draw; Richardson extrapolation over
    ``lam sigma r_e in {0.05, 0.1}`` removes the ``O(r_e^4)`` term. A case holds when the
    estimate is within 4 standard errors of the theory's coefficient. Broken variant
    ``sigma_of_x``: the theory is fed the std of ``x_t`` instead of ``g_t`` (a factor 2 in
    variance, docs/theorem_sheet.md).
    """
    draws = 4 * ctx.config.n_probability
    out = []
    for variant, laws in (("valid", PROJECTION_LAWS), ("sigma_of_x", ("gaussian",))):
        worst, n_bad, n_cases, witness = 0.0, 0, 0, None
        for law in laws:
            sigma = float(G_STD[law])
            fed_sigma = sigma if variant == "valid" else 1.0
            for probs, c in _CURVATURE_P0:
                p = np.asarray(probs)
                k = p.size
                x = exchangeable_projections(ctx.rng, law, (draws, k))
                log_p0 = np.broadcast_to(np.log(p), (2 * draws, k))
                proj = np.concatenate([x, -x])
                r = np.asarray(_CURVATURE_U) / sigma  # lam = 1
                h = helpfulness(log_p0, proj, np.full(2 * draws, c), r, memory_budget_mb=ctx.budget)
                sym = 0.5 * (h[:draws] + h[draws:])
                d = (sym - p[c]) / np.asarray(_CURVATURE_U) ** 2
                per_draw = (4.0 * d[:, 0] - d[:, 1]) / 3.0
                est, se = per_draw.mean(), per_draw.std(ddof=1) / np.sqrt(draws)
                sum_sq = float(np.sum(np.delete(p, c) ** 2))
                quad = theory.expected_helpfulness_quadratic(r[0], p[c], sum_sq, 1.0, fed_sigma)
                coef = float((quad - p[c]) / _CURVATURE_U[0] ** 2)
                err = abs(est - coef)
                n_cases += 1
                n_bad += int(err > 4.0 * se)
                if err >= worst:
                    worst = err
                    witness = {
                        "law": law,
                        "p0": list(probs),
                        "correct": c,
                        "estimate": float(est),
                        "standard_error": float(se),
                        "theory_coefficient": coef,
                    }
        out.append(
            CheckResult(
                check_id=f"expected_helpfulness_curvature/{variant}",
                result="Expected helpfulness (curvature)",
                form="verified",
                sampler="topk fixed P0",
                variant=variant,
                expectation="hold" if variant == "valid" else "fail",
                kind="expansion",
                held=n_bad == 0,
                n_cases=n_cases,
                n_violated_cases=n_bad,
                max_violation=worst,
                witness=witness,
                note="second-order coefficient of E[H] in (lam sigma r_e)^2; held = within 4 SE",
                config=ctx.base_config(draws=draws, u=list(_CURVATURE_U), laws=list(laws)),
            )
        )
    return out


def suite_corollary2(ctx: SuiteContext) -> list[CheckResult]:
    """Corollary 2's limit and the heuristic curve.

    On the restricted vocabulary the limit is exactly ``1/k`` for each sign of ``r_e`` (``H``
    tends to the indicator that ``c`` is the arg-max of ``+-x``), so the valid rows test
    equality (a loosened limit fails); ``along_h`` breaks exchangeability and must exceed it.
    """
    k, n = 4, ctx.config.n_probability
    far = np.array([-1e6, 1e6])
    limit = float(theory.corollary2_limit(k))
    out = []
    for variant in ("valid", "along_h"):
        (g,) = sample_topk(ctx.rng, n, k, [k], variant=variant)
        h = topk_exact(ctx, g, far)
        if variant == "valid":
            rows = [(1, "valid", "=="), (0, "valid_negative", "==")]
        else:
            rows = [(int(np.argmax(h.sum(axis=0))), variant, "<=")]
        for j, name, relation in rows:
            prob = probability_fields(round(float(h[:, j].sum())), n, limit, relation)
            out.append(
                CheckResult(
                    check_id=f"corollary2_limit/{name}",
                    result="Corollary 2",
                    form="verified",
                    sampler="topk",
                    variant=variant,
                    expectation="hold" if variant == "valid" else "fail",
                    kind="limit",
                    n_cases=n,
                    note=f"mean helpfulness at r_e = {far[j]:g} against 1/k ({relation})",
                    config=ctx.base_config(k=k, r_e=float(far[j]), n_queries=n, relation=relation),
                    **prob,
                )
            )
    r = symmetric_grid(ctx.config)
    (g,) = sample_topk(ctx.rng, ctx.config.n, k, [k])
    assert g.correct is not None
    p = topk_parameters(g.log_p0, g.proj, g.correct, k)
    c = {f: v[:, None] for f, v in p.items()}
    curve = theory.corollary2_heuristic_curve(
        r, c["p0"], c["alpha"], g.lam[:, None], c["sigma"], c["beta"], k
    )
    tally = BoundTally()
    tally.add(topk_exact(ctx, g, r), curve, r, -1.0, describe_token_case(g, p))
    out.append(
        CheckResult.from_tally(
            tally,
            check_id="corollary2_heuristic/valid",
            result="Corollary 2",
            form="heuristic",
            sampler="topk",
            variant="valid",
            expectation="fail",
            kind="bound",
            note="(1 - 2/k) T2-paper + 1/k is a fitted curve, not an upper bound",
            config=ctx.base_config(k=k),
        )
    )
    return out
