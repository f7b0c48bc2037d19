"""`steerbound demo`: the whole tradeoff on the built-in model organism, offline on CPU.

Runs :func:`steerbound.demo.run_demo`: theory checks and a quick simulation, the organism (trained
once, then cached), steering vectors for a base and an aligned model, an ``r_e`` sweep, fits,
bound checks, the tradeoff frontier and a recommended coefficient; writes ``report.html``,
``results.csv``, ``results.json`` and ``plots/`` into ``--out``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="reproduce the tradeoff on the built-in model organism (offline, CPU, minutes)",
        description=__doc__,
    )
    parser.add_argument(
        "--quick", action="store_true", help="test-size organism, 21 coefficients (about a minute)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("steerbound-out"),
        help="output directory (default: ./steerbound-out)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the organism, splits and simulation (default 0)",
    )
    parser.add_argument(
        "--retrain", action="store_true", help="train the organism even if it is cached"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=0.05,
        help="helpfulness budget of the recommended coefficient, a fraction (default 0.05)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="organism cache (default: $STEERBOUND_CACHE, $XDG_CACHE_HOME/steerbound or ~/.cache/steerbound)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars or step log")
    parser.set_defaults(func=run)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from steerbound.demo import DemoConfig, run_demo

    try:
        config = DemoConfig.preset(
            quick=args.quick, out_dir=args.out, seed=args.seed, retrain=args.retrain,
            budget=args.budget, cache_dir=args.cache_dir, progress=not args.no_progress,
        )  # fmt: skip
    except ValueError as error:
        print(f"steerbound demo: {error}")
        return 2
    result = run_demo(config)
    print(f"report: {result.files['report']}")
    print(f"results: {result.files['csv']}, {result.files['json']}")
    for name, record in result.summary["settings"].items():
        rec = record["tradeoff"]["recommendation"]
        print(
            f"{name}: efficient regime up to r_e = {record['tradeoff']['efficient_regime']['r_end']:.3g}; "
            f"recommended r_e = {rec['r_e']:.3g} for a {config.budget:.0%} helpfulness budget "
            f"(behavior {rec['measured_behavior']:+.3f}, measured loss {rec['measured_relative_loss']:.1%})"
        )
    return 0
