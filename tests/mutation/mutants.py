"""A small mutation-testing framework: single-point corruptions of the package's source.

A :class:`Mutation` replaces one exact snippet (it must occur exactly once) in one file of
``steerbound/``. :func:`run_mutations` applies each mutation to a fresh temporary copy of the
package, runs ``python -m steerbound <command>`` in a subprocess with ``PYTHONPATH`` pointing
at the copy, and records whether the command exited non-zero (the corruption was *caught*).
:func:`format_table` prints the caught/missed table. Plain module, no pytest fixtures: other
suites (e.g. simulate's claims) can import it and pass their own mutations and commands.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

#: The repository root (``tests/mutation/mutants.py`` -> two levels up).
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Mutation:
    """Replace ``old`` (exactly one occurrence) by ``new`` in ``path`` (relative to the
    repository root); the corrupted package must make ``python -m steerbound *command`` fail."""

    name: str
    path: str
    old: str
    new: str
    command: tuple[str, ...] = ("theory",)


@dataclass(frozen=True)
class Outcome:
    mutation: Mutation
    returncode: int
    seconds: float
    tail: str

    @property
    def caught(self) -> bool:
        return self.returncode != 0


def copy_package(dest: Path) -> Path:
    """Copy ``steerbound/`` (without caches) into ``dest``; return the copy's root."""
    shutil.copytree(
        REPO / "steerbound",
        dest / "steerbound",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return dest


def apply(root: Path, mutation: Mutation) -> None:
    """Apply ``mutation`` inside the copy at ``root``; an ambiguous or stale snippet raises."""
    target = root / mutation.path
    text = target.read_text(encoding="utf-8")
    count = text.count(mutation.old)
    if count != 1:
        raise ValueError(
            f"mutation {mutation.name!r}: snippet occurs {count} times in {mutation.path}"
        )
    target.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")


def run_command(root: Path, command: Sequence[str], timeout: float) -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(root), OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "steerbound", *command],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return -9, "timed out"
    return proc.returncode, (proc.stdout + proc.stderr)[-2000:]


def run_one(mutation: Mutation | None, timeout: float = 120.0) -> Outcome:
    """Run one mutation (``None``: the unmutated control) on a fresh copy of the package."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="steerbound-mutant-") as tmp:
        root = copy_package(Path(tmp))
        if mutation is not None:
            apply(root, mutation)
        command = mutation.command if mutation is not None else ("theory",)
        rc, tail = run_command(root, command, timeout)
    control = Mutation("(control: no mutation)", "", "", "")
    return Outcome(mutation or control, rc, time.perf_counter() - start, tail)


def run_mutations(
    mutations: Sequence[Mutation], jobs: int = 2, timeout: float = 120.0
) -> list[Outcome]:
    """Run every mutation, ``jobs`` at a time, in the given order."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda m: run_one(m, timeout), mutations))


def format_table(outcomes: Sequence[Outcome]) -> str:
    def verdict(o: Outcome) -> str:
        if not o.mutation.path:  # the unmutated control must pass
            return "ok" if o.returncode == 0 else "FAILS"
        return "caught" if o.caught else "MISSED"

    rows = [("mutation", "file", "result", "rc", "s")] + [
        (
            o.mutation.name,
            o.mutation.path.removeprefix("steerbound/"),
            verdict(o),
            str(o.returncode),
            f"{o.seconds:.1f}",
        )
        for o in outcomes
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    mutants = [o for o in outcomes if o.mutation.path]
    lines.append(f"{sum(o.caught for o in mutants)}/{len(mutants)} caught")
    return "\n".join(lines)
