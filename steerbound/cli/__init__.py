"""Thin command line: ``steerbound {theory,simulate,empirical,demo,models}``.

Each subcommand lives in its own module with ``add_parser(subparsers)`` registering its
arguments and ``run(args) -> int`` (the exit code). Heavy imports (sympy, torch) happen inside
``run`` so that ``steerbound --help`` is instant. Library code never imports this package.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from steerbound import __version__
from steerbound.cli import demo, empirical, models, simulate, theory

_SUBCOMMANDS = (theory, simulate, empirical, demo, models)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="steerbound",
        description="Verify the alignment-helpfulness tradeoff of steering language models.",
    )
    parser.add_argument("--version", action="version", version=f"steerbound {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    code: int = args.func(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
