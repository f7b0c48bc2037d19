"""The public API of ``steerbound.empirical``: every exported name resolves lazily to the object
of its home module, the three lists of names (``__all__``, the lazy table, the type checkers'
imports) agree, and importing the package loads neither torch nor transformers."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import steerbound.empirical as empirical

INIT = Path(empirical.__file__)


def test_every_name_in_all_resolves_to_its_home_module() -> None:
    assert len(set(empirical.__all__)) == len(empirical.__all__) > 90
    for name in empirical.__all__:
        home = importlib.import_module(f"steerbound.empirical.{empirical._MODULE_OF[name]}")
        assert getattr(empirical, name) is getattr(home, name), name
        assert name in dir(empirical)


def test_all_lazy_table_and_type_checking_imports_agree() -> None:
    lazy = {(module, name) for module, names in empirical._EXPORTS.items() for name in names}
    assert sorted(name for _, name in lazy) == sorted(empirical.__all__)
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    (guard,) = [n for n in tree.body if isinstance(n, ast.If)]
    assert ast.unparse(guard.test) == "TYPE_CHECKING"
    typed = {
        (str(node.module).removeprefix("steerbound.empirical."), alias.name)
        for node in guard.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == lazy


def test_brief_api_names_are_exported() -> None:
    required = {
        "load_model", "decoder_blocks", "resolve_layers", "steering", "SteeringVector",
        "VectorManifest", "extract_vector", "last_token_hidden_states", "SteeredOutputs",
        "steered_forward", "steered_generate", "run_sweep", "SweepStore", "ContrastPair",
        "KeywordJudge", "behavior_from_logits", "behavior_from_judgments",
        "multiple_choice_metrics", "answer_token_ids", "wilson_interval", "measure_assumption1",
        "measure_assumption2", "measure_assumption3", "select_answer_tokens",
        "measure_theorem2_parameters", "fit_behavior_tanh", "fit_helpfulness_parabolic",
        "fit_helpfulness_floor", "compare_parameters", "check_theorem1", "check_theorem2",
        "FitResult", "load_config", "ExperimentConfig", "run_extract", "run_sweeps",
        "run_generation_sweeps", "run_assumptions", "run_fits", "run_plots",
        "run_generation_sweep", "run_judged_generation", "run_humaneval_sweep",
    }  # fmt: skip
    assert required <= set(empirical.__all__)


def test_unknown_name_raises_attribute_error_and_submodules_still_import() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = empirical.nope  # type: ignore[attr-defined]
    from steerbound.empirical import tradeoff

    assert tradeoff.__name__ == "steerbound.empirical.tradeoff"


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
