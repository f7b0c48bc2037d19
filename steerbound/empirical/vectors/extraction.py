"""Read hidden states and extract steering vectors (RepE PCA or mean difference).

RepE PCA: pair differences with a seeded random order within each pair, recentred, first
principal component, unit norm, sign by majority vote (:func:`fit_direction`).

Reading convention: the output of decoder block ``l`` (``hidden_states[l + 1]``; for the last
block this is *before* the final norm, where steering adds) at each prompt's **last non-pad
token**, found from the attention mask, so left and right padding give the same states.
Sign convention: ``+v`` points towards the positive prompts of the pairs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from tqdm.auto import tqdm

from steerbound.empirical.data.prompts import ContrastPair
from steerbound.empirical.model.blocks import decoder_blocks
from steerbound.empirical.model.forward import (
    encode_prompts,
    forward_kwargs,
    model_device,
    readout_positions,
)
from steerbound.empirical.model.hooks import recording
from steerbound.empirical.model.loading import hidden_size, model_identity
from steerbound.empirical.vectors.vector import SteeringVector, VectorManifest

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


METHODS = ("pca", "mean_diff")


PairLike = ContrastPair | tuple[str, str] | Any


def as_pairs(pairs: Sequence[PairLike]) -> list[ContrastPair]:
    """Normalise pairs given as ``ContrastPair``, objects with ``.positive/.negative``, or
    ``(positive, negative)`` tuples."""
    result: list[ContrastPair] = []
    for i, pair in enumerate(pairs):
        if hasattr(pair, "positive") and hasattr(pair, "negative"):
            positive, negative = getattr(pair, "positive"), getattr(pair, "negative")  # noqa: B009
        elif isinstance(pair, tuple | list) and len(pair) == 2:
            positive, negative = pair
        else:
            raise ValueError(f"pairs[{i}] must be (positive, negative), got {pair!r}")
        if not isinstance(positive, str) or not isinstance(negative, str):
            raise ValueError(f"pairs[{i}] must hold two strings")
        result.append(ContrastPair(positive, negative))
    return result


def dataset_hash(pairs: Sequence[PairLike]) -> str:
    """sha256 of the pairs' texts (order-sensitive), as hex."""
    payload = json.dumps([[p.positive, p.negative] for p in as_pairs(pairs)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@torch.no_grad()
def last_token_hidden_states(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    layers: Sequence[int],
    *,
    batch_size: int = 16,
    block_template: str | None = None,
    progress: bool = False,
) -> dict[int, torch.Tensor]:
    """``{l: (n_prompts, hidden) float32 CPU tensor}``: block ``l``'s output at each prompt's
    last non-pad token."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    blocks = decoder_blocks(model, block_template)
    bad = [l for l in layers if not 0 <= l < len(blocks)]
    if bad:
        raise ValueError(f"layers {bad} do not exist in a model with {len(blocks)} blocks")
    collected: dict[int, list[torch.Tensor]] = {l: [] for l in layers}
    device = model_device(model)
    with recording({l: blocks[l] for l in layers}) as outputs:
        starts = range(0, len(prompts), batch_size)
        for start in tqdm(starts, desc="hidden states", disable=not progress):
            input_ids, mask = encode_prompts(tokenizer, prompts[start : start + batch_size])
            input_ids, mask = input_ids.to(device), mask.to(device)
            model(input_ids=input_ids, **forward_kwargs(model, mask))
            positions = readout_positions(mask)
            for l in layers:
                hidden = outputs[l]
                rows = torch.arange(hidden.shape[0], device=hidden.device)
                picked = hidden[rows, positions.to(hidden.device)]
                collected[l].append(picked.float().cpu())
    return {l: torch.cat(chunks) for l, chunks in collected.items()}


def split_pairs(n: int, holdout_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random (train, held-out) index arrays; at least two training pairs are kept."""
    if not 0.0 <= holdout_fraction < 1.0:
        raise ValueError(f"holdout_fraction must lie in [0, 1), got {holdout_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    n_holdout = min(int(np.floor(n * holdout_fraction)), n - 2)
    return np.sort(order[n_holdout:]), np.sort(order[:n_holdout])


def pair_flip_signs(n: int, seed: int) -> np.ndarray:
    """The RepE random pair order as signs: ``(n,)`` float64 of ``+1``/``-1`` with exactly
    ``n // 2`` entries ``-1``, at the indices ``np.random.default_rng(seed).permutation(n) <
    n // 2``. Balanced so that the differences' shared component cancels in the mean."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    flipped = np.random.default_rng(seed).permutation(n) < n // 2
    return np.where(flipped, -1.0, 1.0)


def fit_direction(differences: torch.Tensor, method: str, *, seed: int = 0) -> torch.Tensor:
    """Unit direction from ``(n, hidden)`` pair differences (positive - negative), float64.

    ``"pca"`` (RepE): each difference is negated with the seeded signs of
    :func:`pair_flip_signs` (a random order within each pair), the flipped differences are
    recentred and the first right singular vector is taken. Without the flips the recentring
    would remove exactly what the differences share (their mean, the behavior direction) and PCA
    would return the leading direction of the pair-to-pair *noise*. ``"mean_diff"``: the mean
    difference. The direction is normalised, then its sign set by majority vote of the
    projections of the (unflipped, uncentred) differences, so that ``+`` points towards the
    positive prompts (ties: sign of the mean projection).
    """
    d = differences.double()
    if d.ndim != 2 or d.shape[0] < 1:
        raise ValueError(f"differences must have shape (n >= 1, hidden), got {tuple(d.shape)}")
    if method == "pca":
        signs = torch.from_numpy(pair_flip_signs(d.shape[0], seed)).to(d)
        flipped = d * signs[:, None]
        _, _, vh = torch.linalg.svd(
            flipped - flipped.mean(dim=0, keepdim=True), full_matrices=False
        )
        direction = vh[0]
    elif method == "mean_diff":
        direction = d.mean(dim=0)
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    norm = direction.norm()
    if not torch.isfinite(norm) or norm == 0:
        raise ValueError("pair differences are degenerate (zero direction)")
    direction = direction / norm
    projections = d @ direction
    votes = int(torch.sign(projections).sum())
    if votes < 0 or (votes == 0 and projections.mean() < 0):
        direction = -direction
    return direction


def extract_vector(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    pairs: Sequence[PairLike],
    layers: Sequence[int],
    method: str = "pca",
    *,
    batch_size: int = 16,
    holdout_fraction: float = 0.25,
    seed: int = 0,
    model_id: str | None = None,
    template: str | None = None,
    block_template: str | None = None,
    progress: bool = False,
) -> SteeringVector:
    """Build a unit-norm :class:`SteeringVector` from contrast pairs.

    Directions are fitted on a random ``1 - holdout_fraction`` of the pairs (``seed``; the same
    seed draws PCA's random pair order, see :func:`fit_direction`); the
    manifest's ``read_accuracy[l]`` is the fraction of held-out pairs whose positive prompt
    projects higher than its negative one on ``v_l`` (on the training pairs if none are held
    out), and ``mean_residual_norm[l]`` the mean read-position norm over all prompts.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    clean = as_pairs(pairs)
    if len(clean) < 2:
        raise ValueError(f"extract_vector needs at least 2 pairs, got {len(clean)}")
    layers = sorted(set(layers))
    prompts = [p.positive for p in clean] + [p.negative for p in clean]
    states = last_token_hidden_states(
        model,
        tokenizer,
        prompts,
        layers,
        batch_size=batch_size,
        block_template=block_template,
        progress=progress,
    )
    train, heldout = split_pairs(len(clean), holdout_fraction, seed)
    evaluate = heldout if len(heldout) else train
    n = len(clean)
    directions: dict[int, torch.Tensor] = {}
    accuracy: dict[int, float] = {}
    norms: dict[int, float] = {}
    for l in layers:
        differences = (states[l][:n] - states[l][n:]).double()
        direction = fit_direction(differences[torch.from_numpy(train)], method, seed=seed)
        held = differences[torch.from_numpy(evaluate)] @ direction
        accuracy[l] = float((held > 0).double().mean())
        norms[l] = float(states[l].double().norm(dim=1).mean())
        directions[l] = direction.float()
    default_id, revision = model_identity(model)
    manifest = VectorManifest(
        model_id=model_id or default_id,
        model_revision=revision,
        hidden_size=hidden_size(model),
        n_layers=len(decoder_blocks(model, block_template)),
        layers=layers,
        method=method,
        padding_side=str(getattr(tokenizer, "padding_side", "right")),
        template=template,
        dataset_hash=dataset_hash(clean),
        n_pairs=n,
        mean_residual_norm=norms,
        scale=dict.fromkeys(layers, 1.0),
        read_accuracy=accuracy,
        read_accuracy_split="heldout" if len(heldout) else "train",
    )
    return SteeringVector(directions, manifest)
