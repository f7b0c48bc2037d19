"""The demo's --quick path end to end on the shared test organism: outputs, report sections,
the targets on the test organism, and identical numbers for the same seed."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from steerbound.cli import main
from steerbound.demo import DemoConfig, run_demo
from steerbound.demo.report import REPORT_SECTIONS


@pytest.fixture(scope="module")
def quick_demo(
    test_organism: Any, test_organism_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """``steerbound demo --quick`` through the CLI, on the session's test organism."""
    out = tmp_path_factory.mktemp("demo")
    code = main(
        [
            "demo",
            "--quick",
            "--out",
            str(out),
            "--cache-dir",
            str(test_organism_cache),
            "--no-progress",
        ]
    )
    assert code == 0
    return out


def test_outputs_exist(quick_demo: Path) -> None:
    for name in (
        "report.html",
        "results.csv",
        "results.json",
        "plots/frontier.png",
        "plots/frontier.svg",
        "plots/behavior_base.png",
        "plots/helpfulness_aligned.svg",
        "plots/assumption3_base.png",
    ):
        assert (quick_demo / name).stat().st_size > 0, name


def test_report_is_self_contained_with_every_section(quick_demo: Path) -> None:
    text = (quick_demo / "report.html").read_text(encoding="utf-8")
    for anchor in REPORT_SECTIONS:
        assert f'<section id="{anchor}">' in text, anchor
    images = re.findall(r'<img src="([^"]+)"', text)
    assert len(images) >= 10 and all(src.startswith("data:image/png;base64,") for src in images)
    assert "http://" not in text and "https://" not in text
    record = json.loads((quick_demo / "results.json").read_text())
    for setting in record["settings"].values():
        if setting["helpfulness_options_at_0"] > 0.75:  # above the 1/k-floor curve's cap (k=4)
            assert "cannot fit the data" in text
        if any(f["degenerate"] for f in setting["fits"].values()):
            assert "not identifiable" in text


def test_results_json_and_csv(quick_demo: Path) -> None:
    record = json.loads((quick_demo / "results.json").read_text())
    assert record["config"]["quick"] is True and record["versions"]["torch"]
    assert record["simulation"]["all_verified_hold"] is True
    assert record["theory"]["counts"].get("failed", 0) == 0
    rows = list(csv.DictReader((quick_demo / "results.csv").open()))
    assert {r["setting"] for r in rows} == {"base", "aligned"}
    assert len(rows) == 2 * record["config"]["n_coefficients"]
    for name, setting in record["settings"].items():
        t = setting["targets"]
        # the test organism reproduces the paper's shapes (the demo's thresholds)
        assert t["behavior_min"]["value"] < -0.5 and t["behavior_max"]["value"] > 0.5, name
        assert t["tanh_r2"]["value"] >= 0.95, name
        assert abs(t["helpfulness_argmax_r_e"]["value"]) <= 1, name
        assert setting["fits"]["parabolic (options)"]["r2"] >= 0.9, name
        rec = setting["tradeoff"]["recommendation"]
        assert rec["within_budget"] is True and rec["r_e"] * setting["tradeoff"]["direction"] > 0
        assert setting["vector"]["read_accuracy"][str(setting["vector"]["layer"])] >= 0.9
        # RepE PCA is the default and agrees with the mean difference on this organism
        assert setting["vector"]["method"] == "pca", name
        assert setting["vector"]["cosine_pca_mean_diff"] > 0.9, name
        # the curvature c = a b^2/2 is always reported; an undetermined b is never compared
        parabolic = setting["fits"]["parabolic (options)"]
        c, se_c = parabolic["derived"]["c"]
        assert c > 0 and se_c is not None and se_c < c, name
        rows = {p["name"]: p for p in setting["parameter_comparison"]}
        assert rows["lam*sigma*beta"]["identifiable"] is not parabolic["degenerate"]
        assert rows["a*b^2/2"]["fitted"] == c


def test_same_seed_same_numbers_and_step1_errors_are_reported(
    quick_demo: Path,
    test_organism_cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second run with the same seed gives byte-identical results.csv and the same settings
    record; a failing theory step is recorded in results.json, and the rest still runs."""
    from steerbound.demo import pipeline

    def broken() -> dict[str, Any]:
        raise RuntimeError("theory exploded")

    monkeypatch.setattr(pipeline, "theory_summary", broken)
    config = DemoConfig.preset(
        quick=True,
        out_dir=tmp_path,
        cache_dir=test_organism_cache,
        progress=False,
        run_simulation=False,
        plots=False,
    )
    again = run_demo(config)
    assert (tmp_path / "results.csv").read_bytes() == (quick_demo / "results.csv").read_bytes()
    first = json.loads((quick_demo / "results.json").read_text())["settings"]
    assert again.summary["settings"] == first
    assert "theory exploded" in again.errors["theory"]
    record = json.loads((tmp_path / "results.json").read_text())
    assert "theory exploded" in record["errors"]["theory"]
    assert not (tmp_path / "report.html").exists()  # plots=False: numbers only


def test_bad_budget_is_rejected(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--budget", "1.5", "--out", str(tmp_path)]) == 2
    assert "budget" in capsys.readouterr().out
