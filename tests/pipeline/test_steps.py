"""Every `steerbound empirical` subcommand end to end on configs/tiny.toml (CPU, offline), the
generation outputs, the plots with their CSV/JSON, and config errors naming file and field."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from steerbound._codec import decode, encode
from steerbound.cli import main
from steerbound.empirical.measure.assumptions import measure_assumption1
from steerbound.pipeline.config import load_config

TINY = Path(__file__).resolve().parents[2] / "configs" / "tiny.toml"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_subcommand_on_the_tiny_config(
    model_dirs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--config", str(TINY), "--out", str(tmp_path), "--model", str(model_dirs["gpt2"])]
    run = ["--no-progress"]
    assert main(["empirical", "extract", *common, *run]) == 0
    assert main(["empirical", "sweep", *common, *run]) == 0
    out = capsys.readouterr().out
    assert "15 generated now, 0 already stored" in out and "judged_behavior" in out
    assert "pass_at_1" in out and "6 generated now" in out
    judged = _csv(tmp_path / "gen-requests.csv")
    assert len(judged) == 3 * 5 and {r["measurement"] for r in judged} == {"judgment"}
    assert {r["value"] for r in judged} <= {"-1", "0", "1"}
    summary = _csv(tmp_path / "gen-requests-summary.csv")
    assert [float(r["coefficient"]) for r in summary] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    for r in summary:
        counts = [int(r[k]) for k in ("n_positive", "n_negative", "n_unknown")]
        assert sum(counts) == 3 and int(r["n"]) == counts[0] + counts[1]
        if int(r["n"]):
            assert float(r["ci_low"]) <= float(r["value"]) <= float(r["ci_high"])
    sidecar = json.loads((tmp_path / "gen-requests.config.json").read_text())
    assert sidecar["judge"]["positive_phrases"] == ["I cannot", "cannot help"]  # from the TOML
    humaneval = _csv(tmp_path / "gen-humaneval.csv")
    assert len(humaneval) == 2 * 3 and all(r["value"] == "0.0" for r in humaneval)
    he_summary = _csv(tmp_path / "gen-humaneval-summary.csv")
    assert [(r["value"], r["n_problems"]) for r in he_summary] == [("0.0", "2")] * 3
    stores = sorted(p.name for p in tmp_path.glob("*.jsonl"))
    sizes = [p.stat().st_size for p in sorted(tmp_path.glob("*.jsonl"))]
    assert len(stores) == 3  # sweep-requests, gen-requests, gen-humaneval
    assert main(["empirical", "sweep", *common, *run]) == 0  # resumes: nothing recomputed
    assert "0 generated now, 15 already stored" in capsys.readouterr().out
    assert [p.stat().st_size for p in sorted(tmp_path.glob("*.jsonl"))] == sizes

    assert main(["empirical", "assumptions", *common, *run]) == 0
    assert "A1 r_e>0: lam" in capsys.readouterr().out
    assert main(["empirical", "fit", *common]) == 0
    printed = capsys.readouterr().out
    assert "requests behavior_tanh: slope=" in printed
    assert "humaneval pass_rate_parabolic: skipped: every point equals 0" in printed
    fits_table = _csv(tmp_path / "fits.csv")
    assert {"slope", "offset", "lam_delta"} <= {r["parameter"] for r in fits_table}
    assert main(["empirical", "plot", *common]) == 0
    plots = tmp_path / "plots"
    for stem in (
        "requests",
        "requests-judged",
        "humaneval",
        "assumption1-requests",
        "assumption2-requests",
    ):
        for ext in ("png", "svg", "csv"):
            assert (plots / f"{stem}.{ext}").stat().st_size > 100, (stem, ext)
    index = json.loads((plots / "index.json").read_text())
    assert index["config"]["name"] == "tiny" and index["missing_sources"] == []
    assert len(index["figures"]) == 5
    a1_rows = _csv(plots / "assumption1-requests.csv")
    assert {r["series"] for r in a1_rows} >= {"hidden_norm_mean", "logit_norm_mean"}


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("batch_size = 4\nholdout", 'batch_size = "four"\nholdout', "[vector].batch_size"),
        ('judge = "harmfulness"', 'judge = "vibes"', "[[datasets]][0].generation.judge"),
        ("samples = 1", "samples = 1.5", "[humaneval].samples"),
        ("timeout_s = 10.0", "timeout_s = -1.0", "[humaneval].timeout_s"),
        ('name = "requests"', 'name = "a/b"', "[[datasets]][0].name"),
    ],
)
def test_malformed_config_names_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, field: str
) -> None:
    text = TINY.read_text()
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1))
    assert main(["empirical", "sweep", "--config", str(bad), "--no-progress"]) == 2
    message = capsys.readouterr().out
    assert str(bad) in message and field in message


def test_results_round_trip_through_json() -> None:
    rng = np.random.default_rng(0)
    r = np.array([-1.0, 0.0, 1.0, 2.0])
    h0 = rng.normal(size=(3, 5))
    hs = h0[None] + r[:, None, None] * rng.normal(size=(1, 3, 5))
    found = measure_assumption1(r, hs, h0, rng.normal(size=(7, 5)))
    back = decode(type(found), json.loads(json.dumps(encode(found))), "round trip")
    assert np.array_equal(back.hidden_norm, found.hidden_norm)
    assert back.hidden_fit.positive.slope == found.hidden_fit.positive.slope
    assert np.isnan(back.lam_per_question).sum() == np.isnan(found.lam_per_question).sum()


def test_shipped_configs_make_judged_generation_the_primary_behavior() -> None:
    for path in sorted(TINY.parent.glob("llama*.toml")):
        config = load_config(path)
        behavior = config.datasets[0]
        assert behavior.generation is not None and behavior.generation.do_sample is False
        assert behavior.generation.max_new_tokens == 64
        assert config.humaneval is not None and config.humaneval.temperature == 1.0
        assert "one-token" in path.read_text()  # the logit proxy is documented as a proxy
