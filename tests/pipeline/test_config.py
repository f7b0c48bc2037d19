"""TOML configs: the shipped ones parse; bad values name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from steerbound.empirical.model.blocks import resolve_layers
from steerbound.pipeline.config import ConfigError, load_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
MINIMAL = """
[model]
path = "m"
[vector]
layers = [1]
[sweep]
coefficients = [0.0, 1.0]
"""


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_configs_parse(path: Path) -> None:
    config = load_config(path)
    assert config.datasets and config.source == path.resolve()
    if path.stem.startswith("llama2-13b"):
        assert resolve_layers(config.vector.layers, 40) == list(range(8, 16))
    if path.stem.startswith("llama31-8b"):
        assert resolve_layers(config.vector.layers, 32) == list(range(10, 15))
    if path.stem != "tiny":
        behavior, *mmlu = config.datasets
        assert len(config.grid(behavior)) == 51 and config.grid(behavior)[0] == -5.0
        assert [len(config.grid(d)) for d in mmlu] == [81, 81, 81]
        # every data file is a shipped dataset, named (no path outside the repository)
        from steerbound.datasets import ROOT, is_dataset_name

        named = [d.path for d in config.datasets]
        named += [config.humaneval.path] if config.humaneval else []
        pairs = config.pairs
        named += [x for x in (pairs.harmful, pairs.harmless, pairs.stereoset) if x] if pairs else []
        assert named and all(is_dataset_name(x) for x in named), named
        assert all(config.data_path(str(x)).is_relative_to(ROOT) for x in named)


def test_minimal_config_defaults(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text(MINIMAL)
    config = load_config(tmp_path / "c.toml")
    assert config.name == "c" and config.output_dir == tmp_path / "runs" / "c"
    assert config.model.dtype == "float32" and config.pairs is None
    assert config.to_dict()["sweep"]["coefficients"] == [0.0, 1.0]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (("[model]", '[model]\ndtype = "float8"'), r"\[model\]\.dtype"),
        (("[vector]", '[vector]\nmethod = "svm"'), r"\[vector\]\.method"),
        (("[vector]", "[vector]\nbogus = 1"), r"\[vector\]: unknown field\(s\) \['bogus'\]"),
        (
            ("coefficients = [0.0, 1.0]", "coefficients = {start = 1, stop = 0, step = 1}"),
            r"\[sweep\]\.coefficients",
        ),
        (("coefficients = [0.0, 1.0]", "coefficients = [1.0, 1.0]"), "repeat"),
        (('path = "m"', ""), r"\[model\]: missing field\(s\) \['path'\]"),
        (
            ("[sweep]", '[pairs]\nsource = "bias"\npositive = "agree"\n[sweep]'),
            r"\[pairs\]\.stereoset",
        ),
        (
            ("[sweep]", '[[datasets]]\nname = "x"\nkind = "inline"\nprompts = ["a"]\n[sweep]'),
            "positive_answers",
        ),
        (("[model]", "[model]\nallow_network = 3\n[x]"), "unknown top-level"),
        (
            ("[sweep]", '[[datasets]]\nname = "x"\nkind = "mmlu"\ndataset = "nope"\n[sweep]'),
            r"\[\[datasets\]\]\[0\]\.dataset: unknown dataset 'nope'",
        ),
        (
            (
                "[sweep]",
                '[[datasets]]\nname = "x"\nkind = "mmlu"\ndataset = "mmlu-international_law"\n'
                'path = "a.csv"\n[sweep]',
            ),
            "either path or dataset",
        ),
        (("[sweep]", '[humaneval]\ndataset = "advbenc"\n[sweep]'), r"\[humaneval\]\.dataset"),
    ],
)
def test_errors_name_file_and_field(tmp_path: Path, change: tuple[str, str], match: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace(*change, 1))
    with pytest.raises(ConfigError, match=match) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text("[model\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path / "x.toml")
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "none.toml")
