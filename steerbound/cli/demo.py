"""`steerbound demo`: the whole tradeoff on the built-in model organism, offline on CPU.

Runs :func:`steerbound.demo.run_demo`: theory checks and a quick simulation, the organism (trained
once, then cached), steering vectors for a base and an aligned model, an ``r_e`` sweep, fits,
bound checks, the tradeoff frontier and a recommended coefficient; writes ``report.html``,
``results.csv``, ``results.json`` and ``plots/`` into ``--out``. Exit code 0, or 1 when the
theory or simulation step raised (the rest still runs and the error is in the report).
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
        help="organism cache (default: $STEERBOUND_CACHE, "
        "$XDG_CACHE_HOME/steerbound or ~/.cache/steerbound)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars or step log")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from steerbound.demo import DemoConfig, run_demo

    try:
        config = DemoConfig.preset(
            quick=args.quick,
            out_dir=args.out,
            seed=args.seed,
            retrain=args.retrain,
            budget=args.budget,
            cache_dir=args.cache_dir,
            progress=not args.no_progress,
        )
    except ValueError as error:
        print(f"steerbound demo: {error}")
        return 2
    result = run_demo(config)
    print(f"report: {result.files['report']}")
    print(f"results: {result.files['csv']}, {result.files['json']}")
    for name, record in result.summary["settings"].items():
        rec = record["tradeoff"]["recommendation"]
        spans = (
            " and ".join(
                f"[{lo:.3g}, {hi:.3g}]"
                for lo, hi in record["tradeoff"]["efficient_regime"]["intervals"]
            )
            or "no interval"
        )
        print(
            f"{name}: efficient for r_e in {spans}; "
            f"recommended r_e = {rec['r_e']:.3g} for a {config.budget:.0%} helpfulness budget "
            f"(behavior {rec['measured_behavior']:+.3f}, "
            f"measured loss {rec['measured_relative_loss']:.1%})"
        )
    for step, trace in result.errors.items():
        print(f"steerbound demo: step {step!r} failed:\n{trace}")
    return 1 if result.errors else 0
