"""`steerbound models`: the built-in model names, whether each is available here, and from where.

Exit code 0 (listing never fails; an unavailable model shows the command that provides it).
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list the built-in model names (load_model / [model].path) and where they come from",
        description="List the built-in model names that load_model and [model].path accept, "
        "whether each is available on this machine, its path and where it comes from.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from steerbound.empirical.model.builtin_models import list_builtin_models
    from steerbound.pipeline.models import MODELS

    rows = list_builtin_models(MODELS)
    if args.json:
        records = [
            {
                "name": r.name,
                "available": r.available,
                "state": r.state,
                "path": None if r.path is None else str(r.path),
                "provider": r.provider,
                "description": r.description,
                "how_to_get": r.how_to_get,
            }
            for r in rows
        ]
        print(json.dumps(records, indent=1))
        return 0
    for r in rows:
        print(f"{r.name}  [{r.state}]")
        print(f"    {r.description}")
        print(f"    from: {r.provider}")
        print(f"    path: {r.path}" if r.path is not None else f"    get it: {r.how_to_get}")
    return 0
