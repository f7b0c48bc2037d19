"""steerbound.empirical: steer any Hugging Face causal LM and measure the tradeoff.

The library, by subpackage: ``model`` (loading, decoder blocks, the steering and recording hooks,
steered forward passes and generation), ``vectors`` (the steering vector and its extraction),
``data`` (dataset loaders, contrast pairs and prompt templates), ``measure`` (metrics, judges,
HumanEval, assumption measurements), ``sweeps`` (the resumable store and the logit, generation
and prefix-cached sweeps) and ``analysis`` (fits, bound checks, tradeoff). It reads no TOML and
fixes no file layout: the config-driven application is :mod:`steerbound.pipeline`.

Conventions (docs/conventions.md): blocks are 0-based and steering block ``l`` adds
``r_e * v_l`` to its output (``hidden_states[l + 1]``) at every position; ``+v`` points towards
the positive examples; vectors are read at the last non-pad token. User guide: docs/empirical.md.

The public names are listed once, in ``__init__.pyi`` (the stub type checkers read); they are
imported lazily on first attribute access, so ``import steerbound.empirical`` loads neither torch
nor numpy. The names and module paths of the previous release still resolve, with a
:class:`DeprecationWarning`, for one release.
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any


def _stub_exports() -> dict[str, str]:
    """``{public name: home module}`` from the ``from .x import name as name`` lines of the stub."""
    tree = ast.parse((Path(__file__).with_suffix(".pyi")).read_text(encoding="utf-8"))
    return {
        alias.asname or alias.name: f"{__name__}.{node.module}"
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        for alias in node.names
    }


_HOME = _stub_exports()
__all__ = sorted(_HOME)

# Names of the previous release's ``steerbound.empirical.__all__`` outside the short list above.
_PREVIOUS: dict[str, tuple[str, ...]] = {
    "steerbound.empirical.analysis.bound_checks": ("BoundCheck", "ParameterRow"),
    "steerbound.empirical.analysis.fits": ("LinearFit", "linear_fit"),
    "steerbound.empirical.data.loaders": (
        "DataFormatError",
        "HarmfulRequest",
        "HumanEvalProblem",
        "Instruction",
        "MCQuestion",
        "StereoSetItem",
        "load_advbench",
        "load_humaneval",
        "load_instructions",
        "load_mmlu",
        "load_mmlu_split",
        "load_stereoset",
    ),
    "steerbound.empirical.data.prompts": ("mmlu_prompt", "request_prompt", "statement_prompt"),
    "steerbound.empirical.measure.assumptions": (
        "AnswerTokenSets",
        "Assumption1Result",
        "Assumption2Result",
        "Assumption3Result",
        "linearity_range",
        "select_answer_tokens",
    ),
    "steerbound.empirical.measure.humaneval": (
        "ExecutionResult",
        "HumanEvalResult",
        "PassRateInterval",
        "pass_at_k",
        "pass_rate_interval",
        "run_completion",
    ),
    "steerbound.empirical.measure.judges": (
        "Judge",
        "bias_judge",
        "harmfulness_judge",
        "judge_texts",
    ),
    "steerbound.empirical.measure.metrics": (
        "JudgedBehavior",
        "LogitBehavior",
        "MultipleChoiceMetrics",
    ),
    "steerbound.stats": ("wilson_interval",),
    "steerbound.empirical.model.forward": ("SteeredOutputs", "encode_prompts"),
    "steerbound.empirical.model.generation": ("GenerationRow",),
    "steerbound.empirical.sweeps.fast": ("sweep_grid",),
    "steerbound.empirical.sweeps.generations": ("GeneratedText", "GenerationOptions"),
    "steerbound.empirical.sweeps.logits": (
        "Measurement",
        "SweepBatch",
        "SweepResult",
        "SweepRow",
        "coefficient_grid",
        "row_measurement",
    ),
    "steerbound.empirical.vectors.extraction": ("last_token_hidden_states",),
    # the config-driven application, now steerbound.pipeline
    "steerbound.pipeline.config": ("ConfigError", "ExperimentConfig", "load_config"),
    "steerbound.pipeline.humaneval": ("run_humaneval_sweep",),
    "steerbound.pipeline.judged": ("run_judged_generation",),
    "steerbound.pipeline.steps": (
        "run_assumptions",
        "run_extract",
        "run_fits",
        "run_generation_sweeps",
        "run_plots",
        "run_sweeps",
    ),
}
_PREVIOUS_HOME = {name: module for module, names in _PREVIOUS.items() for name in names}

# Module paths of the previous release -> their new homes (``import steerbound.empirical.hooks``).
_MOVED_MODULES = {
    "answer_geometry": "steerbound.empirical.measure.assumptions",
    "assumptions": "steerbound.empirical.measure.assumptions",
    "blocks": "steerbound.empirical.model.blocks",
    "bound_checks": "steerbound.empirical.analysis.bound_checks",
    "config": "steerbound.pipeline.config",
    "config_fields": "steerbound.pipeline.config",
    "config_generation": "steerbound.pipeline.config",
    "data_readers": "steerbound.empirical.data.readers",
    "experiment": "steerbound.pipeline.steps",
    "extraction": "steerbound.empirical.vectors.extraction",
    "fast_sweep": "steerbound.empirical.sweeps.fast",
    "fits": "steerbound.empirical.analysis.fits",
    "forward": "steerbound.empirical.model.forward",
    "generation": "steerbound.empirical.model.generation",
    "generation_sweep": "steerbound.empirical.sweeps.generations",
    "hooks": "steerbound.empirical.model.hooks",
    "humaneval": "steerbound.empirical.measure.humaneval",
    "humaneval_sweep": "steerbound.pipeline.humaneval",
    "judged_behavior": "steerbound.pipeline.judged",
    "judges": "steerbound.empirical.measure.judges",
    "logit_measurements": "steerbound.pipeline.steps",
    "metrics": "steerbound.empirical.measure.metrics",
    "models": "steerbound.empirical.model.loading",
    "organism": "steerbound.organism",
    "pairs": "steerbound.empirical.data.prompts",
    "pipeline_plots": "steerbound.pipeline.plots",
    "prefix_cache": "steerbound.empirical.sweeps.prefix_cache",
    "readout_geometry": "steerbound.empirical.measure.assumptions",
    "replay_chunks": "steerbound.empirical.sweeps.prefix_cache",
    "results_io": "steerbound.pipeline.artifacts",
    "store": "steerbound.empirical.sweeps.store",
    "sweep": "steerbound.empirical.sweeps.logits",
    "tokenizer": "steerbound.organism.tokenizer",
    "tradeoff": "steerbound.empirical.analysis.tradeoff",
}


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"{old} moved to {new}; the old path works for one release",
        DeprecationWarning,
        stacklevel=3,
    )


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``steerbound.empirical.<old module>`` to the module's new home (an alias)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        prefix, _, leaf = fullname.rpartition(".")
        if prefix != __name__ or leaf not in _MOVED_MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = _MOVED_MODULES[spec.name.rpartition(".")[2]]
        _deprecated(spec.name, new)
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """The aliased module is already executed."""


if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    if name in _PREVIOUS_HOME:
        _deprecated(f"steerbound.empirical.{name}", f"{_PREVIOUS_HOME[name]}.{name}")
        return getattr(importlib.import_module(_PREVIOUS_HOME[name]), name)
    if name in _MOVED_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'steerbound.empirical' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
