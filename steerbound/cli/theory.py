"""`steerbound theory`: run every symbolic check and print the table (or JSON / a sheet).

Exit code 0 iff no check of a verified form failed or is undecided (published forms shown
failing on their counterexamples are reported as "published (fails)" and are expected).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "theory",
        help="check every result of docs/theorem_sheet.md symbolically (sympy)",
        description="Derive and check every result (proof steps, properties, numeric forms, "
        "counterexamples to the published forms).",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per check")
    parser.add_argument(
        "--markdown", type=Path, metavar="FILE", help="write the theorem sheet (Markdown)"
    )
    parser.add_argument(
        "--latex", type=Path, metavar="FILE", help="write the theorem sheet (LaTeX)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from steerbound.theory.checks import check_all, exit_code, format_check_table

    records = check_all()
    if args.json:
        print(json.dumps([r.as_dict() for r in records], indent=1))
    else:
        print(format_check_table(records))
    for path, kind in ((args.markdown, "markdown"), (args.latex, "latex")):
        if path is None:
            continue
        from steerbound.theory import render

        text = render.markdown_sheet(records) if kind == "markdown" else render.latex_sheet(records)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not args.json:
            print(f"wrote {path}")
    return exit_code(records)
