"""Analysis of measured curves: fits of the bound forms, bound checks, the tradeoff.

The previous release's ``steerbound.empirical.analysis`` module held the config-driven steps now
in :mod:`steerbound.pipeline.steps`; its names still resolve here, with a deprecation warning,
for one release (looked up by name: the library does not import the pipeline).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

_PREVIOUS = {
    "run_assumptions": "steerbound.pipeline.steps",
    "run_fits": "steerbound.pipeline.steps",
    "run_plots": "steerbound.pipeline.steps",
    "collect_final_hidden": "steerbound.empirical.measure.assumptions",
    "sweep_means": "steerbound.pipeline.artifacts",
    "summary_points": "steerbound.pipeline.artifacts",
}


def __getattr__(name: str) -> Any:
    if name not in _PREVIOUS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"steerbound.empirical.analysis.{name} moved to {_PREVIOUS[name]}.{name}; "
        "the old path works for one release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(_PREVIOUS[name]), name)
