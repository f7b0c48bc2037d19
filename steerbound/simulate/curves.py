"""Data behind the simulation plots: bound-vs-exact curves and violation maps.

* :func:`behavior_curves` (analogue of the paper's Fig. 2b): exact behavior expectation of a few
  hard-margin geometries against Theorem 1's expression, for both signs of ``r_e``.
* :func:`helpfulness_curves` (analogue of Fig. 3b): dataset-mean exact helpfulness of ``k = 4``
  multiple-choice queries (restricted vocabulary) against the mean of the verified parabola,
  the Jensen form, the published parabola and the paper's heuristic curve; plus single queries.
* :func:`violation_maps`: violation of each failing published form over (parameter, ``r_e``)
  on one-parameter families through the theorem sheet's counterexamples.

Exact values come from the simulator, bound values from ``steerbound.theory``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from steerbound import theory
from steerbound.simulate.exact import (
    behavior_expectation,
    helpfulness,
    tree_aligned_probability,
    tree_b0_bmin,
)
from steerbound.simulate.geometries import sample_hard_margin, sample_topk
from steerbound.simulate.geometries.base import TreeGeometry
from steerbound.simulate.harness import SimulationConfig, SuiteContext
from steerbound.simulate.suites.helpfulness import theorem2_bounds, topk_exact, topk_parameters

F64 = NDArray[np.float64]

__all__ = ["CurveSet", "ViolationMap", "behavior_curves", "helpfulness_curves", "violation_maps"]


@dataclass
class CurveSet:
    """Curves over a common ``r_e`` grid: ``exact[name]`` and ``bounds[name]`` are ``(M, R)``."""

    title: str
    r_e: F64
    exact: dict[str, F64] = field(default_factory=dict)
    bounds: dict[str, F64] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)


@dataclass
class ViolationMap:
    """``violation[i, j]`` of a published form at ``parameter[i]`` and ``r_e[j]`` (> 0: fails)."""

    name: str
    parameter_name: str
    parameter: F64
    r_e: F64
    violation: F64


def behavior_curves(config: SimulationConfig, count: int = 4) -> CurveSet:
    """Exact ``B(r_e)`` and Theorem 1 for ``count`` valid and two-cluster geometries."""
    ctx = SuiteContext(config, "plots/behavior")
    r = np.linspace(-4.0, 4.0, 161)
    out = CurveSet("Theorem 1: behavior expectation vs r_e (lower bound for r_e >= 0)", r)
    exact, bound = [], []
    for variant in ("valid", "two_cluster"):
        (g,) = sample_hard_margin(ctx.rng, count // 2, [64], variant=variant, p_aligned=(0.05, 0.6))
        assert g.scores is not None
        b0 = g.mass(g.scores > 0) - g.mass(g.scores < 0)
        exact.append(behavior_expectation(g.log_p0, g.proj, g.scores, g.lam[:, None] * r))
        bound.append(
            theory.theorem1_bound(r, b0[:, None], g.lam[:, None], g.claims["delta"][:, None])
        )
        out.labels += [
            f"{variant}, B0={b:.2f}, lam*Delta={la * d:.2f}"
            for b, la, d in zip(b0, g.lam, g.claims["delta"], strict=True)
        ]
    out.exact["behavior"] = np.concatenate(exact)
    out.bounds["Theorem 1"] = np.concatenate(bound)
    return out


def helpfulness_curves(config: SimulationConfig, queries: int = 400) -> CurveSet:
    """Dataset means over ``queries`` k = 4 queries (row 0) and three single queries."""
    ctx = SuiteContext(config, "plots/helpfulness")
    k = 4
    r = np.linspace(-6.0, 6.0, 241)
    (g,) = sample_topk(ctx.rng, queries, k, [k])
    g = replace(g, lam=np.ones(queries))  # a common lam, so that the mean is meaningful
    assert g.correct is not None
    p = topk_parameters(g.log_p0, g.proj, g.correct, k)
    h = topk_exact(ctx, g, r)
    bounds = theorem2_bounds(r, p, g.lam)
    c = {f: v[:, None] for f, v in p.items()}
    bounds["corollary2_heuristic"] = theory.corollary2_heuristic_curve(
        r, c["p0"], c["alpha"], 1.0, c["sigma"], c["beta"], k
    )
    pick = np.arange(1, 4)
    out = CurveSet(f"Theorem 2 / Corollary 2: helpfulness vs r_e (k={k}, mean of {queries})", r)
    out.exact["helpfulness"] = np.concatenate([h.mean(axis=0, keepdims=True), h[pick]])
    for name, b in bounds.items():
        b = np.broadcast_to(b, h.shape)
        out.bounds[name] = np.concatenate([b.mean(axis=0, keepdims=True), b[pick]])
    out.labels = ["dataset mean"] + [f"query {i}, P0={p['p0'][i]:.2f}" for i in pick]
    return out


def _t2_map(r: F64) -> ViolationMap:
    """P0 = 1/2, wrong tokens of mass 1/4 at g = +1 and g = -rho (theorem sheet: rho = 3)."""
    rho = np.linspace(1.0, 6.0, 101)
    x = np.stack([np.zeros_like(rho), np.ones_like(rho), -rho], axis=1)
    lp = np.log(np.broadcast_to([0.5, 0.25, 0.25], x.shape))
    h = helpfulness(lp, x, np.zeros(rho.size, dtype=np.intp), r)
    p = topk_parameters(lp, x, np.zeros(rho.size, dtype=np.intp), 3)
    b = theorem2_bounds(r, p, np.ones(rho.size))["theorem2_published"]
    return ViolationMap("Theorem 2 (published parabola)", "rho (G- / G+)", rho, r, h - b)


def _t4_map(r: F64) -> ViolationMap:
    """Tokens A (p+, at Delta=1), M (0.5, at 0), N (rest, far below); theorem sheet: p+ = 0.2."""
    pp = np.linspace(0.02, 0.48, 93)
    lp = np.log(np.stack([pp, np.full_like(pp, 0.5), 0.5 - pp], axis=1))
    x = np.broadcast_to([1.0, 0.0, -1000.0], lp.shape)
    scores = np.broadcast_to([1.0, -1.0, 0.0], lp.shape)
    exact = behavior_expectation(lp, x, scores, r)
    b = theory.theorem4_bound(r, pp[:, None], 0.5, (0.5 - pp)[:, None], 1.0, 1.0, form="published")
    return ViolationMap("Theorem 4 (published closed form)", "p+ (p- = 0.5)", pp, r, b - exact)


def _t6_map(r: F64) -> ViolationMap:
    """the theorem sheet's tree with the second aligned child's aligned probability ``q`` varied."""
    q = np.logspace(-4, 0, 81)
    n = q.size
    root = np.log(np.broadcast_to([0.9, 0.05, 0.05], (n, 1, 3)))
    with np.errstate(divide="ignore"):
        kids = np.log(
            np.stack(
                [
                    np.broadcast_to([1.0, 0.0, 0.0], (n, 3)),
                    np.stack([q, np.zeros(n), 1 - q], axis=1),
                ],
                axis=1,
            )
        )
    x = (np.broadcast_to([1.0, 1.0, 0.0], (n, 1, 3)), np.broadcast_to([1.0, 1.0, 0.0], (n, 2, 3)))
    tree = TreeGeometry("answer_tree", "map", 2, (root, kids), x, np.ones(n), {"delta": np.ones(n)})
    exact = 2 * tree_aligned_probability(tree, r) - 1
    b0, _ = tree_b0_bmin(tree)
    b = theory.theorem6_bound(r, b0[:, None], 2, 1.0, 1.0)
    return ViolationMap("Theorem 6 (published, B0)", "q (aligned prob. after a2)", q, r, b - exact)


def violation_maps() -> list[ViolationMap]:
    """Violation maps of the failing published forms (lam = Delta = 1, so r_e = lam * r_e)."""
    r_pos = np.linspace(0.0, 6.0, 121)
    r_sym = np.linspace(-1.5, 1.5, 121)
    return [_t2_map(r_sym), _t4_map(r_pos), _t6_map(r_pos)]
