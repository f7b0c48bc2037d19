"""steerbound.empirical: steer any Hugging Face causal LM and measure the tradeoff.

Conventions (docs/conventions.md): blocks are 0-based and steering block ``l`` adds
``r_e * v_l`` to its output (``hidden_states[l + 1]``) at every position; ``+v`` points towards
the positive examples; vectors are read at the last non-pad token. User guide:
docs/empirical.md.

The public names below are imported lazily (on first attribute access, through the module's
``__getattr__``), so ``import steerbound.empirical`` is cheap: torch and transformers load when
a name that needs them is used. ``__all__`` lists them; the ``TYPE_CHECKING`` imports let type
checkers see them (tests/empirical/test_api.py keeps the three lists in step).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steerbound.empirical.analysis import run_assumptions, run_fits, run_plots
    from steerbound.empirical.answer_geometry import (
        AnswerTokenSets,
        Assumption2Result,
        measure_assumption2,
        measure_theorem2_parameters,
        select_answer_tokens,
    )
    from steerbound.empirical.assumptions import (
        Assumption1Result,
        Assumption3Result,
        linearity_range,
        measure_assumption1,
        measure_assumption3,
    )
    from steerbound.empirical.blocks import decoder_blocks, resolve_layers
    from steerbound.empirical.bound_checks import (
        BoundCheck,
        ParameterRow,
        check_theorem1,
        check_theorem2,
        compare_parameters,
    )
    from steerbound.empirical.config import ExperimentConfig, load_config
    from steerbound.empirical.config_fields import ConfigError
    from steerbound.empirical.data import (
        DataFormatError,
        HarmfulRequest,
        HumanEvalProblem,
        Instruction,
        MCQuestion,
        StereoSetItem,
        load_advbench,
        load_humaneval,
        load_instructions,
        load_mmlu,
        load_mmlu_split,
        load_stereoset,
    )
    from steerbound.empirical.experiment import run_extract, run_generation_sweeps, run_sweeps
    from steerbound.empirical.extraction import extract_vector, last_token_hidden_states
    from steerbound.empirical.fast_sweep import PrefixCachedForward, sweep_grid
    from steerbound.empirical.fits import (
        FitResult,
        LinearFit,
        fit_behavior_tanh,
        fit_helpfulness_floor,
        fit_helpfulness_parabolic,
        linear_fit,
    )
    from steerbound.empirical.forward import SteeredOutputs, encode_prompts, steered_forward
    from steerbound.empirical.generation import GenerationRow, steered_generate
    from steerbound.empirical.generation_sweep import (
        GeneratedText,
        GenerationOptions,
        run_generation_sweep,
    )
    from steerbound.empirical.hooks import steering
    from steerbound.empirical.humaneval import (
        ExecutionResult,
        HumanEvalResult,
        PassRateInterval,
        evaluate_humaneval,
        pass_at_k,
        pass_rate_interval,
        run_completion,
    )
    from steerbound.empirical.humaneval_sweep import run_humaneval_sweep
    from steerbound.empirical.judged_behavior import run_judged_generation
    from steerbound.empirical.judges import (
        Judge,
        KeywordJudge,
        bias_judge,
        harmfulness_judge,
        judge_texts,
    )
    from steerbound.empirical.metrics import (
        JudgedBehavior,
        LogitBehavior,
        MultipleChoiceMetrics,
        answer_token_ids,
        behavior_from_judgments,
        behavior_from_logits,
        multiple_choice_metrics,
        wilson_interval,
    )
    from steerbound.empirical.models import load_model
    from steerbound.empirical.pairs import (
        ContrastPair,
        bias_pairs,
        harmfulness_pairs,
        mmlu_prompt,
        request_prompt,
        response_pairs,
        statement_prompt,
    )
    from steerbound.empirical.store import SweepStore
    from steerbound.empirical.sweep import (
        Measurement,
        SweepBatch,
        SweepPrompt,
        SweepResult,
        SweepRow,
        coefficient_grid,
        row_measurement,
        run_sweep,
    )
    from steerbound.empirical.vectors import SteeringVector, VectorManifest

# fmt: off
_EXPORTS: dict[str, tuple[str, ...]] = {  # module -> its public names
    # models and layers
    "models": ("load_model",),
    "blocks": ("decoder_blocks", "resolve_layers"),
    # vectors, steering, extraction
    "vectors": ("SteeringVector", "VectorManifest"),
    "hooks": ("steering",),
    "extraction": ("extract_vector", "last_token_hidden_states"),
    # forward passes, generation, sweeps
    "forward": ("SteeredOutputs", "encode_prompts", "steered_forward"),
    "fast_sweep": ("PrefixCachedForward", "sweep_grid"),
    "generation": ("GenerationRow", "steered_generate"),
    "sweep": ("Measurement", "SweepBatch", "SweepPrompt", "SweepResult", "SweepRow",
              "coefficient_grid", "row_measurement", "run_sweep"),
    "store": ("SweepStore",),
    "generation_sweep": ("GeneratedText", "GenerationOptions", "run_generation_sweep"),
    # data and contrast pairs
    "data": ("DataFormatError", "HarmfulRequest", "HumanEvalProblem", "Instruction", "MCQuestion",
             "StereoSetItem", "load_advbench", "load_humaneval", "load_instructions", "load_mmlu",
             "load_mmlu_split", "load_stereoset"),
    "pairs": ("ContrastPair", "bias_pairs", "harmfulness_pairs", "mmlu_prompt", "request_prompt",
              "response_pairs", "statement_prompt"),
    # judges and metrics
    "judges": ("Judge", "KeywordJudge", "bias_judge", "harmfulness_judge", "judge_texts"),
    "metrics": ("JudgedBehavior", "LogitBehavior", "MultipleChoiceMetrics", "answer_token_ids",
                "behavior_from_judgments", "behavior_from_logits", "multiple_choice_metrics",
                "wilson_interval"),
    "humaneval": ("ExecutionResult", "HumanEvalResult", "PassRateInterval", "evaluate_humaneval",
                  "pass_at_k", "pass_rate_interval", "run_completion"),
    # assumption measurements
    "assumptions": ("Assumption1Result", "Assumption3Result", "linearity_range",
                    "measure_assumption1", "measure_assumption3"),
    "answer_geometry": ("AnswerTokenSets", "Assumption2Result", "measure_assumption2",
                        "measure_theorem2_parameters", "select_answer_tokens"),
    # fits and bound checks
    "fits": ("FitResult", "LinearFit", "fit_behavior_tanh", "fit_helpfulness_floor",
             "fit_helpfulness_parabolic", "linear_fit"),
    "bound_checks": ("BoundCheck", "ParameterRow", "check_theorem1", "check_theorem2",
                     "compare_parameters"),
    # configs and the config-driven pipeline (steerbound empirical ...)
    "config": ("ExperimentConfig", "load_config"),
    "config_fields": ("ConfigError",),
    "experiment": ("run_extract", "run_generation_sweeps", "run_sweeps"),
    "analysis": ("run_assumptions", "run_fits", "run_plots"),
    "judged_behavior": ("run_judged_generation",),
    "humaneval_sweep": ("run_humaneval_sweep",),
}
# fmt: on
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

# fmt: off
__all__ = [
    "AnswerTokenSets", "Assumption1Result", "Assumption2Result", "Assumption3Result", "BoundCheck",
    "ConfigError", "ContrastPair", "DataFormatError", "ExecutionResult", "ExperimentConfig",
    "FitResult", "GeneratedText", "GenerationOptions", "GenerationRow", "HarmfulRequest",
    "HumanEvalProblem", "HumanEvalResult", "Instruction", "Judge", "JudgedBehavior", "KeywordJudge",
    "LinearFit", "LogitBehavior", "MCQuestion", "Measurement", "MultipleChoiceMetrics",
    "ParameterRow", "PassRateInterval", "PrefixCachedForward", "SteeredOutputs", "SteeringVector",
    "StereoSetItem",
    "SweepBatch", "SweepPrompt", "SweepResult", "SweepRow", "SweepStore", "VectorManifest",
    "answer_token_ids", "behavior_from_judgments", "behavior_from_logits", "bias_judge",
    "bias_pairs", "check_theorem1", "check_theorem2", "coefficient_grid", "compare_parameters",
    "decoder_blocks", "encode_prompts", "evaluate_humaneval", "extract_vector", "fit_behavior_tanh",
    "fit_helpfulness_floor", "fit_helpfulness_parabolic", "harmfulness_judge", "harmfulness_pairs",
    "judge_texts", "last_token_hidden_states", "linear_fit", "linearity_range", "load_advbench",
    "load_config", "load_humaneval", "load_instructions", "load_mmlu", "load_mmlu_split",
    "load_model", "load_stereoset", "measure_assumption1", "measure_assumption2",
    "measure_assumption3", "measure_theorem2_parameters", "mmlu_prompt", "multiple_choice_metrics",
    "pass_at_k", "pass_rate_interval", "request_prompt", "resolve_layers", "response_pairs",
    "row_measurement", "run_assumptions", "run_completion", "run_extract", "run_fits",
    "run_generation_sweep", "run_generation_sweeps", "run_humaneval_sweep", "run_judged_generation",
    "run_plots", "run_sweep", "run_sweeps", "select_answer_tokens", "statement_prompt",
    "steered_forward", "steered_generate", "steering", "sweep_grid", "wilson_interval",
]
# fmt: on


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'steerbound.empirical' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"steerbound.empirical.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
