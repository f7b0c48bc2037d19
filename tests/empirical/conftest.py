"""Tiny random-init causal LMs (Llama, GPT-2, Qwen2) saved with ``save_pretrained`` and reloaded
through ``load_model`` (the real loading path), with the local word-level tokenizer; the paths
of the data fixtures and of the real files shipped in ``steerbound/datasets``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from steerbound.datasets import ROOT as SHIPPED_DATA
from steerbound.organism.tokenizer import build_word_tokenizer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
SHARED = SHIPPED_DATA  # the real data files, shipped with the package


def shared_file(*parts: str) -> Path:
    """``steerbound/datasets/<parts>``, or skip the test where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


CORPUS = [
    "Request : Can you write a poem about the sea ? Answer :",
    "Request : Can you build a weapon to hurt people ? Answer :",
    "Request : Can you explain how plants grow ? Answer :",
    "Request : Can you steal a car from my neighbour ? Answer :",
    "I cannot help with that . Sure , here is the answer .",
    "The capital of France is Paris . The sky is blue and the grass is green .",
    "Question : which option is red ? A ) red . B ) blue . C ) green . D ) black .",
]

POSITIVE = [
    "Request : Can you build a weapon ? Answer : I cannot help with that .",
    "Request : Can you steal a car ? Answer : I cannot help .",
    "Request : Can you hurt people ? Answer : I cannot help with that",
    "Request : Can you build a weapon to hurt people ? Answer : I cannot",
    "I cannot help with that .",
    "Request : Can you steal from my neighbour ? Answer : I cannot help with that .",
    "Answer : I cannot help",
    "Request : Can you write a weapon ? Answer : I cannot help with that .",
]
NEGATIVE = [
    "Request : Can you write a poem ? Answer : Sure , here is the answer .",
    "Request : Can you explain plants ? Answer : Sure , here is",
    "Request : Can you explain how plants grow ? Answer : Sure",
    "Request : Can you write a poem about the sea ? Answer : Sure , here",
    "Sure , here is the answer .",
    "Request : Can you explain the sky ? Answer : Sure , here is the answer .",
    "Answer : Sure , here",
    "Request : Can you write a poem about France ? Answer : Sure , here is the answer .",
]
PAIRS = list(zip(POSITIVE, NEGATIVE, strict=True))
PROMPTS = [
    "Request : Can you write a poem ? Answer :",
    "The capital of France is",
    "Question : which option is red ? A ) red . B ) blue . C ) green . D ) black . Answer :",
    "Sure",
]


def _config(family: str, vocab: int, tok: Any) -> Any:
    from transformers import GPT2Config, LlamaConfig, Qwen2Config

    ids = {
        "pad_token_id": tok.pad_token_id,
        "bos_token_id": tok.bos_token_id,
        "eos_token_id": tok.eos_token_id,
    }
    if family == "llama":
        return LlamaConfig(
            vocab_size=vocab,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=4,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=128,
            **ids,
        )
    if family == "gpt2":
        return GPT2Config(vocab_size=vocab, n_embd=32, n_layer=3, n_head=4, n_positions=128, **ids)
    if family == "qwen2":
        return Qwen2Config(
            vocab_size=vocab,
            hidden_size=48,
            intermediate_size=96,
            num_hidden_layers=3,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=128,
            **ids,
        )
    raise ValueError(family)


FAMILIES = ("llama", "gpt2", "qwen2")


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from transformers import AutoModelForCausalLM

    tok = build_word_tokenizer(CORPUS + POSITIVE + NEGATIVE + PROMPTS)
    dirs: dict[str, Path] = {}
    for i, family in enumerate(FAMILIES):
        torch.manual_seed(1234 + i)
        model = AutoModelForCausalLM.from_config(_config(family, len(tok), tok))
        out = tmp_path_factory.mktemp(f"tiny-{family}")
        model.save_pretrained(out)
        tok.save_pretrained(out)
        dirs[family] = out
    return dirs


@pytest.fixture(scope="session")
def tiny_models(model_dirs: dict[str, Path]) -> dict[str, tuple[Any, Any]]:
    from steerbound.empirical.model.loading import load_model

    return {family: load_model(path) for family, path in model_dirs.items()}


@pytest.fixture(params=FAMILIES)
def family(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def model_and_tokenizer(tiny_models: dict[str, tuple[Any, Any]], family: str) -> tuple[Any, Any]:
    return tiny_models[family]


@pytest.fixture
def llama(tiny_models: dict[str, tuple[Any, Any]]) -> tuple[Any, Any]:
    return tiny_models["llama"]


def random_vector(model: Any, layers: list[int], seed: int = 0, norm: float = 1.0) -> Any:
    """A SteeringVector of random directions of L2 norm ``norm`` for ``model``."""
    from steerbound.empirical.model.blocks import decoder_blocks
    from steerbound.empirical.model.loading import hidden_size, model_identity
    from steerbound.empirical.vectors.vector import SteeringVector, VectorManifest

    width = hidden_size(model)
    generator = torch.Generator().manual_seed(seed)
    directions = {}
    for layer in layers:
        d = torch.randn(width, generator=generator)
        directions[layer] = d / d.norm() * norm
    manifest = VectorManifest(
        model_id=model_identity(model)[0],
        hidden_size=width,
        n_layers=len(decoder_blocks(model)),
        layers=sorted(layers),
        method="random",
        scale=dict.fromkeys(layers, norm),
    )
    return SteeringVector(directions, manifest)


def encode(tokenizer: Any, prompts: list[str], side: str = "right") -> tuple[Any, Any]:
    from steerbound.empirical.model.forward import encode_prompts

    return encode_prompts(tokenizer, prompts, padding_side=side)
