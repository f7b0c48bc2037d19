"""Plotting draws the fits that `fit` wrote and never recomputes or rewrites them."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from steerbound.pipeline import steps
from steerbound.pipeline.config import load_config

TINY = Path(__file__).resolve().parents[2] / "configs" / "tiny.toml"


def _write_sweep(out: Path) -> None:
    with (out / "sweep-requests.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["prompt_id", "coefficient", "measurement", "value"])
        for r in (-1.0, -0.5, 0.0, 0.5, 1.0):
            for p in ("a", "b"):
                writer.writerow([p, r, "behavior", math.tanh(0.8 * r + 0.1)])


def test_plot_reads_fits_json_and_never_rewrites_it(tmp_path: Path) -> None:
    config = load_config(TINY)
    _write_sweep(tmp_path)
    with pytest.raises(FileNotFoundError, match="run `fit` first"):
        steps.plot(config, tmp_path)
    fits = steps.fit(config, tmp_path)
    assert fits.results["requests"]["behavior_tanh"].params["slope"] == pytest.approx(0.8)
    assert "judged_behavior_tanh" in fits.skipped["requests"]
    before = (tmp_path / "fits.json").read_bytes()
    stamps = [(tmp_path / f).stat().st_mtime_ns for f in ("fits.json", "fits.csv")]
    pngs = steps.plot(config, tmp_path)
    assert [p.name for p in pngs] == ["requests.png"]
    assert (tmp_path / "fits.json").read_bytes() == before
    assert [(tmp_path / f).stat().st_mtime_ns for f in ("fits.json", "fits.csv")] == stamps
