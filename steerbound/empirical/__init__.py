"""steerbound.empirical: steer any Hugging Face causal LM and measure the tradeoff.

Conventions (docs/conventions.md): blocks are 0-based and steering block ``l`` adds
``r_e * v_l`` to its output (``hidden_states[l + 1]``) at every position; ``+v`` points towards
the positive examples; vectors are read at the last non-pad token.

Names are imported lazily (on first attribute access), so ``import steerbound.empirical`` is
cheap; torch and transformers load when a name that needs them is used.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # models and blocks
    "load_model": "models",
    "decoder_blocks": "blocks",
    "resolve_layers": "blocks",
    # vectors, steering, extraction
    "SteeringVector": "vectors",
    "VectorManifest": "vectors",
    "steering": "hooks",
    "ContrastPair": "pairs",
    "extract_vector": "extraction",
    "last_token_hidden_states": "extraction",
    # forward passes, generation, sweeps
    "SteeredOutputs": "forward",
    "steered_forward": "forward",
    "encode_prompts": "forward",
    "GenerationRow": "generation",
    "steered_generate": "generation",
    "SweepStore": "store",
    "SweepPrompt": "sweep",
    "SweepRow": "sweep",
    "SweepBatch": "sweep",
    "Measurement": "sweep",
    "row_measurement": "sweep",
    "run_sweep": "sweep",
    "coefficient_grid": "sweep",
    # configs and the config-driven pipeline
    "ExperimentConfig": "config",
    "load_config": "config",
    "run_extract": "experiment",
    "run_sweeps": "experiment",
    "run_assumptions": "analysis",
    "run_fits": "analysis",
    "run_plots": "analysis",
    # data, pairs, judges, metrics (measurement helper)
    "load_advbench": "data",
    "load_mmlu": "data",
    "load_stereoset": "data",
    "load_humaneval": "data",
    "load_instructions": "data",
    "harmfulness_pairs": "pairs",
    "bias_pairs": "pairs",
    "response_pairs": "pairs",
    "KeywordJudge": "judges",
    "answer_token_ids": "metrics",
    "behavior_from_logits": "metrics",
    "behavior_from_judgments": "metrics",
    "multiple_choice_metrics": "metrics",
    # assumptions and fits (measurement helper)
    "measure_assumption1": "assumptions",
    "measure_assumption3": "assumptions",
    "fit_behavior_tanh": "fits",
    "fit_helpfulness_parabolic": "fits",
    "fit_helpfulness_floor": "fits",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'steerbound.empirical' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"steerbound.empirical.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
