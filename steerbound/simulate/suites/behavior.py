"""Check suite of the behavior family: Theorem 1 and Corollary 1 (hard margin).

Bound values come from :mod:`steerbound.theory`; the exact behavior expectation from
:mod:`steerbound.simulate.exact` (Lemma 0). Theorem 1 is checked as a lower bound for
``r_e >= 0`` and as the mirror upper bound for ``r_e <= 0``, and for equality on the
two-cluster geometry (where the theorem sheet says it is tight), so that a loosened bound fails.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from steerbound import theory
from steerbound.simulate.exact import behavior_expectation
from steerbound.simulate.geometries import sample_hard_margin
from steerbound.simulate.geometries.base import TokenGeometry
from steerbound.simulate.harness import (
    BoundTally,
    CheckResult,
    SuiteContext,
    describe_token_case,
    symmetric_grid,
    tally_result,
)

F64 = NDArray[np.float64]

__all__ = [
    "behavior_b0",
    "behavior_exact",
    "suite_corollary1",
    "suite_theorem1",
    "two_cluster_geometries",
]


def behavior_exact(ctx: SuiteContext, g: TokenGeometry, r: F64) -> F64:
    assert g.scores is not None
    a = g.lam[:, None] * np.broadcast_to(r, (g.n, np.shape(r)[-1]))
    return behavior_expectation(g.log_p0, g.proj, g.scores, a, memory_budget_mb=ctx.budget)


def behavior_b0(g: TokenGeometry) -> F64:
    assert g.scores is not None
    out: F64 = g.mass(g.scores > 0) - g.mass(g.scores < 0)
    return out


def two_cluster_geometries(
    ctx: SuiteContext, p_aligned: tuple[float, float] = (1e-4, 1 - 1e-4)
) -> list[TokenGeometry]:
    """``config.n`` two-cluster hard-margin geometries (aligned tokens at one projection, the
    misaligned ones exactly ``Delta`` below) on the suite's ``"two_cluster"`` stream.

    Lemma R is an equality there, so every bound derived from it through Theorem 1 is tight for
    every ``r_e >= 0``: Theorem 1 itself, Theorem 3 at ``eps = 0``, Theorem 4 (``p+ >= p-``),
    Theorem 5 with worst-case scores and Theorem 6 with one step (docs/theorem_sheet.md).
    """
    cfg = ctx.config
    return sample_hard_margin(
        ctx.stream("two_cluster"),
        cfg.n,
        cfg.vocab_sizes,
        variant="two_cluster",
        p_aligned=p_aligned,
    )


def suite_theorem1(ctx: SuiteContext) -> list[CheckResult]:
    """Theorem 1 on hard-margin geometries (valid, tight two-cluster, two broken variants)."""
    cfg = ctx.config
    r = symmetric_grid(cfg)
    out = []
    for variant, expect in [
        ("valid", "hold"),
        ("two_cluster", "hold"),
        ("no_margin", "fail"),
        ("margin_overstated", "fail"),
    ]:
        shapes = cfg.matrix_shapes if variant == "valid" else ()
        blocks = sample_hard_margin(
            ctx.rng, cfg.n, cfg.vocab_sizes, variant=variant, matrix_shapes=shapes
        )
        tally = BoundTally()
        for g in blocks:
            b0 = behavior_b0(g)
            bound = theory.theorem1_bound(
                r, b0[:, None], g.lam[:, None], g.claims["delta"][:, None]
            )
            side = 0.0 if variant == "two_cluster" else np.sign(r)
            tally.add(behavior_exact(ctx, g, r), bound, r, side, describe_token_case(g, {"b0": b0}))
        out.append(
            tally_result(
                tally,
                ctx,
                check_id=f"theorem1/{variant}",
                result="Theorem 1",
                form="verified",
                sampler="hard_margin",
                variant=variant,
                expectation=expect,
                kind="tightness" if variant == "two_cluster" else "bound",
                note="lower bound for r_e >= 0, mirror upper bound for r_e <= 0"
                + (
                    "; two-sided |bound - exact| (equality claimed)"
                    if variant == "two_cluster"
                    else ""
                ),
                config={
                    "vocab_sizes": list(cfg.vocab_sizes),
                    "matrix_shapes": [list(s) for s in shapes],
                },
            )
        )
    return out


def suite_corollary1(ctx: SuiteContext) -> list[CheckResult]:
    """Corollary 1: ``B(r_e) >= 1 - eps`` for ``r_e >= r*(eps)`` (``B0 < 0``)."""
    cfg = ctx.config
    out = []
    for variant, expect in [
        ("valid", "hold"),
        ("two_cluster", "hold"),
        ("margin_overstated", "fail"),
    ]:
        blocks = sample_hard_margin(
            ctx.rng, cfg.n, cfg.vocab_sizes, variant=variant, p_aligned=(1e-3, 0.49)
        )
        factors = np.array([1.0]) if variant == "two_cluster" else np.array([1.0, 1.25, 2.0, 4.0])
        tally = BoundTally()
        for g in blocks:
            b0 = behavior_b0(g)
            eps = np.exp(ctx.rng.uniform(np.log(1e-6), np.log(0.5), size=g.n))
            r_star = theory.corollary1_threshold(eps, b0, g.lam, g.claims["delta"])
            r = r_star[:, None] * factors[None, :]
            target = np.broadcast_to((1.0 - eps)[:, None], r.shape)
            side = 0.0 if variant == "two_cluster" else 1.0
            tally.add(
                behavior_exact(ctx, g, r),
                target,
                r,
                side,
                describe_token_case(g, {"b0": b0, "eps": eps}),
            )
        out.append(
            tally_result(
                tally,
                ctx,
                check_id=f"corollary1/{variant}",
                result="Corollary 1",
                form="verified",
                sampler="hard_margin",
                variant=variant,
                expectation=expect,
                kind="tightness" if variant == "two_cluster" else "bound",
                note="exact B at r*(eps) x (1, 1.25, 2, 4) against the target 1 - eps",
                config={"r_star_factors": factors.tolist(), "p_aligned": [1e-3, 0.49]},
            )
        )
    return out
