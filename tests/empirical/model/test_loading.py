"""load_model: the real save_pretrained/from_pretrained path, offline, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from steerbound.empirical.model.loading import hidden_size, load_model, resolve_dtype


def test_reload_matches_and_is_eval(model_dirs: dict[str, Path]) -> None:
    model, tokenizer = load_model(model_dirs["llama"])
    assert not model.training
    assert tokenizer.pad_token_id is not None
    assert hidden_size(model) == 32
    again, _ = load_model(model_dirs["llama"])
    ids = tokenizer(["The capital of France is"], return_tensors="pt")["input_ids"]
    assert torch.equal(model(ids).logits, again(ids).logits)


def test_bfloat16(model_dirs: dict[str, Path]) -> None:
    model, _ = load_model(model_dirs["gpt2"], dtype="bfloat16")
    assert next(model.parameters()).dtype == torch.bfloat16


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_model(tmp_path / "nope")


def test_hub_id_offline_is_a_clear_error() -> None:
    with pytest.raises(FileNotFoundError, match="allow_network"):
        load_model("no-such-org/no-such-model-xyz")


def test_bad_dtype() -> None:
    with pytest.raises(ValueError, match="dtype"):
        resolve_dtype("float8")


def test_pad_token_defaults_to_eos(model_dirs: dict[str, Path], tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dirs["gpt2"])
    tok.pad_token = None
    tok.save_pretrained(tmp_path)
    for name in ("config.json", "model.safetensors", "generation_config.json"):
        if (model_dirs["gpt2"] / name).exists():
            (tmp_path / name).write_bytes((model_dirs["gpt2"] / name).read_bytes())
    model, tokenizer = load_model(tmp_path)
    assert tokenizer.pad_token == tokenizer.eos_token
    assert model.get_input_embeddings().weight.shape[0] == len(tokenizer)
