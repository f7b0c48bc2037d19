"""The catalogue of named lemmas, by topic; each module holds a tuple ``LEMMAS`` (no import
side effects, no registry). :func:`get` and :func:`all_lemmas` read the tuples.

* :mod:`.functions`: elementary functions (monotonicity, exp/cosh bounds, identities);
* :mod:`.order`: order and ratio lemmas (transitivity, Lemma R, worst cases);
* :mod:`.arithmetic`: arithmetic of inequalities, the y0 window, products;
* :mod:`.sums`: finite sums of any length (tilted masses, Jensen, the union bound).
"""

from __future__ import annotations

from functools import cache

from steerbound.theory.lemmas import arithmetic, functions, order, sums
from steerbound.theory.proof.provers import Lemma


@cache
def _catalogue() -> dict[str, Lemma]:
    out: dict[str, Lemma] = {}
    for mod in (functions, arithmetic, order, sums):
        for lem in mod.LEMMAS:
            if lem.name in out:
                raise ValueError(f"duplicate lemma name {lem.name!r}")
            out[lem.name] = lem
    return out


def get(name: str) -> Lemma:
    """The lemma called ``name``."""
    return _catalogue()[name]


def all_lemmas() -> list[Lemma]:
    """Every lemma, by topic."""
    return list(_catalogue().values())
