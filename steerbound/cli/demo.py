"""`steerbound demo`: placeholder until its issue lands."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("demo", help="demo (not built yet)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print("steerbound demo: not built yet")
    return 2
