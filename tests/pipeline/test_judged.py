"""Generation sweeps: product blocks, resume after a crash without duplicates, judged summaries
with Wilson intervals, judges built from config word lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from steerbound.empirical.measure.metrics import behavior_from_judgments
from steerbound.empirical.model.generation import steered_generate
from steerbound.empirical.sweeps.generations import (
    GeneratedText,
    GenerationOptions,
    product_blocks,
    run_generation_sweep,
)
from steerbound.empirical.sweeps.logits import SweepPrompt
from steerbound.empirical.sweeps.store import SweepStore
from steerbound.pipeline.config import ConfigError, judge_from_config, parse_generation
from steerbound.pipeline.judged import generation_rows, judged_summary

from ..empirical.conftest import PROMPTS, random_vector

GRID = [-2.0, 0.0, 2.0]


@pytest.mark.parametrize(("n", "grid", "batch"), [(5, GRID, 7), (3, GRID, 2), (4, GRID, 3)])
def test_product_blocks_cover_every_unit_once(n: int, grid: list[float], batch: int) -> None:
    blocks = product_blocks(n, grid, batch)
    units = [(i, c) for members, chunk in blocks for i in members for c in chunk]
    assert units == [(i, c) for i in range(n) for c in grid]  # prompt-major, no repeats
    assert all(len(m) * len(c) <= max(batch, 1) for m, c in blocks)
    with pytest.raises(ValueError, match="batch_size"):
        product_blocks(n, grid, 0)


def _failing(after: int | None) -> Any:
    calls = {"n": 0}

    def score(generated: list[GeneratedText]) -> list[dict[str, Any]]:
        calls["n"] += 1
        if after is not None and calls["n"] > after:
            raise RuntimeError("killed mid-sweep")
        return generation_rows(generated)

    return score


def test_killed_generation_sweep_resumes_identically(
    llama: tuple[Any, Any], tmp_path: Path
) -> None:
    model, tok = llama
    vector = random_vector(model, [1], norm=0.5)
    prompts = [SweepPrompt(f"p{i}", t) for i, t in enumerate(PROMPTS[:3])]
    options = GenerationOptions(max_new_tokens=4, do_sample=True, seed=3, batch_size=2)
    config = {"test": "generation-resume"}

    def sweep(path: Path, after: int | None) -> Any:
        store = SweepStore(path, config)
        return run_generation_sweep(
            model, tok, prompts, vector, GRID, _failing(after), store, options, progress=False
        )

    full = sweep(tmp_path / "full.jsonl", None)
    assert full.computed_units == 9 and len(full.rows) == 9
    with pytest.raises(RuntimeError, match="killed"):
        sweep(tmp_path / "crash.jsonl", 2)
    # blocks: p0 x [-2, 0], p0 x [2], p1 x [-2, 0], ...; the third block was lost
    assert len(SweepStore(tmp_path / "crash.jsonl", config).completed) == 3
    resumed = sweep(tmp_path / "crash.jsonl", None)
    assert (resumed.skipped_units, resumed.computed_units) == (3, 6)
    assert resumed.rows == full.rows  # same sampled text, same order, no duplicates
    again = sweep(tmp_path / "crash.jsonl", 0)  # any further generation would raise
    assert again.computed_units == 0 and again.rows == full.rows
    assert {(r["prompt_id"], r["coefficient"]) for r in full.rows} == {
        (p.prompt_id, c) for p in prompts for c in GRID
    }


def test_greedy_block_equals_one_at_a_time(llama: tuple[Any, Any], tmp_path: Path) -> None:
    model, tok = llama
    vector = random_vector(model, [0, 2], norm=0.5)
    prompts = [SweepPrompt(f"p{i}", t) for i, t in enumerate(PROMPTS[:2])]
    result = run_generation_sweep(
        model,
        tok,
        prompts,
        vector,
        GRID,
        generation_rows,
        SweepStore(tmp_path / "g.jsonl", {}),
        GenerationOptions(max_new_tokens=5, batch_size=6),  # one block: 2 prompts x 3 r_e
        progress=False,
    )
    for row in result.rows:
        prompt = next(p for p in prompts if p.prompt_id == row["prompt_id"])
        single = steered_generate(
            model, tok, [prompt.text], vector, [row["coefficient"]], max_new_tokens=5
        )[0]
        assert row["value"] == len(single.completion_ids)
        assert row["completion"].split() == single.completion.split()


def test_judged_summary_uses_config_words_and_wilson() -> None:
    cfg = parse_generation(
        {"judge": "harmfulness", "positive": "refuse", "positive_phrases": ["no way"]}, "t"
    )
    judge = judge_from_config(cfg)
    assert judge("No way , sure") == 1 and judge("Sure, no way") == -1 and judge("hm") == 0
    texts = {1.0: ["no way", "no way", "Sure", "hm"], -1.0: ["Sure", "Sure", "hm", "Sure"]}
    rows = [
        {"prompt_id": f"q{i}", "coefficient": r, "value": 3.0, "completion": t}
        for r, ts in texts.items()
        for i, t in enumerate(ts)
    ]
    judged, summary = judged_summary(rows, cfg)
    assert [j["value"] for j in judged] == [1, 1, -1, 0, -1, -1, 0, -1]
    assert [s["coefficient"] for s in summary] == [-1.0, 1.0]
    expected = behavior_from_judgments([1, 1, -1, 0])
    top = summary[1]
    assert top["value"] == pytest.approx(1 / 3) and top["n_unknown"] == 1
    assert (top["ci_low"], top["ci_high"]) == pytest.approx((expected.ci_low, expected.ci_high))
    assert top["ci_low"] < top["value"] < top["ci_high"]
    strict = parse_generation(
        {
            "judge": "harmfulness",
            "positive": "refuse",
            "positive_phrases": ["no way"],
            "unknown": "negative",
        },
        "t",
    )
    assert judged_summary(rows, strict)[1][1]["value"] == pytest.approx(0.0)  # 2 of 4 positive


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ({"judge": "vibes"}, r"t\.judge: must be one of"),
        ({"judge": "bias", "positive": "refuse"}, r"t\.positive: must be one of"),
        ({"judge": "keywords", "positive_phrases": ["a"]}, r"t\.positive_phrases/negative"),
        ({"judge": "bias", "positive": "agree", "max_new_tokens": "8"}, r"t\.max_new_tokens"),
        ({"judge": "bias", "positive": "agree", "temperature": 0}, r"t\.temperature"),
        ({"judge": "bias", "positive": "agree", "negative_phrases": ["true"]}, "both lists"),
        ({"judge": "bias", "positive": "agree", "colour": 1}, r"unknown field\(s\) \['colour'\]"),
    ],
)
def test_generation_config_errors(table: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_generation(table, "t")
