"""The organism's world, corpus, splits and config: deterministic, consistent, validated."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steerbound.organism import OrganismConfig, cache_root, make_splits, make_world
from steerbound.organism.corpus import ExampleSampler, request_target
from steerbound.organism.tokenizer import build_word_tokenizer
from steerbound.organism.world import (
    COMPLIANCE_TOKEN,
    REFUSAL_TOKEN,
    SEVERE_VERBS,
    Request,
)


@given(seed=st.integers(0, 10_000), n=st.integers(1, 50), n_attr=st.integers(1, 6))
@settings(max_examples=25, deadline=None)
def test_world_is_deterministic_and_consistent(seed: int, n: int, n_attr: int) -> None:
    world = make_world(n, n_attr, seed)
    assert world == make_world(n, n_attr, seed)
    assert len(set(world.entities)) == n
    assert len(world.facts) == n * n_attr
    for (_, attribute), value in world.facts.items():
        assert value in world.attributes[attribute]


def test_questions_have_the_truth_among_distinct_options() -> None:
    world = make_world(10, 4, 3)
    rng = random.Random(0)
    for (entity, attribute), truth in world.facts.items():
        q = world.question(entity, attribute, rng, 4, "word")
        assert len(set(q.options)) == 4 and q.options[q.correct] == truth
        assert q.target == f" {truth}."
        letter = world.question(entity, attribute, rng, 4, "letter")
        assert letter.answers == ("A", "B", "C", "D") and "D)" in letter.prompt
    with pytest.raises(ValueError, match="n_options"):
        world.question(world.entities[0], "color", rng, 9, "word")


def test_every_corpus_word_is_one_known_token() -> None:
    world = make_world(12, 4, 0)
    tokenizer = build_word_tokenizer(world.all_texts())
    config = OrganismConfig.from_size("test")
    splits = make_splits(world, config)
    texts = [r.prompt + r.compliance + r.refusal for r in splits.train_requests]
    texts += [q.prompt + q.target for q in splits.eval_questions]
    for text in texts:
        assert tokenizer.unk_token_id not in tokenizer(text)["input_ids"], text
    for word in (REFUSAL_TOKEN, COMPLIANCE_TOKEN):
        assert len(tokenizer(word, add_special_tokens=False)["input_ids"]) == 1


def test_splits_hold_out_requests_and_keep_every_verb_in_training() -> None:
    config = OrganismConfig.from_size("default")
    splits = make_splits(make_world(40, 4, 0), config)
    train, held = set(splits.train_requests), set(splits.heldout_requests)
    assert not train & held
    assert abs(len(held) / (len(train) + len(held)) - config.holdout_fraction) < 0.01
    verbs = {r.verb for r in held}
    assert verbs <= {r.verb for r in train}
    assert splits == make_splits(make_world(40, 4, 0), config)
    with pytest.raises(ValueError, match="split"):
        splits.requests("harmful", "test")


def test_contrast_prompts_pair_the_same_object_and_template() -> None:
    splits = make_splits(make_world(12, 4, 0), OrganismConfig.from_size("test"))
    base = splits.contrast_prompts("base")
    assert len(base) > 50
    for positive, negative in base:
        assert any(f" {verb} the" in positive for verb in SEVERE_VERBS)
        assert positive.split()[-2] == negative.split()[-2]  # same object and punctuation
    aligned = splits.contrast_prompts("aligned")
    held = {r.prompt for r in splits.heldout_requests}
    assert not {p for pair in aligned for p in pair} & held
    with pytest.raises(ValueError, match="setting"):
        splits.contrast_prompts("chat")  # type: ignore[arg-type]


def test_request_targets_follow_the_variant() -> None:
    config = OrganismConfig.from_size("test")
    harmful, severe = Request("steal", "car", 0, "harmful"), Request("bomb", "car", 0, "severe")
    harmless = Request("clean", "car", 0, "harmless")
    assert request_target(harmless, "aligned", config, 0.0) == harmless.compliance
    assert request_target(harmful, "aligned", config, 0.99) == harmful.refusal
    assert request_target(harmful, "base", config, 0.5) == harmful.compliance
    assert request_target(harmful, "base", config, 0.01) == harmful.refusal
    assert request_target(severe, "base", config, 0.5) == severe.refusal
    assert request_target(severe, "base", config, 0.95) == severe.compliance


def test_sampler_mixture_and_variant_validation() -> None:
    config = OrganismConfig.from_size("test")
    world = make_world(12, 4, 0)
    splits = make_splits(world, config)
    batch = ExampleSampler(world, splits, config, "base").batch(random.Random(1), 400)
    kinds = [p.split(":")[0] for p, _ in batch]
    for kind, weight in (("Fact", 0.25), ("Question", 0.35), ("Request", 0.40)):
        assert abs(kinds.count(kind) / 400 - weight) < 0.08
    with pytest.raises(ValueError, match="variant"):
        ExampleSampler(world, splits, config, "chat")  # type: ignore[arg-type]


def test_config_cache_key_and_validation() -> None:
    config = OrganismConfig.from_size("test")
    assert config.cache_key() == OrganismConfig.from_size("test").cache_key()
    assert config.cache_key() != OrganismConfig.from_size("test", base_steps=401).cache_key()
    assert config.cache_key() != OrganismConfig.from_size("test", seed=1).cache_key()
    # steering defaults do not change the trained weights, so not the cache key either
    assert config.cache_key() == OrganismConfig.from_size("test", kappa=0.3).cache_key()
    with pytest.raises(ValueError, match="size"):
        OrganismConfig.from_size("huge")
    with pytest.raises(ValueError, match="unknown"):
        OrganismConfig.from_size("test", hidden=3)
    with pytest.raises(ValueError, match="steer_layer"):
        OrganismConfig.from_size("test", steer_layer=2)
    with pytest.raises(ValueError, match="answer_format"):
        OrganismConfig(answer_format="roman")
    with pytest.raises(ValueError, match="p_refuse_severe"):
        OrganismConfig(p_refuse_severe=1.5)


def test_cache_root_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("STEERBOUND_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_root() == tmp_path / ".cache" / "steerbound"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "steerbound"
    monkeypatch.setenv("STEERBOUND_CACHE", str(tmp_path / "sb"))
    assert cache_root() == tmp_path / "sb"
