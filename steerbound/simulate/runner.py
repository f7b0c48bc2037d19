"""``run_simulation``: every check suite, the counterexample search and the result files.

Outputs in ``out_dir`` (when given): ``results.json`` (config, one entry per bound x sampler
variant with its numbers and config, the counterexamples; rewritten after every suite, with
``"complete": false`` until the run ends) and ``results.csv`` (one row per check). The figures
are drawn by :mod:`steerbound.report.simulation_plots` from :mod:`steerbound.simulate.curves`.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steerbound.simulate.counterexamples import PROBLEMS, Counterexample, search_all
from steerbound.simulate.exact import DEFAULT_MEMORY_BUDGET_MB
from steerbound.simulate.harness import CheckResult, SimulationConfig, SuiteContext
from steerbound.simulate.suites import SUITES

__all__ = ["SUITES", "SimulationReport", "run_simulation"]

_CSV_FIELDS = (
    "check_id",
    "result",
    "form",
    "sampler",
    "variant",
    "kind",
    "expectation",
    "held",
    "passed",
    "n_cases",
    "n_violated_cases",
    "n_grid_points",
    "n_violated_points",
    "max_violation",
    "gap_at_zero_mean",
    "gap_at_zero_max",
    "claimed_p",
    "empirical_p",
    "ci_low",
    "ci_high",
    "note",
    "config",
)


def _fmt(x: float | None, spec: str = ".2e") -> str:
    return "-" if x is None else format(x, spec)


@dataclass
class SimulationReport:
    """Everything a simulation run produced (see :func:`run_simulation`)."""

    config: SimulationConfig
    results: list[CheckResult]
    counterexamples: list[Counterexample]
    elapsed_s: float = 0.0
    files: dict[str, str] = field(default_factory=dict)

    @property
    def all_verified_hold(self) -> bool:
        """Every verified form held wherever its hypotheses hold (and was tight where claimed)."""
        return all(r.held for r in self.results if r.form == "verified" and r.expectation == "hold")

    @property
    def all_expectations_met(self) -> bool:
        """Additionally, every broken variant and failing published form showed its failure."""
        return all(r.passed for r in self.results) and all(c.found for c in self.counterexamples)

    @property
    def failures(self) -> list[tuple[str, str]]:
        """``(check, reason)`` for every row whose outcome differs from its expectation and
        every published form whose counterexample was not found (or fell short of the theorem
        sheet's own example). Empty iff the run passes (the CLI's exit code)."""
        out = []
        for r in self.results:
            if r.passed:
                continue
            if r.expectation == "fail":
                reason = "expected failure not shown: the check did not fail"
            elif r.kind == "tightness":
                reason = "not tight where equality is claimed (max |bound - exact| "
                reason += f"{_fmt(r.max_violation)})"
            elif r.kind == "decay":
                reason = "does not tend to its limit (max excess "
                reason += f"{_fmt(r.max_violation)} over the level)"
            elif r.kind in ("probability", "limit"):
                reason = f"claimed probability {_fmt(r.claimed_p, '.4f')} rejected "
                reason += f"(empirical {_fmt(r.empirical_p, '.4f')})"
            else:
                reason = f"verified statement violated (max violation {_fmt(r.max_violation)})"
            out.append((r.check_id, reason))
        for c in self.counterexamples:
            if not c.found:
                out.append((f"counterexample/{c.name}", "no violation found"))
            elif c.rediscovered is False:
                out.append((f"counterexample/{c.name}", "the theorem sheet's example not reached"))
        return out

    @property
    def passed(self) -> bool:
        """The run's verdict: every expectation met (see :attr:`failures`)."""
        return not self.failures

    def summary_table(self) -> str:
        """Fixed-width table: one line per check, then the counterexamples."""
        head = (
            f"{'check':52s} {'form':9s} {'expect':6s} {'kind':6s} {'ok':3s} {'cases':>6s} "
            f"{'viol':>6s} {'points viol':>13s} {'max viol':>9s} {'gap@0':>9s}  "
            "probability (95% CI) vs claim"
        )
        lines = [head, "-" * len(head)]
        for r in self.results:
            prob = ""
            if r.empirical_p is not None:
                prob = (
                    f"{r.empirical_p:.3f} ({_fmt(r.ci_low, '.3f')}-{_fmt(r.ci_high, '.3f')})"
                    f" vs {_fmt(r.claimed_p, '.3f')}"
                )
            points = f"{r.n_violated_points}/{r.n_grid_points}" if r.n_grid_points else "-"
            lines.append(
                f"{r.check_id:52s} {r.form[:9]:9s} {r.expectation:6s} {r.kind[:6]:6s} "
                f"{'yes' if r.passed else 'NO':3s} {r.n_cases:6d} {r.n_violated_cases:6d} "
                f"{points:>13s} {_fmt(r.max_violation):>9s} {_fmt(r.gap_at_zero_mean):>9s}  {prob}"
            )
        lines.append("")
        lines.append("counterexamples (published forms; hypotheses hold by construction):")
        for c in self.counterexamples:
            ref = (
                ""
                if c.reference_violation is None
                else f"; theorem-sheet example {c.reference_violation:.4f} "
                f"({'matched or exceeded' if c.rediscovered else 'NOT reached'})"
            )
            lines.append(
                f"  {c.name:24s} violation {c.violation:.6f} at r_e={c.r_e:.6g} "
                f"(exact {c.exact:.6f}, bound {c.bound:.6f}; {c.starts_violating}/"
                f"{c.starts} starts){ref}"
            )
        lines.append("")
        for check, reason in self.failures:
            lines.append(f"FAILED {check}: {reason}")
        lines.append(
            f"all verified forms hold: {self.all_verified_hold}; every expected "
            f"failure shown: {self.all_expectations_met}; verdict: "
            f"{'PASS' if self.passed else 'FAIL'}; {self.elapsed_s:.1f} s"
        )
        return "\n".join(lines)

    def to_dict(self, complete: bool = True) -> dict[str, Any]:
        return {
            "complete": complete,
            "config": self.config.to_dict(),
            "elapsed_s": self.elapsed_s,
            "all_verified_hold": self.all_verified_hold,
            "all_expectations_met": self.all_expectations_met,
            "passed": self.passed,
            "failures": [list(f) for f in self.failures],
            "results": [r.to_dict() for r in self.results],
            "counterexamples": [c.to_dict() for c in self.counterexamples],
        }


def _write_json(report: SimulationReport, path: Path, complete: bool) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report.to_dict(complete), indent=1, default=float))
    tmp.replace(path)


def _write_csv(results: list[CheckResult], path: Path) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=_CSV_FIELDS)
        writer.writeheader()
        for r in results:
            row = r.to_dict()
            row["config"] = json.dumps(row["config"], default=float)
            writer.writerow({k: row[k] for k in _CSV_FIELDS})


def run_simulation(
    *,
    quick: bool = False,
    n: int | None = None,
    seed: int = 0,
    out_dir: Path | None = None,
    memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB,
    progress: bool = False,
    config: SimulationConfig | None = None,
) -> SimulationReport:
    """Run every check suite and the counterexample search; write outputs to ``out_dir``.

    Args:
        quick: small preset (well under a minute on 2 cores) instead of the default.
        n: geometries per (bound, variant) check, overriding the preset.
        seed: master seed (same seed, same numbers).
        out_dir: where to write ``results.json`` and ``results.csv`` (nothing when ``None``).
        memory_budget_mb: memory for the exact-softmax temporaries.
        progress: show a tqdm progress bar (on stderr).
        config: a full :class:`SimulationConfig` instead of the preset (then ``quick``, ``n``,
            ``seed`` and ``memory_budget_mb`` are ignored).
    """
    if config is None:
        config = SimulationConfig.preset(
            quick=quick, n=n, seed=seed, memory_budget_mb=memory_budget_mb
        )
    seed = config.seed
    start = time.perf_counter()
    report = SimulationReport(config=config, results=[], counterexamples=[])
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
    from tqdm import tqdm

    total = len(SUITES) + len(PROBLEMS)
    with tqdm(total=total, disable=not progress, desc="simulate", unit="step") as bar:
        for name, suite in SUITES:
            bar.set_postfix_str(name)
            report.results.extend(suite(SuiteContext(config, name)))
            report.elapsed_s = time.perf_counter() - start
            if out_dir is not None:
                _write_json(report, out_dir / "results.json", complete=False)
            bar.update()
        bar.set_postfix_str("counterexample search")
        report.counterexamples = search_all(
            seed, starts=config.counterexample_starts, progress=bar.update
        )
    report.elapsed_s = time.perf_counter() - start
    if out_dir is not None:
        _write_csv(report.results, out_dir / "results.csv")
        _write_json(report, out_dir / "results.json", complete=True)
        report.files["results.json"] = str(out_dir / "results.json")
        report.files["results.csv"] = str(out_dir / "results.csv")
    return report
