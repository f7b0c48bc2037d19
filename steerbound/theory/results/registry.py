"""All results of THEORY.md, in reading order."""

from __future__ import annotations

from functools import cache

from steerbound.theory.proof.model import Result
from steerbound.theory.results import (
    behavior,
    behavior_nonbinary,
    corollaries,
    foundations,
    helpfulness,
    helpfulness_mirror,
    multi_token,
    soft_margin,
)


@cache
def definitions() -> dict[str, Result]:
    """Results that proofs may cite with a ``definition`` justification."""
    return {
        "Definition 1": foundations.definition1(),
        "Lemma 0 (behavior)": foundations.lemma0_behavior(),
        "Lemma 0 (helpfulness)": foundations.lemma0_helpfulness(),
    }


@cache
def all_results() -> tuple[Result, ...]:
    return (
        foundations.definition1(),
        foundations.lemma0_behavior(),
        foundations.lemma0_helpfulness(),
        *foundations.assumptions(),
        behavior.theorem1(),
        behavior.theorem1_mirror(),
        behavior.corollary1(),
        *helpfulness.theorem2_forms()[:2],
        helpfulness_mirror.theorem2_verified_negative(),
        *helpfulness.theorem2_forms()[2:],
        corollaries.expected_helpfulness(),
        *corollaries.corollary2_forms(),
        soft_margin.theorem3(),
        foundations.proposition1(),
        *behavior_nonbinary.theorem4_forms(),
        behavior_nonbinary.theorem5(),
        *multi_token.theorem6_forms(),
        *corollaries.corollary3_forms(),
    )


def by_label(label: str) -> Result:
    """The result with this label (``"Theorem 1 (verified)"``)."""
    for r in all_results():
        if r.label == label:
            return r
    raise KeyError(label)
