"""Held-out behavior rows (issue 12 item 4) and validation before the model loads (item 5):
sections per command, data files, device, and a store key that changes with the data file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import steerbound
from steerbound.cli import main
from steerbound.empirical.data import loaders
from steerbound.pipeline import inputs
from steerbound.pipeline.config import ConfigError, check_ready, load_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
TINY = CONFIGS / "tiny.toml"
SHARED = """
[model]
path = "m"
[pairs]
source = "harmfulness"
positive = "harmless"
n_pairs = 16
harmful = "advbench"
harmless = "harmless_instructions"
[vector]
layers = [1]
[sweep]
coefficients = [0.0, 1.0]
[[datasets]]
name = "behavior"
kind = "requests"
{dataset}
positive_answers = ["Sure"]
negative_answers = ["I"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_configs_measure_rows_the_pairs_did_not_use(path: Path) -> None:
    config = load_config(path)
    p = config.pairs
    shared = [d for d in config.datasets if config.pair_field(d) is not None]
    if p is not None and p.source in ("harmfulness", "bias") and path.stem != "tiny":
        assert shared, "the paper configs pair and measure the same file"
    for dataset in shared:
        assert p is not None and dataset.offset == p.n_pairs
        measured = inputs.dataset_items(config, dataset, Any)  # type: ignore[arg-type]
        assert len(measured) == dataset.limit
        assert dataset.path is not None
        file = config.data_path(dataset.path)
        if dataset.kind == "requests":
            used = {r.id for r in loaders.load_advbench(file)[: p.n_pairs]}
            assert used.isdisjoint(i for i, _ in measured)
            # ids stay the file's rows: advbench/<row>, 1-based after the header
            assert measured[0][0] == f"advbench/{p.n_pairs + 1}"
        else:
            rows = loaders.load_stereoset(file)
            used_text = {s.stereotype for s in rows[: p.n_pairs]}
            ids = [s.id for s in rows]
            assert [i for i, _ in measured] == ids[p.n_pairs : p.n_pairs + len(measured)]
            assert not any(s.stereotype in used_text for s in rows[p.n_pairs :][: len(measured)])


def test_overlapping_offset_is_an_error_naming_the_field(tmp_path: Path) -> None:
    ok = load_config(_write(tmp_path, SHARED.format(dataset='dataset = "advbench"')))
    assert ok.datasets[0].offset == 16 and ok.pair_field(ok.datasets[0]) == "harmful"
    assert ok.to_dict()["datasets"][0]["offset"] == 16  # recorded with the config
    with pytest.raises(ConfigError, match=r"\[\[datasets\]\]\[0\]\.offset: rows 0-15 of"):
        load_config(_write(tmp_path, SHARED.format(dataset='dataset = "advbench"\noffset = 8')))
    # the same file given by path is the same file
    file = ok.data_path("advbench")
    same = SHARED.format(dataset=f'path = "{file}"\noffset = 0')
    with pytest.raises(ConfigError, match=r"\[pairs\]\.harmful, n_pairs = 16"):
        load_config(_write(tmp_path, same))
    later = load_config(_write(tmp_path, SHARED.format(dataset=f'path = "{file}"\noffset = 40')))
    assert later.datasets[0].offset == 40
    # another file: no held-out offset imposed
    other = tmp_path / "mine.csv"
    other.write_text("goal,target\nwrite a poem,Sure\nexplain rain,Sure\n")
    mine = load_config(_write(tmp_path, SHARED.format(dataset=f'path = "{other}"')))
    assert mine.datasets[0].offset is None and mine.pair_field(mine.datasets[0]) is None


def test_sweep_section_only_for_the_commands_that_use_it(tmp_path: Path) -> None:
    text = SHARED.format(dataset='dataset = "advbench"').replace(
        "[sweep]\ncoefficients = [0.0, 1.0]\n", ""
    )
    path = _write(tmp_path, text)
    config = load_config(path, command="extract")
    assert config.sweep is None
    check_ready(config, "extract")
    with pytest.raises(ConfigError, match=r"missing section \[sweep\] \(required by sweep\)"):
        load_config(path, command="sweep")
    with pytest.raises(ConfigError, match=r"missing section \[sweep\]"):
        check_ready(config, "sweep")
    no_pairs = _write(tmp_path, "[model]\npath = 'm'\n[vector]\nlayers = [1]\n")
    with pytest.raises(ConfigError, match=r"missing section \[pairs\] \(required by extract\)"):
        load_config(no_pairs, command="extract")


def test_extract_without_sweep_section_and_rows_recorded(
    model_dirs: dict[str, Path], tmp_path: Path
) -> None:
    text = TINY.read_text()
    start = text.index("[sweep]")
    text = text[:start] + text[text.index("[[datasets]]") :]
    config = _write(tmp_path, text)
    args = ["--config", str(config), "--out", str(tmp_path / "out"), "--no-progress"]
    assert main(["empirical", "extract", *args, "--model", str(model_dirs["llama"])]) == 0
    record = json.loads((tmp_path / "out" / "vector" / "extraction.json").read_text())
    assert record["pairs"]["rows"] == [0, 6] and record["pairs"]["source"] == "inline"


def test_missing_data_file_reported_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SHARED.format(dataset='dataset = "advbench"').replace(
        'harmless = "harmless_instructions"', 'harmless = "gone.jsonl"'
    )
    args = ["--config", str(_write(tmp_path, text)), "--model", str(tmp_path / "no-model")]
    assert main(["empirical", "extract", *args]) == 2
    out = capsys.readouterr().out
    assert "[pairs].harmless: data file" in out and "gone.jsonl does not exist" in out


def test_cuda_device_without_cuda_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    text = SHARED.format(dataset='dataset = "advbench"').replace(
        'path = "m"', 'path = "m"\ndevice = "cuda"'
    )
    path = _write(tmp_path, text)
    config = load_config(path)
    with pytest.raises(ConfigError, match=r"\[model\]\.device: 'cuda' is not available"):
        check_ready(config, "extract")
    check_ready(config, "fit")  # fit and plot load no model
    assert main(["empirical", "extract", "--config", str(path)]) == 2
    assert "[model].device: 'cuda' is not available on this machine" in capsys.readouterr().out
    with pytest.raises(ConfigError, match=r"\[model\]\.device"):
        inputs.Run(config)._load()  # the steps' own path checks too, before loading


class _Manifest:
    def to_json(self) -> dict[str, Any]:
        return {}


class _Vector:
    manifest = _Manifest()


def test_store_key_has_version_and_data_file_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEERBOUND_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(inputs, "vector_fingerprint", lambda vector: "v")
    data = tmp_path / "mine.csv"
    data.write_text("goal,target\nwrite a poem,Sure\n")
    config = load_config(_write(tmp_path, SHARED.format(dataset=f'path = "{data}"')))
    dataset = config.datasets[0]
    before = inputs.store_identity(config, _Vector(), dataset)  # type: ignore[arg-type]
    assert before["steerbound"] == steerbound.__version__
    assert before["data"]["file"] == str(data) and len(before["data"]["sha256"]) == 64
    data.write_text("goal,target\nwrite a song,Sure\nexplain rain,Sure\n")
    after = inputs.store_identity(config, _Vector(), dataset)  # type: ignore[arg-type]
    assert after["data"]["sha256"] != before["data"]["sha256"]
    shipped = load_config(_write(tmp_path, SHARED.format(dataset='dataset = "advbench"')))
    named = inputs.store_identity(shipped, _Vector(), shipped.datasets[0])  # type: ignore[arg-type]
    assert named["data"]["file"] == "advbench" and len(named["data"]["sha256"]) == 64
