"""Check suite of the soft-margin family: Theorem 3.

Checked as a lower bound for ``r_e >= 0`` on soft-margin geometries, broken with the
misclassified mass understated, and for equality at ``eps = 0`` on the two-cluster geometry
(where it is Theorem 1, which is tight there), so that a loosened bound fails.
"""

from __future__ import annotations

import numpy as np

from steerbound import theory
from steerbound.simulate.geometries import sample_soft_margin
from steerbound.simulate.harness import (
    BoundTally,
    CheckResult,
    SuiteContext,
    describe_token_case,
    positive_grid,
    tally_result,
)
from steerbound.simulate.suites.behavior import (
    behavior_b0,
    behavior_exact,
    two_cluster_geometries,
)

__all__ = ["suite_theorem3"]


def suite_theorem3(ctx: SuiteContext) -> list[CheckResult]:
    """Theorem 3 (soft margin) on valid geometries and with the misclassified mass understated."""
    cfg = ctx.config
    r = positive_grid(cfg)
    out = []
    for variant, expect in [("valid", "hold"), ("eps_understated", "fail")]:
        vocab = tuple(v for v in cfg.vocab_sizes if v >= 3)
        tally = BoundTally()
        for g in sample_soft_margin(ctx.rng, cfg.n, vocab, variant=variant):
            b0 = behavior_b0(g)
            c = {k: v[:, None] for k, v in g.claims.items()}
            bound = theory.theorem3_bound(
                r, b0[:, None], g.lam[:, None], c["delta"], c["eps_mis"], c["depth"]
            )
            tally.add(behavior_exact(ctx, g, r), bound, r, 1.0, describe_token_case(g, {"b0": b0}))
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
    tally = BoundTally()
    for g in two_cluster_geometries(ctx):
        b0 = behavior_b0(g)
        depth = np.exp(ctx.rng.uniform(np.log(0.1), np.log(3.0), size=(g.n, 1)))
        bound = theory.theorem3_bound(
            r, b0[:, None], g.lam[:, None], g.claims["delta"][:, None], 0.0, depth
        )
        tally.add(behavior_exact(ctx, g, r), bound, r, 0.0, describe_token_case(g, {"b0": b0}))
    out.append(
        tally_result(
            tally,
            ctx,
            check_id="theorem3/two_cluster_eps0",
            result="Theorem 3",
            form="verified",
            sampler="hard_margin",
            variant="two_cluster",
            expectation="hold",
            kind="tightness",
            note="eps = 0 (any depth D): Theorem 1, equality on the two-cluster geometry",
            config={"vocab_sizes": list(cfg.vocab_sizes), "eps_mis": 0.0},
        )
    )
    return out
