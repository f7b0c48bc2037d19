"""Check suite of the soft-margin family: Theorem 3.

Checked as a lower bound for ``r_e >= 0`` on soft-margin geometries, broken with the
misclassified mass understated.
"""

from __future__ import annotations

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
from steerbound.simulate.suites.behavior import behavior_b0, behavior_exact

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
    return out
