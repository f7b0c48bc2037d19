"""``steerbound simulate``: Monte-Carlo verification of every bound on synthetic geometries.

Runs :func:`steerbound.simulate.run_simulation` with a progress bar, draws the figures
(:mod:`steerbound.report.simulation_plots`), prints the summary table and exits 0 iff the run
passed (``SimulationReport.passed``): every verified form held where its hypotheses hold and was
tight where the theory says it is, every broken variant and failing published form showed its
failure, and every counterexample search found one.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="test every bound against exact steered softmax on synthetic geometries",
        description="Sample synthetic unembedding geometries (hypotheses imposed or broken), "
        "compute exact steered quantities, check every bound of steerbound.theory, search "
        "counterexamples to the published forms, and write results.json/results.csv/plots.",
    )
    parser.add_argument("--quick", action="store_true", help="small preset (under a minute)")
    parser.add_argument(
        "--n", type=int, default=None, help="geometries per check (overrides preset)"
    )
    parser.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: none)")
    parser.add_argument(
        "--memory-budget-mb",
        type=float,
        default=256.0,
        help="memory for exact-softmax temporaries in MB (default 256)",
    )
    parser.add_argument(
        "--counterexample-starts",
        type=int,
        default=None,
        help="random starts per counterexample search (default: 3 quick, 24 otherwise)",
    )
    parser.add_argument(
        "--no-figures", action="store_true", help="write results.json/csv only, no PNGs"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from steerbound.report.simulation_plots import run_simulation_with_figures
    from steerbound.simulate import SimulationConfig, run_simulation

    if args.n is not None and args.n < 1:
        print(f"steerbound simulate: --n must be >= 1, got {args.n}")
        return 2
    if args.memory_budget_mb <= 0:
        print(
            f"steerbound simulate: --memory-budget-mb must be positive, got {args.memory_budget_mb}"
        )
        return 2
    if args.counterexample_starts is not None and args.counterexample_starts < 1:
        print(
            "steerbound simulate: --counterexample-starts must be >= 1, "
            f"got {args.counterexample_starts}"
        )
        return 2
    config = SimulationConfig.preset(
        quick=args.quick,
        n=args.n,
        seed=args.seed,
        memory_budget_mb=args.memory_budget_mb,
        counterexample_starts=args.counterexample_starts,
    )
    runner = run_simulation if args.no_figures else run_simulation_with_figures
    report = runner(config=config, out_dir=args.out, progress=True)
    print(report.summary_table())
    for path in sorted(report.files.values()):
        print(f"wrote {path}")
    return 0 if report.passed else 1
