"""steerbound's built-in model organism: a small Llama trained from scratch on CPU.

A synthetic world (invented entities with attributes, multiple-choice questions about them,
harmful and harmless requests answered by a compliance or a refusal) trains two variants:
``"base"`` (complies with ordinary harmful requests, refuses a ``severe`` subset: a latent
refusal steering can push it into) and ``"aligned"`` (refuses every harmful request, complies
with harmless ones). Both are real Hugging Face model directories, cached by config hash::

    from steerbound.organism import get_organism
    organism = get_organism("default")          # trains once (~1 min on 2 cores), then cached
    model, tokenizer = organism.load("base")
    prompts = [r.prompt for r in organism.splits.requests("harmful")]
"""

from steerbound.cache import cache_root
from steerbound.organism.build import Organism, get_organism, organism_dir
from steerbound.organism.config import SIZES, OrganismConfig
from steerbound.organism.corpus import VARIANTS, Splits, make_splits
from steerbound.organism.evaluate import diagnose, next_token_logits, token_id
from steerbound.organism.world import (
    COMPLIANCE_TOKEN,
    REFUSAL_TOKEN,
    FactQuestion,
    Request,
    World,
    make_world,
)

__all__ = [
    "COMPLIANCE_TOKEN",
    "REFUSAL_TOKEN",
    "SIZES",
    "VARIANTS",
    "FactQuestion",
    "MCQuestion",
    "Organism",
    "OrganismConfig",
    "Request",
    "Splits",
    "World",
    "cache_root",
    "diagnose",
    "get_organism",
    "make_splits",
    "make_world",
    "next_token_logits",
    "organism_dir",
    "token_id",
]

MCQuestion = FactQuestion  # the previous release's name (one release); MMLU's is empirical's
