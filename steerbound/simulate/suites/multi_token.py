"""Check suite of the multi-token family: Theorem 6 (answer trees), Corollary 3 (chains).

The exact response-level quantities come from :mod:`steerbound.simulate.exact`, bound values
from :mod:`steerbound.theory`. Theorem 6's verified form uses ``B_min`` (the smallest per-step
``B0``), the published one the response-level ``B0``; ``step_without_margin`` breaks the
per-step margin; with one step (``ell = 1``) the verified form is Theorem 1 and is checked for
equality on the two-cluster geometry, so that a loosened bound fails. Corollary 3: the verified
product (``alpha/2``) and the published one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from steerbound import theory
from steerbound.simulate.exact import (
    chain_log_helpfulness,
    tree_aligned_probability,
    tree_b0_bmin,
)
from steerbound.simulate.geometries import sample_answer_chains, sample_answer_trees
from steerbound.simulate.harness import (
    BoundTally,
    CheckResult,
    SuiteContext,
    describe_token_case,
    positive_grid,
    probability_fields,
    symmetric_grid,
    tally_result,
)
from steerbound.simulate.suites.behavior import (
    behavior_b0,
    behavior_exact,
    two_cluster_geometries,
)
from steerbound.simulate.suites.helpfulness import (
    DECAY_LEVEL,
    symmetric_topk,
    topk_parameters,
)

F64 = NDArray[np.float64]

__all__ = ["suite_corollary3", "suite_theorem6"]


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
    tally = BoundTally()
    for g in two_cluster_geometries(ctx):
        b0 = behavior_b0(g)
        bound = theory.theorem6_bound(r, b0[:, None], 1, g.lam[:, None], g.claims["delta"][:, None])
        tally.add(behavior_exact(ctx, g, r), bound, r, 0.0, describe_token_case(g, {"b0": b0}))
    out.append(
        tally_result(
            tally,
            ctx,
            check_id="theorem6_verified/one_step_two_cluster",
            result="Theorem 6",
            form="verified",
            sampler="hard_margin",
            variant="two_cluster",
            expectation="hold",
            kind="tightness",
            note="ell = 1 (B_min = B0): Theorem 1, equality on the two-cluster geometry",
        )
    )
    return out


_CHAIN_SHAPES = ((2, 3, 3), (2, 4, 4), (3, 4, 4), (2, 10, 10), (2, 4, 64))


def suite_corollary3(ctx: SuiteContext) -> list[CheckResult]:
    """Corollary 3 on correct-answer chains: verified (alpha/2) and published (alpha) forms."""
    r = symmetric_grid(ctx.config)
    n = max(ctx.config.n, ctx.config.n_probability // 4)
    per = max(1, n // len(_CHAIN_SHAPES))
    tallies = {"verified": BoundTally(), "published": BoundTally()}
    prob: dict[str, Any] = {}
    for length, k, step_vocab in _CHAIN_SHAPES:
        chain = sample_answer_chains(ctx.rng, per, length=length, k=k, step_vocab=step_vocab)
        flat = topk_parameters(
            chain.log_p0.reshape(per * length, -1),
            chain.proj.reshape(per * length, -1),
            chain.correct.reshape(-1),
            k,
        )
        p = {f: v.reshape(per, 1, length) for f, v in flat.items()}
        a = chain.lam[:, None] * r[None, :]
        exact = np.exp(chain_log_helpfulness(chain, a, memory_budget_mb=ctx.budget))

        def describe(i: int, j: int, chain: Any = chain, p: dict[str, F64] = p) -> dict[str, Any]:
            return {
                "length": chain.length,
                "k": chain.k,
                "lam": float(chain.lam[i]),
                "p0_steps": np.exp(chain.log_p0[i]).tolist(),
                "proj_steps": chain.proj[i].tolist(),
                "correct": chain.correct[i].tolist(),
                **{f: p[f][i, 0].tolist() for f in ("p0", "alpha", "sigma", "beta")},
            }

        for form, tally in tallies.items():
            bound = theory.corollary3_bound(
                r[None, :],
                p["p0"],
                p["alpha"],
                chain.lam[:, None],
                p["sigma"],
                p["beta"],
                form=form,
            )
            held = tally.add(exact, bound, r, -1.0, describe)
            if form == "published" and (length, k) == (2, 10):
                claimed = float(theory.corollary3_probability(k, length))
                prob = probability_fields(int(held.sum()), per, claimed, ">=")
    out = []
    for form, tally in tallies.items():
        extra = {k: v for k, v in prob.items() if k != "held"} if form == "published" else {}
        out.append(
            CheckResult.from_tally(
                tally,
                check_id=f"corollary3_{form}/valid",
                result="Corollary 3",
                form=form,
                sampler="answer_chain",
                variant="valid",
                expectation="hold" if form == "verified" else "fail",
                kind="bound",
                note="product of per-step parabolas"
                + (
                    "; probability fields: P[holds] vs 1 - 2*length/k for length=2, k=10"
                    if form == "published"
                    else ""
                ),
                config=ctx.base_config(
                    chain_shapes_length_k_vocab=[list(s) for s in _CHAIN_SHAPES], n_chains=n
                ),
                **extra,
            )
        )
    out.append(_corollary3_decay(ctx))
    return out


def _corollary3_decay(ctx: SuiteContext) -> CheckResult:
    """Corollary 3's verified product must tend to 0 as ``|r_e| -> oo`` when every step has
    both sides non-empty: two-step chains of symmetric steps (``Q+ = Q-``, ``G+ = G-``), bound
    at ``|r_e| = 1e6`` against :data:`~steerbound.simulate.suites.helpfulness.DECAY_LEVEL`."""
    far = np.array([-1e6, 1e6])
    steps = [symmetric_topk(ctx, 3, tag=f"corollary3_step{i}") for i in range(2)]
    params = [topk_parameters(g.log_p0, g.proj, np.zeros(g.n, dtype=np.intp), 3) for g in steps]
    p = {f: np.stack([q[f] for q in params], axis=-1)[:, None, :] for f in params[0]}
    lam = steps[0].lam
    bound = theory.corollary3_bound(
        far[None, :], p["p0"], p["alpha"], lam[:, None], p["sigma"], p["beta"], form="verified"
    )
    bound = np.broadcast_to(bound, (lam.size, far.size))
    tally = BoundTally()

    def describe(i: int, j: int) -> dict[str, Any]:
        return {"lam": float(lam[i]), **{f: p[f][i, 0].tolist() for f in ("p0", "alpha", "beta")}}

    tally.add(np.full_like(bound, DECAY_LEVEL), bound, far, 1.0, describe)
    return CheckResult.from_tally(
        tally,
        check_id="corollary3_verified/symmetric_decay",
        result="Corollary 3",
        form="verified",
        sampler="answer_chain",
        variant="symmetric_decay",
        expectation="hold",
        kind="decay",
        note=f"the product tends to 0 when every step has both sides non-empty: <= {DECAY_LEVEL:g}"
        " at |r_e| = 1e6",
        config=ctx.base_config(length=2, k=3, r_e=far.tolist()),
    )
