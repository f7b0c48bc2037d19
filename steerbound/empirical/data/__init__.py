"""Evaluation data: dataset loaders and file readers, prompt templates and contrast pairs.

The loaders and their records are importable from here (as they were from the previous
release's ``steerbound.empirical.data`` module).
"""

from steerbound.empirical.data.loaders import (
    LETTERS,
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
from steerbound.empirical.data.readers import DataFormatError

__all__ = [
    "LETTERS",
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
]
