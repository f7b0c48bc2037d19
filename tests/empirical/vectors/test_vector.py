"""SteeringVector: save/load round trip (safetensors + JSON), validation, transformations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from steerbound.empirical.vectors.vector import MANIFEST_FILE, TENSORS_FILE, SteeringVector

from ..conftest import random_vector


def test_round_trip(llama: tuple[Any, Any], tmp_path: Path) -> None:
    model, _ = llama
    vector = random_vector(model, [1, 2])
    vector.manifest.mean_residual_norm = {1: 0.5, 2: 0.75}
    vector.manifest.read_accuracy = {1: 1.0, 2: 0.5}
    vector.save(tmp_path / "v")
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == [MANIFEST_FILE, TENSORS_FILE]
    loaded = SteeringVector.load(tmp_path / "v", model=model)
    assert loaded.manifest == vector.manifest
    assert all(torch.equal(loaded.directions[l], vector.directions[l]) for l in (1, 2))
    assert not list((tmp_path / "v").glob("*.pt")) and not list((tmp_path / "v").glob("*.bin"))


def test_load_errors(tiny_models: dict[str, tuple[Any, Any]], tmp_path: Path) -> None:
    llama, _ = tiny_models["llama"]
    qwen, _ = tiny_models["qwen2"]
    vector = random_vector(llama, [3])
    path = vector.save(tmp_path / "v")
    with pytest.raises(ValueError, match=r"hidden_size 32 does not match.* 48"):
        SteeringVector.load(path, model=qwen)
    gpt2, _ = tiny_models["gpt2"]  # hidden 32 but only 3 blocks
    with pytest.raises(ValueError, match=r"layer\(s\) \[3\] do not exist"):
        SteeringVector.load(path, model=gpt2)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        SteeringVector.load(tmp_path / "missing")
    manifest = json.loads((path / MANIFEST_FILE).read_text())
    del manifest["hidden_size"]
    (path / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(
        ValueError, match=r"manifest.json: missing manifest field\(s\) \['hidden_size'\]"
    ):
        SteeringVector.load(path)
    manifest["hidden_size"], manifest["layers"] = 32, [2]
    (path / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="directions cover layers"):
        SteeringVector.load(path)
    (path / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(ValueError, match="invalid JSON"):
        SteeringVector.load(path)


def test_scaled_with_layers_to(llama: tuple[Any, Any]) -> None:
    model, _ = llama
    vector = random_vector(model, [0, 1, 2])
    vector.manifest.mean_residual_norm = {0: 2.0, 1: 4.0, 2: 8.0}
    doubled = vector.scaled(2.0)
    assert doubled.manifest.scale == pytest.approx({0: 2.0, 1: 2.0, 2: 2.0})
    assert torch.equal(doubled.directions[1], vector.directions[1] * 2.0)
    assert vector.manifest.scale == pytest.approx({0: 1.0, 1: 1.0, 2: 1.0})  # not mutated
    kappa = vector.scaled_to_residual_norm(0.1)
    assert kappa.manifest.scale == pytest.approx({0: 0.2, 1: 0.4, 2: 0.8})
    sub = vector.with_layers([2, 0])
    assert sub.layers == [0, 2] and sub.manifest.layers == [0, 2]
    assert sub.manifest.mean_residual_norm == {0: 2.0, 2: 8.0}
    with pytest.raises(ValueError, match="no direction for layer"):
        vector.with_layers([5])
    half = vector.to(dtype=torch.float16)
    assert half.directions[0].dtype == torch.float16
    with pytest.raises(ValueError, match="shape"):
        SteeringVector({0: torch.zeros(3)}, vector.manifest)
