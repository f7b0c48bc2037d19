"""run_simulation end to end on a tiny configuration, and the CLI wiring."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from steerbound.cli import main
from steerbound.report.simulation_plots import run_simulation_with_figures
from steerbound.simulate import SimulationConfig, run_simulation

TINY = SimulationConfig(
    n=12,
    n_probability=1500,
    vocab_sizes=(2, 5, 40),
    matrix_shapes=((40, 8),),
    grid_points=16,
    counterexample_starts=1,
)


def test_run_simulation_writes_everything(tmp_path: Path) -> None:
    """The library run writes the result files; the report layer adds the figures."""
    report = run_simulation_with_figures(out_dir=tmp_path, config=TINY)
    assert report.all_verified_hold
    assert report.all_expectations_met
    names = {
        "results.json",
        "results.csv",
        "behavior_curves.png",
        "helpfulness_curves.png",
        "violation_maps.png",
    }
    assert names <= set(report.files)
    for name in names:
        assert (tmp_path / name).stat().st_size > 0
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["complete"] and data["config"]["n"] == 12
    assert len(data["results"]) == len(report.results)
    assert {c["name"] for c in data["counterexamples"]} >= {"theorem2_published"}
    entry = data["results"][0]
    for key in (
        "n_cases",
        "n_violated_cases",
        "n_violated_points",
        "max_violation",
        "gap_at_zero_mean",
        "config",
        "expectation",
        "passed",
    ):
        assert key in entry
    with (tmp_path / "results.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(report.results)
    table = report.summary_table()
    assert "theorem1/valid" in table and "counterexamples" in table


def test_library_run_draws_nothing(tmp_path: Path) -> None:
    report = run_simulation(out_dir=tmp_path, config=TINY)
    assert set(report.files) == {"results.json", "results.csv"}
    assert not list(tmp_path.glob("*.png"))


def test_cli_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--n", "0"]) == 2
    assert "--n" in capsys.readouterr().out
    assert main(["simulate", "--memory-budget-mb", "-1"]) == 2


def test_preset_validation() -> None:
    with pytest.raises(ValueError, match="n must be"):
        SimulationConfig.preset(quick=True, n=0)
    quick = SimulationConfig.preset(quick=True, n=7, seed=3)
    assert quick.quick and quick.n == 7 and quick.seed == 3


def test_verdict_covers_expected_failures_tightness_and_counterexamples() -> None:
    from steerbound.simulate import CheckResult, SimulationReport

    def row(check_id: str, expectation: str, held: bool, kind: str = "bound") -> CheckResult:
        return CheckResult(check_id, "R", "verified", "s", "v", expectation, kind, held)

    ok = [row("a/valid", "hold", True), row("a/broken", "fail", False)]
    assert SimulationReport(TINY, ok, []).passed
    lost = SimulationReport(TINY, [*ok, row("b/broken", "fail", True)], [])
    assert not lost.passed and lost.failures[0][0] == "b/broken"
    assert "expected failure not shown" in lost.failures[0][1]
    loose = SimulationReport(TINY, [*ok, row("c/tight", "hold", False, "tightness")], [])
    assert not loose.passed and "not tight" in loose.failures[0][1]
    assert "verdict: FAIL" in loose.summary_table()
