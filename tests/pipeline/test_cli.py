"""`steerbound empirical extract | sweep` on the tiny config with a tiny saved model."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from steerbound.cli import main

TINY = Path(__file__).resolve().parents[2] / "configs" / "tiny.toml"


def test_extract_then_sweep(
    model_dirs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--config", str(TINY), "--out", str(tmp_path), "--model", str(model_dirs["llama"])]
    assert main(["empirical", "extract", *common, "--no-progress"]) == 0
    manifest = json.loads((tmp_path / "vector" / "manifest.json").read_text())
    assert manifest["layers"] == [2] and manifest["n_pairs"] == 6  # 0.5 of 4 blocks
    assert main(["empirical", "sweep", *common, "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "read_accuracy" in printed and "behavior" in printed
    table = list(csv.DictReader((tmp_path / "sweep-requests.csv").open()))
    measurements = {r["measurement"] for r in table}
    assert measurements == {
        "behavior",
        "behavior_full",
        "logit_gap",
        "final_hidden_change_norm",
        "logit_change_norm",
    }
    assert len(table) == 3 * 5 * 5  # prompts x coefficients x measurements
    change = [
        (float(r["coefficient"]), float(r["value"]))
        for r in table
        if r["measurement"] == "final_hidden_change_norm"
    ]
    # r_e = 0 rows differ from the baseline rows of the same forward only by float32 rounding
    assert max(v for c, v in change if c == 0) < 1e-5
    assert min(v for c, v in change if c != 0) > 1e-3
    assert (tmp_path / "sweep-requests.config.json").is_file()
    recorded = (tmp_path / "sweep-requests.config.json").read_text()
    assert '"rows"' in recorded and '"offset": 0' in recorded  # which rows were measured
    assert '"first_id": "requests/0"' in recorded and '"steerbound"' in recorded
    store = next(tmp_path.glob("sweep-requests-*.jsonl"))
    size = store.stat().st_size
    assert main(["empirical", "sweep", *common, "--no-progress"]) == 0  # resumes: nothing to do
    assert store.stat().st_size == size
    assert main(["empirical", "fit", *common]) == 0
    fits = json.loads((tmp_path / "fits.json").read_text())
    assert set(fits["requests"]["behavior_tanh"]["params"]) == {"slope", "offset"}
    assert main(["empirical", "plot", *common]) == 0
    assert (tmp_path / "plots" / "requests.png").stat().st_size > 1000
    assert main(["empirical", "assumptions", *common, "--no-progress"]) == 0
    found = json.loads((tmp_path / "assumptions-requests.json").read_text())
    assert len(found["assumption1"]["r_e"]) == 5 and "assumption2" in found
    assert "A1 r_e>0: lam" in capsys.readouterr().out


def test_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["empirical", "extract", "--config", str(tmp_path / "none.toml")]) == 2
    assert "does not exist" in capsys.readouterr().out
    bad_model = ["--config", str(TINY), "--out", str(tmp_path), "--model", str(tmp_path / "nope")]
    assert main(["empirical", "extract", *bad_model]) == 1
    assert "does not exist" in capsys.readouterr().out
    assert main(["empirical", "sweep", *bad_model]) == 1
    assert "run `extract` first" in capsys.readouterr().out
