"""Check suite of the helpfulness family: Theorem 2 (Jensen, parabolic, tilted, published).

Exact helpfulness ``H(r_e) = P_r(c)`` comes from :mod:`steerbound.simulate.exact`; bound values
and Theorem 2's parameters (``P0, Q+-, G+-, alpha, sigma, beta``) from :mod:`steerbound.theory`.
All helpfulness bounds are upper bounds, checked for both signs of ``r_e``, and where the
theorem sheet says they are tight they are checked for equality (so that a loosened form
fails): Lemma 2a on two-cluster geometries, Lemma 2c and the published parabola at ``r_e = 0``
on symmetric ones (``Q+ = Q-``, ``G+ = G-``, ``eps = 0``), where the latter also holds; there
Lemmas 2b and 2c must also decay to 0 (a vacuous form fails).

Also the statements "with probability": the published parabola read as holding with probability
``1 - 2/k``, and Assumption 3's consequences (Lemma 2b's non-triviality ``1 - 2/k``, the arg-min
probability ``1/k``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from steerbound import theory
from steerbound.simulate.exact import helpfulness
from steerbound.simulate.geometries import PROJECTION_LAWS, sample_topk
from steerbound.simulate.geometries.base import TokenGeometry
from steerbound.simulate.harness import (
    BoundTally,
    CheckResult,
    SuiteContext,
    describe_token_case,
    probability_fields,
    symmetric_grid,
)

F64 = NDArray[np.float64]

__all__ = [
    "DECAY_LEVEL",
    "T2_FIELDS",
    "suite_nontrivial_probability",
    "suite_theorem2",
    "suite_theorem2_published_probability",
    "symmetric_topk",
    "theorem2_bounds",
    "topk_exact",
    "topk_parameters",
]


#: Level below which a bound that tends to 0 must be at ``|r_e| = 1e6`` (decay rows).
DECAY_LEVEL = 1e-3

T2_FIELDS = ("p0", "q_plus", "q_minus", "g_plus", "g_minus", "alpha", "sigma", "beta", "eps")


def topk_parameters(log_p0: F64, proj: F64, correct: NDArray[np.intp], k: int) -> dict[str, F64]:
    """Theorem 2's parameters of every geometry of a batch, via ``theory.theorem2_parameters``."""
    rows = [
        theory.theorem2_parameters(np.exp(lp), x, int(c), k)
        for lp, x, c in zip(log_p0, proj, correct, strict=True)
    ]
    return {f: np.array([getattr(p, f) for p in rows]) for f in T2_FIELDS}


def topk_exact(ctx: SuiteContext, g: TokenGeometry, r: F64) -> F64:
    """Exact helpfulness of a top-k batch on the grid ``r`` (shape ``(R,)``)."""
    assert g.correct is not None
    return helpfulness(
        g.log_p0, g.proj, g.correct, g.lam[:, None] * r[None, :], memory_budget_mb=ctx.budget
    )


def theorem2_bounds(r: F64, p: dict[str, F64], lam: F64) -> dict[str, F64]:
    """Every Theorem 2 form on the grid ``r`` for a batch with parameters ``p`` (``(N,)``)."""
    c = {k: v[:, None] for k, v in p.items()}
    la = lam[:, None]
    return {
        "theorem2_jensen": theory.theorem2_jensen_bound(
            r, c["p0"], c["q_plus"], c["q_minus"], c["g_plus"], c["g_minus"], la
        ),
        "theorem2_parabolic": theory.theorem2_parabolic_bound(
            r, c["p0"], c["alpha"], la, c["sigma"], c["beta"], form="verified"
        ),
        "theorem2_tilted": theory.theorem2_tilted_bound(
            r, c["p0"], c["alpha"], la, c["g_plus"], c["g_minus"]
        ),
        "theorem2_published": theory.theorem2_parabolic_bound(
            r, c["p0"], c["alpha"], la, c["sigma"], c["beta"], form="published"
        ),
    }


_FORM_OF = {
    "theorem2_jensen": "verified",
    "theorem2_parabolic": "verified",
    "theorem2_tilted": "verified",
    "theorem2_published": "published",
}

_NOTES = {
    "theorem2_jensen": "Lemma 2a (deterministic)",
    "theorem2_parabolic": "Lemma 2b, alpha/2 (deterministic)",
    "theorem2_tilted": "Lemma 2c (deterministic)",
    "theorem2_published": "T2-paper, alpha (fails for lam*sigma*beta*|r_e| < 1.319)",
}


def _t2_blocks(ctx: SuiteContext, variant: str) -> list[tuple[int, TokenGeometry]]:
    cfg = ctx.config
    ks = (2, 4, 10, 40)
    laws = PROJECTION_LAWS if variant == "valid" else ("gaussian",)
    per = max(6, cfg.n // (len(ks) * len(laws)))
    out: list[tuple[int, TokenGeometry]] = []
    for law in laws:
        for k in ks:
            # Half of the cases on the restricted vocabulary (eps = 0), half with a tail.
            tail = [v for v in cfg.vocab_sizes if v > k]
            for vocab, count in (([k], per - per // 2), (tail, per // 2)):
                if count and vocab:
                    out += [
                        (k, g)
                        for g in sample_topk(ctx.rng, count, k, vocab, law=law, variant=variant)
                    ]
    shapes = tuple(s for s in cfg.matrix_shapes if s[0] >= 10)
    for g in sample_topk(ctx.rng, 1, 10, [10], variant=variant, matrix_shapes=shapes)[1:]:
        out.append((10, g))
    return out


def suite_theorem2(ctx: SuiteContext) -> list[CheckResult]:
    """All Theorem 2 forms on exchangeable top-k geometries (valid and ``along_h``)."""
    r = symmetric_grid(ctx.config)
    out = []
    for variant in ("valid", "along_h"):
        tallies = {name: BoundTally() for name in _FORM_OF}
        for k, g in _t2_blocks(ctx, variant):
            assert g.correct is not None
            params = topk_parameters(g.log_p0, g.proj, g.correct, k)
            exact = topk_exact(ctx, g, r)
            describe = describe_token_case(g, {f: params[f] for f in T2_FIELDS})
            for name, bound in theorem2_bounds(r, params, g.lam).items():
                tallies[name].add(exact, bound, r, -1.0, describe)
        for name, tally in tallies.items():
            form = _FORM_OF[name]
            if variant == "along_h" and form == "published":
                continue  # uninformative: it already fails on valid geometries
            expect = "hold" if form == "verified" else "fail"
            note = _NOTES[name]
            if variant == "along_h":
                note += "; deterministic, so it needs no exchangeability"
            out.append(
                CheckResult.from_tally(
                    tally,
                    check_id=f"{name}/{variant}",
                    result="Theorem 2",
                    form=form,
                    sampler="topk",
                    variant=variant,
                    expectation=expect,
                    kind="bound",
                    note=note,
                    config=ctx.base_config(
                        ks=[2, 4, 10, 40],
                        laws=list(PROJECTION_LAWS),
                        tail_eps_max=0.3,
                        matrix_shapes=[list(s) for s in ctx.config.matrix_shapes],
                    ),
                )
            )
    out.extend(_theorem2_tight(ctx))
    return out


def _two_cluster_topk(ctx: SuiteContext, k: int) -> TokenGeometry:
    """Restricted-vocabulary (``eps = 0``) top-k geometries whose wrong tokens sit at two
    projections, ``x_c + G+`` and ``x_c - G-`` (both sides non-empty): Lemma 2a's Jensen step is
    then an equality, so the Jensen form equals the exact helpfulness for every ``r_e``."""
    rng = ctx.stream(f"two_cluster_k{k}")
    (g,) = sample_topk(rng, ctx.config.n, k, [k])
    assert g.correct is not None
    n = g.n
    wrong = np.ones((n, k), dtype=bool)
    wrong[np.arange(n), g.correct] = False
    side = np.where(rng.random((n, k)) < 0.5, 1.0, -1.0)
    order = np.cumsum(wrong, axis=1)  # first two wrong tokens on opposite sides
    side = np.where(wrong & (order == 1), 1.0, np.where(wrong & (order == 2), -1.0, side))
    gaps = np.exp(rng.uniform(np.log(0.05), np.log(3.0), size=(n, 2)))
    proj = np.where(wrong, np.where(side > 0, gaps[:, :1], -gaps[:, 1:]), 0.0)
    return replace(g, variant="two_cluster", proj=proj)


def symmetric_topk(ctx: SuiteContext, k: int, tag: str | None = None) -> TokenGeometry:
    """Geometries with ``c`` first and the other top-k tokens in mirrored pairs (same mass at
    ``+g`` and ``-g``; ``k`` odd), hence ``Q+ = Q-`` and ``G+ = G-``: the published parabola holds
    deterministically there, and it and the tilted form equal ``P0`` at ``r_e = 0``
    (``alpha = 1``, ``eps = 0``). A last tail token carries a relative ``1e-13`` of the wrong
    mass, so that rounding never makes ``alpha`` exceed 1 (``eps ~ 1e-13``). ``tag`` names the
    random stream (default ``symmetric_k<k>``)."""
    rng = ctx.stream(tag or f"symmetric_k{k}")
    n, half = ctx.config.n, (k - 1) // 2
    p0 = rng.uniform(0.05, 0.95, size=(n, 1))
    w = rng.dirichlet(np.ones(half), size=n) * (1.0 - p0) / 2.0 * (1.0 - 1e-13)
    tail = 1.0 - p0 - 2.0 * w.sum(axis=1, keepdims=True)
    g = np.exp(rng.uniform(np.log(0.05), np.log(3.0), size=(n, half)))
    log_p0 = np.log(np.concatenate([p0, w, w, tail], axis=1))
    proj = np.concatenate([np.zeros((n, 1)), g, -g, np.zeros((n, 1))], axis=1)
    lam = np.exp(rng.uniform(np.log(0.1), np.log(10.0), size=n))
    return TokenGeometry("topk", "symmetric", log_p0, proj, lam, correct=np.zeros(n, dtype=np.intp))


def _theorem2_tight(ctx: SuiteContext) -> list[CheckResult]:
    """Theorem 2's forms where they are tight (or, for the published one, valid)."""
    r = symmetric_grid(ctx.config)
    zero, far = np.zeros(1), np.array([-1e6, 1e6])
    rows: dict[str, tuple[BoundTally, str, str, F64, float]] = {
        "theorem2_jensen/two_cluster": (
            BoundTally(),
            "tightness",
            "Lemma 2a equals H for every r_e when each side of c is one projection (eps = 0)",
            r,
            0.0,
        ),
        "theorem2_tilted/symmetric_at_0": (
            BoundTally(),
            "tightness",
            "Lemma 2c equals H = P0 at r_e = 0 when Q+ = Q- and eps = 0",
            zero,
            0.0,
        ),
        "theorem2_published/symmetric_at_0": (
            BoundTally(),
            "tightness",
            "T2-paper equals H = P0 at r_e = 0 when alpha = 1 (Q+ = Q-, eps = 0)",
            zero,
            0.0,
        ),
        "theorem2_published/symmetric": (
            BoundTally(),
            "bound",
            "T2-paper holds deterministically when G+ = G-",
            r,
            -1.0,
        ),
        "theorem2_parabolic/symmetric_decay": (
            BoundTally(),
            "decay",
            f"Lemma 2b tends to 0 as |r_e| -> oo (both sides non-empty): <= {DECAY_LEVEL:g} "
            "at |r_e| = 1e6",
            far,
            1.0,
        ),
        "theorem2_tilted/symmetric_decay": (
            BoundTally(),
            "decay",
            f"Lemma 2c tends to 0 as |r_e| -> oo (G+ = G-): <= {DECAY_LEVEL:g} at |r_e| = 1e6",
            far,
            1.0,
        ),
    }
    for k in (3, 4, 10):
        g = _two_cluster_topk(ctx, k)
        assert g.correct is not None
        p = topk_parameters(g.log_p0, g.proj, g.correct, k)
        tally, _, _, grid, side = rows["theorem2_jensen/two_cluster"]
        bound = theorem2_bounds(grid, p, g.lam)["theorem2_jensen"]
        tally.add(topk_exact(ctx, g, grid), bound, grid, side, describe_token_case(g, p))
    for k in (3, 5):
        g = symmetric_topk(ctx, k)
        p = topk_parameters(g.log_p0, g.proj, np.zeros(g.n, dtype=np.intp), k)
        for check_id, form in (
            ("theorem2_tilted/symmetric_at_0", "theorem2_tilted"),
            ("theorem2_published/symmetric_at_0", "theorem2_published"),
            ("theorem2_published/symmetric", "theorem2_published"),
            ("theorem2_parabolic/symmetric_decay", "theorem2_parabolic"),
            ("theorem2_tilted/symmetric_decay", "theorem2_tilted"),
        ):
            tally, kind, _, grid, side = rows[check_id]
            bound = np.broadcast_to(theorem2_bounds(grid, p, g.lam)[form], (g.n, grid.size))
            # A decay row compares the bound with the level it must fall below (lower-bound
            # convention: violated where bound > DECAY_LEVEL).
            exact = (
                np.full_like(bound, DECAY_LEVEL) if kind == "decay" else topk_exact(ctx, g, grid)
            )
            tally.add(exact, bound, grid, side, describe_token_case(g, p))
    out = []
    for check_id, (tally, kind, note, grid, _) in rows.items():
        name, variant = check_id.split("/")
        out.append(
            CheckResult.from_tally(
                tally,
                check_id=check_id,
                result="Theorem 2",
                form=_FORM_OF[name],
                sampler="topk",
                variant=variant,
                expectation="hold",
                kind=kind,
                note=note,
                config=ctx.base_config(r_e=grid.tolist() if grid.size <= 2 else "symmetric grid"),
            )
        )
    return out


def suite_theorem2_published_probability(ctx: SuiteContext) -> list[CheckResult]:
    """T2-paper read as "holds with probability >= 1 - 2/k" (restricted vocab, eps = 0).

    The grid has at least 64 positive points: a coarse grid misses violations inside the narrow
    window ``lam sigma beta |r_e| < 1.319`` and would overstate the probability.
    """
    r = symmetric_grid(replace(ctx.config, grid_points=max(ctx.config.grid_points, 64)))
    n = ctx.config.n_probability
    out = []
    for k in (3, 10, 40, 100):
        (g,) = sample_topk(ctx.rng, n, k, [k], law="gaussian")
        assert g.correct is not None
        params = topk_parameters(g.log_p0, g.proj, g.correct, k)
        bound = theorem2_bounds(r, params, g.lam)["theorem2_published"]
        tally = BoundTally()
        held = tally.add(topk_exact(ctx, g, r), bound, r, -1.0, describe_token_case(g, params))
        nontrivial = (params["q_plus"] > 0) & (params["q_minus"] > 0)
        cond = f"{held[nontrivial].mean():.3f}" if nontrivial.any() else "n/a (no such case)"
        claimed = float(theory.assumption3_both_sides_probability(k))
        prob = probability_fields(int(held.sum()), n, claimed, ">=")
        expect = "fail" if k >= 40 else "hold"
        out.append(
            CheckResult.from_tally(
                tally,
                held=prob.pop("held"),
                check_id=f"theorem2_published_probability/k{k}",
                result="Theorem 2",
                form="published",
                sampler="topk",
                variant="valid",
                expectation=expect,
                kind="probability",
                note=f"P[T2-paper holds on the whole grid] vs 1 - 2/k (k={k}, eps=0); "
                f"conditional on both T+ and T- non-empty it holds in {cond} of cases "
                f"(claimed 1)",
                config=ctx.base_config(k=k, law="gaussian", n_probability=n, relation=">="),
                **prob,
            )
        )
    return out


def suite_nontrivial_probability(ctx: SuiteContext) -> list[CheckResult]:
    """Assumption 3's consequences on the top-k projections, per law and ``k``:
    ``P[T+ and T- both non-empty] = 1 - 2/k`` (Lemma 2b's non-triviality) and
    ``P[c is the arg-min] = 1/k`` (``theory.assumption3_*_probability``), on valid laws and with
    exchangeability broken (``along_h``), where both are expected to fail."""
    n = ctx.config.n_probability
    out = []
    cases = [(law, "valid") for law in PROJECTION_LAWS] + [("gaussian", "along_h")]
    for law, variant in cases:
        for k in (3, 10):
            (g,) = sample_topk(ctx.rng, n, k, [k], law=law, variant=variant)
            assert g.correct is not None
            diff = g.proj - g.proj[np.arange(n), g.correct][:, None]
            above, below = (diff > 0).any(axis=1), (diff < 0).any(axis=1)
            events = (
                (
                    "theorem2_nontrivial_probability",
                    above & below,
                    float(theory.assumption3_both_sides_probability(k)),
                    "P[T+ and T- both non-empty] = 1 - 2/k (Lemma 2b)",
                ),
                (
                    "assumption3_argmin_probability",
                    ~below,
                    float(theory.assumption3_argmin_probability(k)),
                    "P[c is the arg-min of the k projections] = 1/k (Assumption 3)",
                ),
            )
            for name, event, claimed, note in events:
                prob = probability_fields(int(event.sum()), n, claimed, "==")
                out.append(
                    CheckResult(
                        check_id=f"{name}/{law}_k{k}_{variant}",
                        result="Theorem 2" if name.startswith("theorem2") else "Assumption 3",
                        form="verified",
                        sampler=f"topk {law}",
                        variant=variant,
                        expectation="hold" if variant == "valid" else "fail",
                        kind="probability",
                        n_cases=n,
                        note=note,
                        config=ctx.base_config(k=k, law=law, n_probability=n, relation="=="),
                        **prob,
                    )
                )
    return out
