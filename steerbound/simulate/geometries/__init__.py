"""Seeded samplers of synthetic unembedding geometries (hypotheses imposed or broken)."""

from steerbound.simulate.geometries.base import ChainGeometry, TokenGeometry, TreeGeometry
from steerbound.simulate.geometries.hard_margin import HARD_MARGIN_VARIANTS, sample_hard_margin
from steerbound.simulate.geometries.laws import PROJECTION_LAWS
from steerbound.simulate.geometries.multitoken import (
    TREE_VARIANTS,
    sample_answer_chains,
    sample_answer_trees,
)
from steerbound.simulate.geometries.scores import (
    GENERAL_SCORE_VARIANTS,
    TRINARY_VARIANTS,
    sample_general_score,
    sample_trinary,
)
from steerbound.simulate.geometries.soft_margin import SOFT_MARGIN_VARIANTS, sample_soft_margin
from steerbound.simulate.geometries.topk import TOPK_VARIANTS, sample_topk
from steerbound.simulate.geometries.unembedding import realise_unembedding

__all__ = [
    "GENERAL_SCORE_VARIANTS",
    "HARD_MARGIN_VARIANTS",
    "PROJECTION_LAWS",
    "SOFT_MARGIN_VARIANTS",
    "TOPK_VARIANTS",
    "TREE_VARIANTS",
    "TRINARY_VARIANTS",
    "ChainGeometry",
    "TokenGeometry",
    "TreeGeometry",
    "realise_unembedding",
    "sample_answer_chains",
    "sample_answer_trees",
    "sample_general_score",
    "sample_hard_margin",
    "sample_soft_margin",
    "sample_topk",
    "sample_trinary",
]
