"""All results of docs/theorem_sheet.md, in reading order."""

from __future__ import annotations

from functools import cache

from steerbound.theory.proof.model import Result
from steerbound.theory.results import (
    behavior,
    foundations,
    helpfulness,
    helpfulness_limits,
    multi_token,
    nonbinary,
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
        helpfulness.theorem2_verified_negative(),
        *helpfulness.theorem2_forms()[2:],
        helpfulness.theorem2_published_window(),
        helpfulness_limits.expected_helpfulness(),
        *helpfulness_limits.corollary2_forms(),
        soft_margin.theorem3(),
        foundations.proposition1(),
        *nonbinary.theorem4_forms(),
        nonbinary.theorem5(),
        *multi_token.theorem6_forms(),
        *multi_token.corollary3_forms(),
    )


def by_label(label: str) -> Result:
    """The result with this label (``"Theorem 1 (verified)"``)."""
    for r in all_results():
        if r.label == label:
            return r
    raise KeyError(label)
