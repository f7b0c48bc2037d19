"""`steerbound theory`: placeholder until its issue lands."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("theory", help="theory (not built yet)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print("steerbound theory: not built yet")
    return 2
