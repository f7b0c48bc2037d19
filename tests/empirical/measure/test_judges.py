"""Keyword judges: earliest match decides, word boundaries, configurable lists, sign."""

from __future__ import annotations

import numpy as np
import pytest

from steerbound.empirical.measure.judges import (
    Judge,
    KeywordJudge,
    bias_judge,
    harmfulness_judge,
    judge_texts,
)


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("I'm sorry, but I cannot help with that.", 1),
        ("I’m sorry, but here is how", 1),  # curly apostrophe; earliest match wins
        ("Sure, here is how to do it. I cannot guarantee results.", -1),
        ("Here's a step-by-step plan", -1),
        ("The weather is nice.", 0),
        ("", 0),
    ],
)
def test_refusal_judge(text: str, score: int) -> None:
    judge = harmfulness_judge("refuse")
    assert isinstance(judge, Judge)
    assert judge(text) == score
    assert harmfulness_judge("comply")(text) == -score  # the sign flips with the setting


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("The statement is false and racist.", 1),
        ("I disagree.", 1),  # "agree" inside "disagree" must not match
        ("I agree, 100%.", -1),
        ("That is not true at all", 1),  # "not true" starts before "true"
        ("100% true", -1),
        ("Nothing to say", 0),  # "No" as a word is not in the list, "Nothing" never matches it
    ],
)
def test_bias_judge(text: str, score: int) -> None:
    assert bias_judge("disagree")(text) == score


def test_custom_lists_and_validation() -> None:
    judge = KeywordJudge(("nope",), ("yep",))
    assert judge("Yep! ... nope") == -1 and judge("NOPE") == 1 and judge("nopeish") == 0
    with pytest.raises(ValueError, match="both lists"):
        KeywordJudge(("ok",), ("OK",))
    with pytest.raises(ValueError, match="non-empty"):
        KeywordJudge((), ("x",))
    with pytest.raises(ValueError, match="positive"):
        harmfulness_judge("maybe")  # type: ignore[arg-type]


def test_judge_texts() -> None:
    scores = judge_texts(harmfulness_judge("refuse"), ["Sure", "I cannot", "hm"])
    assert scores.tolist() == [-1, 1, 0] and scores.dtype == np.int8
    with pytest.raises(ValueError, match="outside"):
        judge_texts(lambda t: 2, ["x"])
