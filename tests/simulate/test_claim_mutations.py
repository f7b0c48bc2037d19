"""Mutation test of the claims ``steerbound simulate`` owns: every corruption fails the run.

Each mutation is one exact text replacement in one file of the package. It is applied to a
temporary copy of ``steerbound/``, and ``python -m steerbound simulate --quick`` runs on that
copy (``PYTHONPATH``) with the smallest settings that still catch every mutation (``--n 8``,
one counterexample start, no figures). The run must end with ``verdict: FAIL`` and a non-zero
exit code; the unmutated copy must pass with the same settings. The mutations cover the three
things the verdict guards: looser or vacuous bounds (tightness), expected failures that stop
failing (broken samplers, expectations, forms), and the statistics deciding both. Two runs go
at a time; a caught/missed table is printed (``pytest -s`` shows it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import steerbound

PACKAGE = Path(steerbound.__file__).resolve().parent
ARGS = ("--quick", "--n", "8", "--counterexample-starts", "1", "--no-figures")
TIMEOUT_S = 300


@dataclass(frozen=True)
class Mutation:
    """Replace ``old`` (which must occur exactly once) by ``new`` in ``path`` (package-relative)."""

    name: str
    path: str
    old: str
    new: str
    why: str


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "theorem1_margin_halved",
        "simulate/suites/behavior.py",
        'r, b0[:, None], g.lam[:, None], g.claims["delta"][:, None]\n',
        'r, b0[:, None], g.lam[:, None], g.claims["delta"][:, None] / 2\n',
        "Theorem 1 checked with half the margin (slope halved): valid but loose",
    ),
    Mutation(
        "corollary1_target_loosened",
        "simulate/suites/behavior.py",
        "target = np.broadcast_to((1.0 - eps)[:, None], r.shape)",
        "target = np.broadcast_to((1.0 - 2.0 * eps)[:, None], r.shape)",
        "Corollary 1 claims only 1 - 2 eps at r*(eps): valid but loose",
    ),
    Mutation(
        "two_cluster_not_clustered",
        "simulate/geometries/hard_margin.py",
        "x = np.where(aligned, centre + delta[:, None], centre + 0.0 * down)",
        "x = np.where(aligned, centre + delta[:, None], centre - 0.1 * down)",
        "the tight geometry spreads its misaligned tokens (bounds hold, equality lost)",
    ),
    Mutation(
        "margin_no_longer_overstated",
        "simulate/geometries/hard_margin.py",
        "claimed = delta * rng.uniform(1.3, 2.0, size=n)",
        "claimed = delta * rng.uniform(0.5, 1.0, size=n)",
        "the broken sampler claims a true margin: its expected failure disappears",
    ),
    Mutation(
        "theorem3_eps_claimed_on_clean_geometry",
        "simulate/suites/soft_margin.py",
        'r, b0[:, None], g.lam[:, None], g.claims["delta"][:, None], 0.0, depth',
        'r, b0[:, None], g.lam[:, None], g.claims["delta"][:, None], 1e-6, depth',
        "Theorem 3 evaluated with eps = 1e-6 where eps = 0: valid but loose",
    ),
    Mutation(
        "theorem4_published_evaluated_as_verified",
        "simulate/suites/nonbinary.py",
        'g.claims["delta"][:, None], form=form',
        'g.claims["delta"][:, None], form="verified"',
        "the failing published Theorem 4 row silently checks the verified form",
    ),
    Mutation(
        "theorem2_published_probability_expectation",
        "simulate/suites/helpfulness.py",
        'expect = "fail" if k >= 40 else "hold"',
        'expect = "fail" if k >= 10 else "hold"',
        "T2-paper 'with probability 1 - 2/k' declared failing at k = 10, where it holds",
    ),
    Mutation(
        "corollary2_limit_doubled",
        "simulate/suites/helpfulness_limits.py",
        "limit = float(theory.corollary2_limit(k))",
        "limit = 2.0 * float(theory.corollary2_limit(k))",
        "Corollary 2 claims the limit 2/k: an upper bound, but the limit is exactly 1/k",
    ),
    Mutation(
        "curvature_sigma_never_broken",
        "simulate/suites/helpfulness_limits.py",
        'fed_sigma = sigma if variant == "valid" else 1.0',
        "fed_sigma = sigma",
        "the sigma_of_x variant feeds the right sigma: its expected failure disappears",
    ),
    Mutation(
        "theorem6_published_uses_b_min",
        "simulate/suites/multi_token.py",
        'b_step = b_min if form == "verified" else b0',
        "b_step = b_min",
        "the published Theorem 6 row is evaluated with B_min: its failure disappears",
    ),
    Mutation(
        "theorem2_search_evaluates_verified_form",
        "simulate/counterexamples.py",
        'q.sigma, q.beta, form="published"',
        'q.sigma, q.beta, form="verified"',
        "the counterexample search for T2-paper searches Lemma 2b: no counterexample exists",
    ),
    Mutation(
        "tolerance_loosened",
        "simulate/harness.py",
        "TOLERANCE = 1e-10",
        "TOLERANCE = 1e-1",
        "violations below 0.1 no longer count: small expected failures disappear",
    ),
    Mutation(
        "decision_interval_widened",
        "simulate/harness.py",
        "DECISION_Z = 3.290526731491926",
        "DECISION_Z = 30.0",
        "a 30-sigma decision interval accepts every claimed probability",
    ),
)


@dataclass(frozen=True)
class Outcome:
    name: str
    returncode: int
    verdict_failed: bool
    failed_checks: tuple[str, ...]
    tail: str


def _copy_package(root: Path, mutation: Mutation | None) -> Path:
    shutil.copytree(PACKAGE, root / "steerbound", ignore=shutil.ignore_patterns("__pycache__"))
    if mutation is not None:
        target = root / "steerbound" / mutation.path
        text = target.read_text()
        count = text.count(mutation.old)
        if count != 1:
            raise AssertionError(f"{mutation.name}: old text occurs {count} times in {target}")
        target.write_text(text.replace(mutation.old, mutation.new))
    return root


def _run(root: Path, name: str) -> Outcome:
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "steerbound", "simulate", *ARGS, "--out", str(root / "out")],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=TIMEOUT_S,
    )
    lines = proc.stdout.splitlines()
    failed = tuple(line.split()[1].rstrip(":") for line in lines if line.startswith("FAILED "))
    return Outcome(
        name,
        proc.returncode,
        any("verdict: FAIL" in line for line in lines),
        failed,
        (proc.stdout + proc.stderr)[-1500:],
    )


def _table(mutations: tuple[Mutation, ...], outcomes: dict[str, Outcome]) -> str:
    head = f"{'mutation':42s} {'file':38s} {'rc':>3s} {'result':7s} failing checks"
    lines = [head, "-" * len(head)]
    for m in mutations:
        o = outcomes[m.name]
        caught = o.returncode != 0 and o.verdict_failed
        checks = ", ".join(o.failed_checks[:3]) + (" ..." if len(o.failed_checks) > 3 else "")
        lines.append(
            f"{m.name:42s} {m.path:38s} {o.returncode:3d} {'caught' if caught else 'MISSED':7s} "
            f"{checks}"
        )
    n_caught = sum(
        outcomes[m.name].returncode != 0 and outcomes[m.name].verdict_failed for m in mutations
    )
    lines.append(f"caught {n_caught}/{len(mutations)}")
    return "\n".join(lines)


def test_mutation_list_is_well_formed() -> None:
    """Every mutation's old text occurs exactly once in the package (cheap, always run)."""
    assert len(MUTATIONS) >= 6 and len({m.name for m in MUTATIONS}) == len(MUTATIONS)
    for m in MUTATIONS:
        assert m.old != m.new
        assert (PACKAGE / m.path).read_text().count(m.old) == 1, m.name


def test_every_claim_mutation_fails_steerbound_simulate(tmp_path: Path) -> None:
    jobs: list[tuple[str, Mutation | None]] = [("unmutated", None)]
    jobs += [(m.name, m) for m in MUTATIONS]
    roots = {name: _copy_package(tmp_path / name, m) for name, m in jobs}
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(
            zip(
                roots,
                pool.map(lambda name: _run(roots[name], name), roots),
                strict=True,
            )
        )
    control = outcomes.pop("unmutated")
    assert control.returncode == 0 and not control.verdict_failed, control.tail
    table = _table(MUTATIONS, outcomes)
    print("\n" + table)
    missed = [
        (name, o.returncode, o.tail)
        for name, o in outcomes.items()
        if o.returncode == 0 or not o.verdict_failed
    ]
    assert not missed, table + "\n" + "\n".join(f"{n}: rc={rc}\n{t}" for n, rc, t in missed)
