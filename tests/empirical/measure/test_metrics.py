"""Metrics against hand-computed values; answer tokens resolved as the tokenizer writes them."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers import PreTrainedTokenizerFast

from steerbound.empirical.measure.metrics import (
    answer_token_ids,
    behavior_from_judgments,
    behavior_from_logits,
    multiple_choice_metrics,
)
from steerbound.organism.tokenizer import build_word_tokenizer

LETTERS = ["A", "B", "C", "D"]


@pytest.fixture(scope="module")
def byte_level_tokenizer() -> PreTrainedTokenizerFast:
    """A GPT-2-style byte-level BPE trained locally, where " A" ("ĠA") differs from "A"."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    backend = Tokenizer(models.BPE(unk_token=None))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    corpus = [f"A) x B) y C) z D) w. The answer is {c}" for c in LETTERS] * 50
    trainer = trainers.BpeTrainer(
        vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    backend.train_from_iterator(corpus, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=backend)


def test_answer_tokens_byte_level(byte_level_tokenizer: PreTrainedTokenizerFast) -> None:
    tok = byte_level_tokenizer
    ids = answer_token_ids(tok, "Question?\nThe answer is", LETTERS)
    assert tok.convert_ids_to_tokens(list(ids)) == ["ĠA", "ĠB", "ĠC", "ĠD"]
    bare = tok.convert_tokens_to_ids(LETTERS)
    assert set(ids).isdisjoint(bare)  # the published code's bare-letter lookup is wrong here
    with pytest.raises(ValueError, match="tokens after the prompt"):
        answer_token_ids(tok, "The answer is", ["Zebra"])


def test_answer_tokens_word_tokenizer() -> None:
    tok = build_word_tokenizer(["The answer is A B C D"])
    ids = answer_token_ids(tok, "The answer is", LETTERS)
    assert tok.convert_ids_to_tokens(list(ids)) == LETTERS
    with pytest.raises(ValueError, match="unknown token"):
        answer_token_ids(tok, "The answer is", ["Zzz"])
    with pytest.raises(ValueError, match="ambiguous"):
        answer_token_ids(tok, "The answer is", ["A"], separator="")  # "isA" replaces "is"
    with pytest.raises(ValueError, match="distinct"):
        answer_token_ids(tok, "The answer is", ["A", "A"])


def test_behavior_from_logits_hand_computed() -> None:
    logits = torch.tensor([[0.0, math.log(2), math.log(3), 0.0]], dtype=torch.float64)
    res = behavior_from_logits(logits, [1], [2])
    assert res.p_positive[0] == pytest.approx(2 / 7, abs=1e-15)
    assert res.p_negative[0] == pytest.approx(3 / 7, abs=1e-15)
    assert res.behavior_full[0] == pytest.approx(-1 / 7, abs=1e-15)
    assert res.logit_gap[0] == pytest.approx(math.log(2 / 3), abs=1e-15)
    assert res.behavior[0] == pytest.approx(-0.2, abs=1e-15)  # (2 - 3) / (2 + 3)
    two = behavior_from_logits(np.array([0.0, math.log(2), math.log(3), 0.0]), [0, 1], [3])
    assert two.behavior[0] == pytest.approx((3 - 1) / 4, abs=1e-15)


def test_behavior_from_logits_extreme_values_finite() -> None:
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], dtype=np.float32)
    res = behavior_from_logits(logits, [0], [1])
    assert res.behavior.tolist() == [1.0, -1.0]
    assert np.isfinite(res.logit_gap).all() and res.logit_gap[0] == pytest.approx(2e4)
    with pytest.raises(ValueError, match="overlap"):
        behavior_from_logits(logits, [0], [0, 1])
    with pytest.raises(ValueError, match="outside"):
        behavior_from_logits(logits, [3], [1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-30, 30), min_size=4, max_size=4))
def test_behavior_matches_direct_softmax(z: list[float]) -> None:
    p = np.exp(np.array(z) - max(z))
    p /= p.sum()
    res = behavior_from_logits(np.array(z), [0, 1], [2])
    assert res.behavior_full[0] == pytest.approx(p[0] + p[1] - p[2], abs=1e-12)
    assert res.behavior[0] == pytest.approx((p[0] + p[1] - p[2]) / (p[0] + p[1] + p[2]), abs=1e-9)


def test_behavior_from_judgments() -> None:
    res = behavior_from_judgments([1, 1, 1, -1, 0])
    assert (res.behavior, res.n, res.n_unknown, res.method) == (0.5, 4, 1, "wilson")
    assert (res.ci_low, res.ci_high) == pytest.approx((2 * 0.30064 - 1, 2 * 0.95441 - 1), abs=1e-5)
    strict = behavior_from_judgments([1, 1, 1, -1, 0], unknown="negative")
    assert strict.behavior == pytest.approx(2 * 3 / 5 - 1) and strict.n == 5
    assert math.isnan(behavior_from_judgments([0, 0]).behavior)
    with pytest.raises(ValueError, match="scores"):
        behavior_from_judgments([2])


def test_multiple_choice_metrics_hand_computed() -> None:
    logs = np.log([1.0, 2.0, 3.0, 4.0, 10.0])
    logits = torch.tensor(np.stack([logs, logs[[3, 2, 1, 0, 4]] - 100.0]))
    m = multiple_choice_metrics(logits, [0, 1, 2, 3], [3, 0])
    assert m.p_options[0] == pytest.approx([0.1, 0.2, 0.3, 0.4], abs=1e-12)
    assert m.p_correct_options == pytest.approx([0.4, 0.4], abs=1e-12)
    assert m.p_correct_full == pytest.approx([0.2, 0.2], abs=1e-12)
    assert m.correct_options.tolist() == [True, True]
    assert m.correct_greedy.tolist() == [False, False]  # token 4 is the greedy choice
    assert m.accuracy_options == 1.0 and m.helpfulness_full == pytest.approx(0.2)
    per_row = multiple_choice_metrics(logits, [[0, 1, 2, 3], [4, 1, 2, 3]], [0, 0])
    assert per_row.p_correct_options[1] == pytest.approx(10 / 16, abs=1e-12)
    assert per_row.correct_greedy.tolist() == [False, True]


def test_multiple_choice_ties_and_validation() -> None:
    m = multiple_choice_metrics(np.zeros((1, 5)), [0, 1, 2, 3], [1])
    assert m.p_correct_options[0] == pytest.approx(0.25) and not m.correct_options[0]
    with pytest.raises(ValueError, match="correct"):
        multiple_choice_metrics(np.zeros((1, 5)), [0, 1, 2, 3], [4])
    with pytest.raises(ValueError, match="repeats"):
        multiple_choice_metrics(np.zeros((1, 5)), [0, 0, 2, 3], [1])
    with pytest.raises(ValueError, match="NaN"):
        multiple_choice_metrics(np.full((1, 5), np.nan), [0, 1, 2, 3], [1])
