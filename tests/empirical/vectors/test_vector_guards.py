"""Non-finite values stopped at the door and model mismatches refused (issue 14, item 4)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import torch

from steerbound.empirical.model.forward import encode_prompts
from steerbound.empirical.model.hooks import steering
from steerbound.empirical.sweeps.logits import distinct_coefficients
from steerbound.empirical.vectors.vector import MANIFEST_FILE, TENSORS_FILE, SteeringVector
from steerbound.pipeline.config import ConfigError, grid

from ..conftest import PROMPTS, random_vector


def test_nan_in_a_vector_file_is_refused_naming_file_and_layer(
    llama: tuple[Any, Any], tmp_path: Path
) -> None:
    from safetensors.torch import load_file, save_file

    model, _ = llama
    path = random_vector(model, [1, 2]).save(tmp_path / "v")
    tensors = load_file(str(path / TENSORS_FILE))
    tensors["layer.2"][5] = float("nan")
    save_file(tensors, str(path / TENSORS_FILE))
    with pytest.raises(ValueError, match=rf"{TENSORS_FILE}: direction of layer 2 has 1 non-finite"):
        SteeringVector.load(path)


def test_non_finite_direction_refused_at_construction(llama: tuple[Any, Any]) -> None:
    model, _ = llama
    vector = random_vector(model, [1])
    bad = vector.directions[1].clone()
    bad[0] = float("inf")
    with pytest.raises(ValueError, match="direction of layer 1 has 1 non-finite"):
        SteeringVector({1: bad}, vector.manifest)
    with pytest.raises(ValueError, match="non-finite"):
        vector.scaled(float("nan"))


@pytest.mark.parametrize("coefficient", [float("nan"), float("inf"), torch.tensor([0.0, -1e400])])
def test_non_finite_coefficient_refused_by_steering(
    llama: tuple[Any, Any], coefficient: Any
) -> None:
    model, tok = llama
    vector = random_vector(model, [1])
    ids, mask = encode_prompts(tok, PROMPTS[:2])
    with pytest.raises(ValueError, match=r"coefficient (nan|inf|-inf).* is not finite"):
        with steering(model, vector, coefficient):
            model(input_ids=ids, attention_mask=mask)


def test_non_finite_grid_refused() -> None:
    with pytest.raises(ValueError, match=r"coefficient nan \(position 1\) is not finite"):
        distinct_coefficients([0.0, float("nan")])
    with pytest.raises(ConfigError, match=r"x.toml \[sweep\].coefficients: coefficient inf"):
        grid([0.0, float("inf")], "x.toml [sweep].coefficients")
    with pytest.raises(ConfigError, match=r"coefficients.step: must be a finite number"):
        grid({"start": 0.0, "stop": 1.0, "step": float("nan")}, "x.toml [sweep].coefficients")


def test_model_mismatch_is_an_error_unless_forced(
    tiny_models: dict[str, tuple[Any, Any]], tmp_path: Path
) -> None:
    llama, _ = tiny_models["llama"]
    vector = random_vector(llama, [1])
    vector.check_compatible(llama)  # its own model: fine
    other = dataclasses.replace(vector.manifest, model_id="meta-llama/Llama-2-13b-hf")
    foreign = SteeringVector(vector.directions, other)
    with pytest.raises(ValueError, match=r"model_id 'meta-llama/Llama-2-13b-hf' vs the model's"):
        foreign.check_compatible(llama, source="v/manifest.json")
    with pytest.warns(UserWarning, match="forced"):
        foreign.check_compatible(llama, force=True)
    deeper = SteeringVector(vector.directions, dataclasses.replace(vector.manifest, n_layers=40))
    with pytest.raises(ValueError, match=r"n_layers 40 vs the model's 4 blocks"):
        deeper.check_compatible(llama)
    path = foreign.save(tmp_path / "v")
    assert (path / MANIFEST_FILE).exists()
    with pytest.raises(ValueError, match=rf"{tmp_path / 'v'}: the vector's manifest does not"):
        SteeringVector.load(path, model=llama)
