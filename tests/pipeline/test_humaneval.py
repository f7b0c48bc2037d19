"""HumanEval per coefficient: stored rows, resume without duplicates, a correct completion passes
through the same scorer, pass rates with Wilson / bootstrap intervals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from steerbound.empirical.data.loaders import load_humaneval
from steerbound.empirical.sweeps.generations import (
    GeneratedText,
    GenerationOptions,
    run_generation_sweep,
)
from steerbound.empirical.sweeps.store import SweepStore
from steerbound.pipeline.humaneval import (
    humaneval_prompts,
    humaneval_scorer,
    pass_rate_summary,
    truncate_at_stops,
)
from steerbound.stats import wilson_interval

from ..empirical.conftest import FIXTURES, random_vector

STOPS = ["\ndef ", "\nclass ", "\n#"]


@pytest.fixture(scope="module")
def problems() -> Any:
    return load_humaneval(FIXTURES / "humaneval_small.jsonl")


def test_truncate_at_stops() -> None:
    assert truncate_at_stops("    return 1\n\ndef g():\n#x", STOPS) == "    return 1\n"
    assert truncate_at_stops("    return 1\n", STOPS) == "    return 1\n"


def test_canned_correct_completion_passes_the_same_scorer(problems: Any) -> None:
    score = humaneval_scorer(problems, stop_sequences=STOPS, timeout_s=20)
    prompts = humaneval_prompts(problems, 1)
    canned = [
        GeneratedText(prompts[0], 0.5, problems[0].canonical_solution + "\ndef junk(:\n", 9, True),
        GeneratedText(prompts[1], 0.5, "    return 0\n", 3, True),
    ]
    rows = score(canned)
    assert [(r["prompt_id"], r["value"], r["status"]) for r in rows] == [
        ("Fixture/0", 1.0, "passed"),  # the stop sequence removed the syntax error after it
        ("Fixture/1", 0.0, "failed"),
    ]
    assert rows[0]["completion"] == problems[0].canonical_solution
    assert "AssertionError" in rows[1]["detail"]


def test_tiny_model_rows_resume_and_summary(
    llama: tuple[Any, Any], problems: Any, tmp_path: Path
) -> None:
    model, tok = llama
    vector = random_vector(model, [1])
    prompts = humaneval_prompts(problems, 2)
    assert [p.prompt_id for p in prompts] == [
        "Fixture/0#0",
        "Fixture/0#1",
        "Fixture/1#0",
        "Fixture/1#1",
    ]
    options = GenerationOptions(max_new_tokens=4, do_sample=True, seed=1, batch_size=2)
    grid = [-1.0, 1.0]
    calls = {"n": 0}
    real = humaneval_scorer(problems, stop_sequences=STOPS, timeout_s=20, workers=2)

    def crashing(generated: list[GeneratedText]) -> list[dict[str, Any]]:
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("killed")
        return real(generated)

    path = tmp_path / "he.jsonl"

    def sweep(score: Any) -> Any:
        store = SweepStore(path, {"test": "humaneval"})
        return run_generation_sweep(
            model, tok, prompts, vector, grid, score, store, options, progress=False
        )

    with pytest.raises(RuntimeError, match="killed"):
        sweep(crashing)
    done = sweep(real)
    assert (done.skipped_units, done.computed_units) == (4, 4)
    rows = done.rows
    keys = {(r["prompt_id"], r["coefficient"], r["item"]) for r in rows}
    assert len(rows) == len(keys) == 2 * 2 * 2  # problems x samples x coefficients
    assert {r["measurement"] for r in rows} == {"passed"}
    assert all(r["value"] == 0.0 and r["status"] in ("failed", "timeout") for r in rows)
    assert sweep(crashing).computed_units == 0  # nothing left: the scorer is not called
    summary = pass_rate_summary(rows, confidence=0.9)
    assert [(s["coefficient"], s["value"], s["n_problems"], s["n_samples"]) for s in summary] == [
        (-1.0, 0.0, 2, 4),
        (1.0, 0.0, 2, 4),
    ]
    assert summary[0]["ci_method"] == "bootstrap"


def test_pass_rate_summary_wilson_for_one_sample() -> None:
    rows = [{"prompt_id": f"T/{i}", "coefficient": 0.0, "value": float(i < 3)} for i in range(10)]
    (s,) = pass_rate_summary(rows)
    assert s["value"] == pytest.approx(0.3) and s["ci_method"] == "wilson"
    assert (s["ci_low"], s["ci_high"]) == pytest.approx(wilson_interval(3, 10))
