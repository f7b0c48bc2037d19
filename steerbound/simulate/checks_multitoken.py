"""Check suite for Theorem 6: the multi-token alignment bound on sampled answer trees.

The exact response-level behavior expectation comes from
:mod:`steerbound.simulate.multitoken_exact`; the bound values from :mod:`steerbound.theory`.
The verified form uses ``B_min`` (the smallest per-step ``B0``), the published one the
response-level ``B0``; ``step_without_margin`` breaks the per-step margin.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from steerbound import theory
from steerbound.simulate.geometries import sample_answer_trees
from steerbound.simulate.harness import BoundTally, CheckResult
from steerbound.simulate.multitoken_exact import tree_aligned_probability, tree_b0_bmin
from steerbound.simulate.suite_base import SuiteContext, positive_grid, tally_result

F64 = NDArray[np.float64]

__all__ = ["suite_theorem6"]


_TREE_SHAPES = ((2, 1, 2), (2, 2, 3), (2, 2, 4), (3, 2, 3), (3, 3, 5), (4, 2, 3))


def suite_theorem6(ctx: SuiteContext) -> list[CheckResult]:
    """Theorem 6 (multi-token): B_min (verified) and B0 (published) forms; broken step."""
    cfg = ctx.config
    r = positive_grid(cfg)
    out = []
    for variant in ("valid", "step_without_margin"):
        forms = ("verified", "published") if variant == "valid" else ("verified",)
        tallies = {f: BoundTally() for f in forms}
        per_shape = max(1, max(cfg.n, cfg.n_probability // 4) // len(_TREE_SHAPES))
        for length, n_aligned, step_vocab in _TREE_SHAPES:
            tree = sample_answer_trees(
                ctx.rng,
                per_shape,
                length=length,
                n_aligned=n_aligned,
                step_vocab=step_vocab,
                variant=variant,
            )
            a = tree.lam[:, None] * r[None, :]
            exact = 2.0 * tree_aligned_probability(tree, a, memory_budget_mb=ctx.budget) - 1.0
            b0, b_min = tree_b0_bmin(tree)

            def describe(
                i: int, j: int, tree: Any = tree, b0: F64 = b0, b_min: F64 = b_min
            ) -> dict[str, Any]:
                return {
                    "length": tree.length,
                    "n_aligned": tree.n_aligned,
                    "step_vocab": tree.step_vocab,
                    "lam": float(tree.lam[i]),
                    "delta": float(tree.claims["delta"][i]),
                    "b0": float(b0[i]),
                    "b_min": float(b_min[i]),
                    "p0_levels": [np.exp(lp[i]).tolist() for lp in tree.log_p0],
                    "proj_levels": [x[i].tolist() for x in tree.proj],
                }

            for form, tally in tallies.items():
                b_step = b_min if form == "verified" else b0
                bound = theory.theorem6_bound(
                    r, b_step[:, None], length, tree.lam[:, None], tree.claims["delta"][:, None]
                )
                tally.add(exact, bound, r, 1.0, describe)
        for form, tally in tallies.items():
            expect = "hold" if (variant == "valid" and form == "verified") else "fail"
            out.append(
                tally_result(
                    tally,
                    ctx,
                    check_id=f"theorem6_{form}/{variant}",
                    result="Theorem 6",
                    form=form,
                    sampler="answer_tree",
                    variant=variant,
                    expectation=expect,
                    note="verified form uses B_min; published form uses the response-level B0",
                    config={
                        "tree_shapes(length,n_aligned,step_vocab)": [list(s) for s in _TREE_SHAPES]
                    },
                )
            )
    return out
