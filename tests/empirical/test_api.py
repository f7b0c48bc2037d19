"""The public API of ``steerbound.empirical``: one list of names (the stub ``__init__.pyi``),
each resolving lazily to the object of its home module; the previous release's names and module
paths resolve with a deprecation warning; importing the package loads neither torch nor numpy."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import steerbound.empirical as empirical

STUB = Path(empirical.__file__).with_suffix(".pyi")

PREVIOUS_ALL = {
    "AnswerTokenSets",
    "Assumption1Result",
    "Assumption2Result",
    "Assumption3Result",
    "BoundCheck",
    "ConfigError",
    "ContrastPair",
    "DataFormatError",
    "ExecutionResult",
    "ExperimentConfig",
    "FitResult",
    "GeneratedText",
    "GenerationOptions",
    "GenerationRow",
    "HarmfulRequest",
    "HumanEvalProblem",
    "HumanEvalResult",
    "Instruction",
    "Judge",
    "JudgedBehavior",
    "KeywordJudge",
    "LinearFit",
    "LogitBehavior",
    "MCQuestion",
    "Measurement",
    "MultipleChoiceMetrics",
    "ParameterRow",
    "PassRateInterval",
    "PrefixCachedForward",
    "SteeredOutputs",
    "SteeringVector",
    "StereoSetItem",
    "SweepBatch",
    "SweepPrompt",
    "SweepResult",
    "SweepRow",
    "SweepStore",
    "VectorManifest",
    "answer_token_ids",
    "behavior_from_judgments",
    "behavior_from_logits",
    "bias_judge",
    "bias_pairs",
    "check_theorem1",
    "check_theorem2",
    "coefficient_grid",
    "compare_parameters",
    "decoder_blocks",
    "encode_prompts",
    "evaluate_humaneval",
    "extract_vector",
    "fit_behavior_tanh",
    "fit_helpfulness_floor",
    "fit_helpfulness_parabolic",
    "harmfulness_judge",
    "harmfulness_pairs",
    "judge_texts",
    "last_token_hidden_states",
    "linear_fit",
    "linearity_range",
    "load_advbench",
    "load_config",
    "load_humaneval",
    "load_instructions",
    "load_mmlu",
    "load_mmlu_split",
    "load_model",
    "load_stereoset",
    "measure_assumption1",
    "measure_assumption2",
    "measure_assumption3",
    "measure_theorem2_parameters",
    "mmlu_prompt",
    "multiple_choice_metrics",
    "pass_at_k",
    "pass_rate_interval",
    "request_prompt",
    "resolve_layers",
    "response_pairs",
    "row_measurement",
    "run_assumptions",
    "run_completion",
    "run_extract",
    "run_fits",
    "run_generation_sweep",
    "run_generation_sweeps",
    "run_humaneval_sweep",
    "run_judged_generation",
    "run_plots",
    "run_sweep",
    "run_sweeps",
    "select_answer_tokens",
    "statement_prompt",
    "steered_forward",
    "steered_generate",
    "steering",
    "sweep_grid",
    "wilson_interval",
}


def test_every_name_in_all_resolves_to_its_home_module() -> None:
    assert len(set(empirical.__all__)) == len(empirical.__all__)
    assert 30 <= len(empirical.__all__) <= 40
    for name in empirical.__all__:
        home = importlib.import_module(empirical._HOME[name])
        assert getattr(empirical, name) is getattr(home, name), name
        assert name in dir(empirical)


def test_all_is_the_stub_list_and_the_stub_imports() -> None:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    (listed,) = [n for n in tree.body if isinstance(n, ast.Assign)]
    names = ast.literal_eval(listed.value)
    assert names == sorted(names) == empirical.__all__
    imported = [
        a.asname for n in tree.body if isinstance(n, ast.ImportFrom) and n.level for a in n.names
    ]
    assert sorted(imported) == empirical.__all__


def test_every_name_of_the_previous_release_still_resolves() -> None:
    for name in sorted(PREVIOUS_ALL - set(empirical.__all__)):
        with pytest.warns(DeprecationWarning, match="moved to"):
            value = getattr(empirical, name)
        assert value is getattr(importlib.import_module(empirical._PREVIOUS_HOME[name]), name)
    for name in PREVIOUS_ALL & set(empirical.__all__):
        assert getattr(empirical, name) is not None


def test_previous_module_paths_are_aliases_of_the_new_modules() -> None:
    for old, new in empirical._MOVED_MODULES.items():
        sys.modules.pop(f"steerbound.empirical.{old}", None)
        with pytest.warns(DeprecationWarning, match="moved to"):
            module = importlib.import_module(f"steerbound.empirical.{old}")
        assert module is importlib.import_module(new), old


def test_unknown_name_raises_attribute_error_and_submodules_still_import() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = empirical.nope
    from steerbound.empirical.analysis import tradeoff

    assert tradeoff.__name__ == "steerbound.empirical.analysis.tradeoff"


def test_import_is_cheap() -> None:
    code = (
        "import sys, steerbound.empirical as e; "
        "heavy = [m for m in ('torch', 'transformers', 'numpy', 'scipy') if m in sys.modules]; "
        "print(heavy, len(e.__all__))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == f"[] {len(empirical.__all__)}"


def test_previous_analysis_module_names_resolve_with_a_warning() -> None:
    from steerbound.empirical import analysis
    from steerbound.pipeline import steps

    with pytest.warns(DeprecationWarning, match="moved to steerbound.pipeline.steps.run_fits"):
        assert analysis.run_fits is steps.run_fits
    with pytest.raises(AttributeError):
        _ = analysis.nope
