"""Binomial confidence intervals shared by every layer (simulation tallies, judged behavior,
HumanEval pass rates).

One Wilson score interval: :func:`wilson_interval` takes the normal quantile ``z`` (default
:data:`REPORT_Z`, 95% two-sided) or a two-sided ``confidence`` level, and returns exactly ``0``
/ ``1`` at the edges (no successes / every success), where the formula's rounding would
otherwise leave ``1e-17`` above zero or below one.
"""

from __future__ import annotations

import math

from scipy import stats as _scipy_stats

REPORT_Z = 1.959963984540054  #: 95% two-sided normal quantile
DECISION_Z = 3.290526731491926  #: 99.9% two-sided normal quantile


def z_for_confidence(confidence: float) -> float:
    """The two-sided normal quantile of ``confidence`` in ``(0, 1)`` (0.95 -> 1.95996...)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return float(_scipy_stats.norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(
    successes: int, n: int, z: float = REPORT_Z, *, confidence: float | None = None
) -> tuple[float, float]:
    """Wilson score interval ``(low, high)`` for the binomial proportion ``successes / n``.

    ``z`` is the normal quantile (1.96 for 95%); ``confidence`` (a level in ``(0, 1)``) replaces
    it when given. A ``z`` below 1 is refused: it is almost surely a confidence level passed in
    ``z``'s place (``confidence=0.9`` is the spelling).
    """
    if confidence is not None:
        z = z_for_confidence(confidence)
    elif not z >= 1.0:
        raise ValueError(f"z must be a normal quantile >= 1, got {z}; pass confidence= for a level")
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes}/{n}")
    p = successes / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high
