# The public API of steerbound.empirical: the one list of its names. `__init__.py` reads this
# stub to resolve them lazily (torch loads on first use), and type checkers read it as is.
from typing import Any

from .analysis.bound_checks import check_theorem1 as check_theorem1
from .analysis.bound_checks import check_theorem2 as check_theorem2
from .analysis.bound_checks import compare_parameters as compare_parameters
from .analysis.fits import FitResult as FitResult
from .analysis.fits import fit_behavior_tanh as fit_behavior_tanh
from .analysis.fits import fit_helpfulness_floor as fit_helpfulness_floor
from .analysis.fits import fit_helpfulness_parabolic as fit_helpfulness_parabolic
from .data.prompts import ContrastPair as ContrastPair
from .data.prompts import bias_pairs as bias_pairs
from .data.prompts import harmfulness_pairs as harmfulness_pairs
from .data.prompts import response_pairs as response_pairs
from .measure.assumptions import measure_assumption1 as measure_assumption1
from .measure.assumptions import measure_assumption2 as measure_assumption2
from .measure.assumptions import measure_assumption3 as measure_assumption3
from .measure.assumptions import measure_theorem2_parameters as measure_theorem2_parameters
from .measure.humaneval import evaluate_humaneval as evaluate_humaneval
from .measure.judges import KeywordJudge as KeywordJudge
from .measure.metrics import answer_token_ids as answer_token_ids
from .measure.metrics import behavior_from_judgments as behavior_from_judgments
from .measure.metrics import behavior_from_logits as behavior_from_logits
from .measure.metrics import multiple_choice_metrics as multiple_choice_metrics
from .model.blocks import decoder_blocks as decoder_blocks
from .model.blocks import resolve_layers as resolve_layers
from .model.forward import steered_forward as steered_forward
from .model.generation import steered_generate as steered_generate
from .model.hooks import recording as recording
from .model.hooks import steering as steering
from .model.loading import load_model as load_model
from .sweeps.fast import PrefixCachedForward as PrefixCachedForward
from .sweeps.generations import run_generation_sweep as run_generation_sweep
from .sweeps.logits import SweepPrompt as SweepPrompt
from .sweeps.logits import run_sweep as run_sweep
from .sweeps.store import SweepStore as SweepStore
from .vectors.extraction import extract_vector as extract_vector
from .vectors.vector import SteeringVector as SteeringVector
from .vectors.vector import VectorManifest as VectorManifest

__all__ = [
    "ContrastPair",
    "FitResult",
    "KeywordJudge",
    "PrefixCachedForward",
    "SteeringVector",
    "SweepPrompt",
    "SweepStore",
    "VectorManifest",
    "answer_token_ids",
    "behavior_from_judgments",
    "behavior_from_logits",
    "bias_pairs",
    "check_theorem1",
    "check_theorem2",
    "compare_parameters",
    "decoder_blocks",
    "evaluate_humaneval",
    "extract_vector",
    "fit_behavior_tanh",
    "fit_helpfulness_floor",
    "fit_helpfulness_parabolic",
    "harmfulness_pairs",
    "load_model",
    "measure_assumption1",
    "measure_assumption2",
    "measure_assumption3",
    "measure_theorem2_parameters",
    "multiple_choice_metrics",
    "recording",
    "resolve_layers",
    "response_pairs",
    "run_generation_sweep",
    "run_sweep",
    "steered_forward",
    "steered_generate",
    "steering",
]

def __getattr__(name: str) -> Any: ...  # the names of the previous release (deprecated aliases)
