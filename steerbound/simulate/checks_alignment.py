"""Check suites for the alignment results: Theorems 1, 3, 4, 5, 6 and Corollary 1.

Theorem 6 (multi-token) lives in :mod:`steerbound.simulate.checks_multitoken` and is
re-exported here.

Every bound value comes from :mod:`steerbound.theory`; the exact behavior expectation comes from
:mod:`steerbound.simulate.tilting` (Lemma 0). Lower bounds are checked for ``r_e >= 0``;
Theorem 1 also as the mirror upper bound for ``r_e <= 0`` (two-sided at ``r_e = 0``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from steerbound import theory
from steerbound.simulate.checks_multitoken import suite_theorem6
from steerbound.simulate.geometries import (
    sample_general_score,
    sample_hard_margin,
    sample_soft_margin,
    sample_trinary,
)
from steerbound.simulate.geometries.base import TokenGeometry
from steerbound.simulate.harness import BoundTally, CheckResult
from steerbound.simulate.suite_base import (
    SuiteContext,
    describe_token_case,
    positive_grid,
    symmetric_grid,
    tally_result,
)
from steerbound.simulate.tilting import behavior_expectation

F64 = NDArray[np.float64]

__all__ = [
    "suite_corollary1",
    "suite_theorem1",
    "suite_theorem3",
    "suite_theorem4",
    "suite_theorem5",
    "suite_theorem6",
]


def _exact(ctx: SuiteContext, g: TokenGeometry, r: F64) -> F64:
    assert g.scores is not None
    a = g.lam[:, None] * np.broadcast_to(r, (g.n, np.shape(r)[-1]))
    return behavior_expectation(g.log_p0, g.proj, g.scores, a, memory_budget_mb=ctx.budget)


def _b0(g: TokenGeometry) -> F64:
    assert g.scores is not None
    out: F64 = g.mass(g.scores > 0) - g.mass(g.scores < 0)
    return out


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
            b0 = _b0(g)
            bound = theory.theorem1_bound(
                r, b0[:, None], g.lam[:, None], g.claims["delta"][:, None]
            )
            side = 0.0 if variant == "two_cluster" else np.sign(r)
            tally.add(_exact(ctx, g, r), bound, r, side, describe_token_case(g, {"b0": b0}))
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
            b0 = _b0(g)
            eps = np.exp(ctx.rng.uniform(np.log(1e-6), np.log(0.5), size=g.n))
            r_star = theory.corollary1_threshold(eps, b0, g.lam, g.claims["delta"])
            r = r_star[:, None] * factors[None, :]
            target = np.broadcast_to((1.0 - eps)[:, None], r.shape)
            side = 0.0 if variant == "two_cluster" else 1.0
            tally.add(
                _exact(ctx, g, r), target, r, side, describe_token_case(g, {"b0": b0, "eps": eps})
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


def suite_theorem3(ctx: SuiteContext) -> list[CheckResult]:
    """Theorem 3 (soft margin) on valid geometries and with the misclassified mass understated."""
    cfg = ctx.config
    r = positive_grid(cfg)
    out = []
    for variant, expect in [("valid", "hold"), ("eps_understated", "fail")]:
        vocab = tuple(v for v in cfg.vocab_sizes if v >= 3)
        tally = BoundTally()
        for g in sample_soft_margin(ctx.rng, cfg.n, vocab, variant=variant):
            b0 = _b0(g)
            c = {k: v[:, None] for k, v in g.claims.items()}
            bound = theory.theorem3_bound(
                r, b0[:, None], g.lam[:, None], c["delta"], c["eps_mis"], c["depth"]
            )
            tally.add(_exact(ctx, g, r), bound, r, 1.0, describe_token_case(g, {"b0": b0}))
        out.append(
            tally_result(
                tally,
                ctx,
                check_id=f"theorem3/{variant}",
                result="Theorem 3",
                form="verified",
                sampler="soft_margin",
                variant=variant,
                expectation=expect,
                config={"vocab_sizes": list(vocab)},
            )
        )
    return out


def suite_theorem4(ctx: SuiteContext) -> list[CheckResult]:
    """Theorem 4 (trinary): verified and published forms on valid geometries; broken margin."""
    cfg = ctx.config
    r = positive_grid(cfg)
    out = []
    for variant in ("valid", "no_margin"):
        tallies = {"verified": BoundTally(), "published": BoundTally()}
        # The published form fails on a minority of geometries (B0 < 0): at least 120 cases.
        for g in sample_trinary(ctx.rng, max(cfg.n, 120), cfg.vocab_sizes, variant=variant):
            assert g.scores is not None
            pp, pm, pz = (g.mass(g.scores == s)[:, None] for s in (1.0, -1.0, 0.0))
            exact = _exact(ctx, g, r)
            describe = describe_token_case(g, {"b0": _b0(g)})
            for form, tally in tallies.items():
                if variant == "no_margin" and form == "published":
                    continue
                bound = theory.theorem4_bound(
                    r, pp, pm, pz, g.lam[:, None], g.claims["delta"][:, None], form=form
                )
                tally.add(exact, bound, r, 1.0, describe)
        for form, tally in tallies.items():
            if tally.n_cases == 0:
                continue
            expect = "hold" if (variant == "valid" and form == "verified") else "fail"
            out.append(
                tally_result(
                    tally,
                    ctx,
                    check_id=f"theorem4_{form}/{variant}",
                    result="Theorem 4",
                    form=form,
                    sampler="trinary",
                    variant=variant,
                    expectation=expect,
                    note="published closed form fails where B0 < 0 (THEORY.md section 8)"
                    if form == "published"
                    else "",
                )
            )
    return out


def suite_theorem5(ctx: SuiteContext) -> list[CheckResult]:
    """Theorem 5 (general scores with threshold b)."""
    cfg = ctx.config
    r = positive_grid(cfg)
    out = []
    for variant, expect in [("valid", "hold"), ("margin_overstated", "fail")]:
        tally = BoundTally()
        for g in sample_general_score(ctx.rng, cfg.n, cfg.vocab_sizes, variant=variant):
            assert g.scores is not None
            b = g.claims["b"]
            p_ge = g.mass(g.scores >= b[:, None])
            bound = theory.theorem5_bound(
                r, p_ge[:, None], b[:, None], g.lam[:, None], g.claims["delta"][:, None]
            )
            tally.add(_exact(ctx, g, r), bound, r, 1.0, describe_token_case(g, {"p_ge": p_ge}))
        out.append(
            tally_result(
                tally,
                ctx,
                check_id=f"theorem5/{variant}",
                result="Theorem 5",
                form="verified",
                sampler="general_score",
                variant=variant,
                expectation=expect,
            )
        )
    return out
