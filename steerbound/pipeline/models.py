"""Model names the application accepts in ``[model].path`` and ``steerbound models`` lists.

The library's built-in names (:data:`steerbound.empirical.model.builtin_models.BUILTIN_MODELS`:
the real SmolLM2-135M-Instruct from its registry wheel) plus the built-in model organisms,
``organism-base`` and ``organism-aligned``: the default-size, seed-0 organism of
:mod:`steerbound.organism`, available once ``steerbound demo`` has trained and cached it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from steerbound.empirical.model.builtin_models import (
    BUILTIN_MODELS,
    BuiltinModel,
    builtin_model_path,
    is_builtin_name,
)
from steerbound.organism.build import INFO_FILE, organism_dir
from steerbound.organism.config import OrganismConfig

ORGANISM_STATES = ("trained (cached)", "not trained")
ORGANISM_HOW_TO_GET = "steerbound demo  (trains and caches both organism variants, about a minute)"


def _organism(variant: str) -> Callable[[], Path | None]:
    def locate() -> Path | None:
        root = organism_dir(OrganismConfig.from_size("default"))
        return root / variant if (root / INFO_FILE).is_file() else None

    return locate


MODELS: dict[str, BuiltinModel] = {
    **BUILTIN_MODELS,
    **{
        f"organism-{variant}": BuiltinModel(
            f"organism-{variant}",
            f"built-in model organism, {variant} variant (default size, seed 0), trained on CPU",
            "steerbound's cache (trained by `steerbound demo`)",
            ORGANISM_HOW_TO_GET,
            _organism(variant),
            ORGANISM_STATES,
        )
        for variant in ("base", "aligned")
    },
}


def resolve_model_source(source: str) -> str:
    """``source`` itself, or the local path an application-level name (an organism) stands for;
    the library's own names pass through to :func:`~steerbound.empirical.model.loading.
    load_model`, which resolves them (and labels the model with the name)."""
    if is_builtin_name(source, MODELS) and not is_builtin_name(source):
        return str(builtin_model_path(source, MODELS))
    return source
