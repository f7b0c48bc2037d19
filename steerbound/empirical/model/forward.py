"""The reference steered forward pass and the batching helpers shared by the empirical layer.

``steered_forward`` runs one forward of a batch whose rows may carry different coefficients
``r_e`` and returns, at each row's **readout position** (its last non-pad token), the next-token
logits and the final hidden state, i.e. the input of the LM head (after the final norm). It is
the plain reference path; faster engines (prefix caching) return the same
:class:`SteeredOutputs` and can be passed to the sweep engine as its ``forward`` strategy.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import torch
from torch import nn

from steerbound.empirical.model.hooks import steering

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


if TYPE_CHECKING:  # the model layer takes vectors, never builds them
    from steerbound.empirical.vectors.vector import SteeringVector


@dataclass
class SteeredOutputs:
    """Per-row readouts of a (steered) forward pass, float32 on the CPU.

    ``logits``: ``(rows, vocab)`` next-token logits at the readout position (last non-pad
    token). ``final_hidden``: ``(rows, hidden)`` input of the LM head at that position.
    """

    logits: torch.Tensor
    final_hidden: torch.Tensor

    def __post_init__(self) -> None:
        if self.logits.ndim != 2 or self.final_hidden.ndim != 2:
            raise ValueError(
                "SteeredOutputs expects (rows, vocab) logits and (rows, hidden) states"
            )
        if self.logits.shape[0] != self.final_hidden.shape[0]:
            raise ValueError("SteeredOutputs: logits and final_hidden have different row counts")


class ForwardStrategy(Protocol):
    """Anything with :func:`steered_forward`'s signature (e.g. a prefix-cached engine)."""

    def __call__(
        self,
        model: PreTrainedModel,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        vector: SteeringVector | None,
        coefficients: torch.Tensor,
        *,
        layers: Sequence[int] | None = None,
    ) -> SteeredOutputs: ...


def encode_prompts(
    tokenizer: PreTrainedTokenizerBase, prompts: Sequence[str], *, padding_side: str | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Tokenize ``prompts`` into padded ``(input_ids, attention_mask)`` (``padding_side`` or the
    tokenizer's own). Every prompt must produce at least one token."""
    if isinstance(prompts, str) or not prompts:
        raise ValueError("prompts must be a non-empty sequence of strings")
    kwargs: dict[str, Any] = {"padding": True, "return_tensors": "pt"}
    if padding_side is not None:
        if padding_side not in ("left", "right"):
            raise ValueError(f"padding_side must be 'left' or 'right', got {padding_side!r}")
        kwargs["padding_side"] = padding_side
    encoded = tokenizer(list(prompts), **kwargs)
    mask = encoded["attention_mask"]
    empty = [i for i, n in enumerate(mask.sum(dim=1).tolist()) if n == 0]
    if empty:
        raise ValueError(f"prompts at positions {empty} encode to zero tokens")
    return encoded["input_ids"], mask


def readout_positions(attention_mask: torch.Tensor) -> torch.Tensor:
    """Index of the last non-pad token of each row (either padding side)."""
    columns = torch.arange(attention_mask.shape[1], device=attention_mask.device)
    return (attention_mask.bool() * (columns + 1)).argmax(dim=1)


def position_ids_from_mask(attention_mask: torch.Tensor) -> torch.Tensor:
    """Positions counted over real tokens only (0 at each row's first token; pads get 0)."""
    return (attention_mask.long().cumsum(dim=1) - 1).clamp(min=0)


def forward_kwargs(model: nn.Module, attention_mask: torch.Tensor) -> dict[str, Any]:
    """Keyword arguments for a padded forward: the mask and, where the model takes them,
    padding-aware ``position_ids`` (so left and right padding give the same states)."""
    kwargs: dict[str, Any] = {"attention_mask": attention_mask, "use_cache": False}
    if "position_ids" in inspect.signature(model.forward).parameters:
        kwargs["position_ids"] = position_ids_from_mask(attention_mask)
    return kwargs


def row_coefficients(
    input_ids: torch.Tensor, attention_mask: torch.Tensor, coefficients: torch.Tensor
) -> torch.Tensor:
    """Check a ``(rows, seq)`` batch and return its coefficients as a flat float32 ``(rows,)``
    tensor (one ``r_e`` per row); raise ``ValueError`` on mismatched shapes or counts."""
    if input_ids.shape != attention_mask.shape or input_ids.ndim != 2:
        raise ValueError("input_ids and attention_mask must have the same (rows, seq) shape")
    coefficients = torch.as_tensor(coefficients, dtype=torch.float32).reshape(-1)
    if coefficients.shape[0] != input_ids.shape[0]:
        raise ValueError(
            f"coefficients has {coefficients.shape[0]} values for {input_ids.shape[0]} rows"
        )
    return coefficients


def model_device(model: PreTrainedModel) -> torch.device:
    """Device of the input embeddings (where input ids must go, also with ``device_map``)."""
    embeddings = model.get_input_embeddings()
    if isinstance(embeddings, nn.Module) and isinstance(embeddings.weight, torch.Tensor):
        return embeddings.weight.device
    return next(model.parameters()).device


@torch.no_grad()
def steered_forward(
    model: PreTrainedModel,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    vector: SteeringVector | None,
    coefficients: torch.Tensor,
    *,
    layers: Sequence[int] | None = None,
    block_template: str | None = None,
) -> SteeredOutputs:
    """One forward of ``rows`` prompts, row ``i`` steered with ``coefficients[i]``.

    ``vector=None`` runs the unsteered model. The LM head is fed only the readout position
    (a forward pre-hook gathers it), so no ``(rows, seq, vocab)`` tensor is built.
    """
    coefficients = row_coefficients(input_ids, attention_mask, coefficients)
    head = model.get_output_embeddings()
    if head is None:
        raise ValueError(f"{type(model).__name__} has no output embeddings (LM head)")
    device = model_device(model)
    input_ids, attention_mask = input_ids.to(device), attention_mask.to(device)
    positions = readout_positions(attention_mask)
    captured: dict[str, torch.Tensor] = {}

    def gather_readout(module: nn.Module, args: Any) -> Any:
        hidden = args[0]
        rows = torch.arange(hidden.shape[0], device=hidden.device)
        picked = hidden[rows, positions.to(hidden.device)].unsqueeze(1)
        captured["final_hidden"] = picked[:, 0]
        return (picked, *args[1:])

    handle = head.register_forward_pre_hook(gather_readout)
    try:
        kwargs = forward_kwargs(model, attention_mask)
        if vector is None:
            logits = model(input_ids=input_ids, **kwargs).logits
        else:
            with steering(
                model, vector, coefficients, layers=layers, block_template=block_template
            ):
                logits = model(input_ids=input_ids, **kwargs).logits
    finally:
        handle.remove()
    return SteeredOutputs(
        logits=logits[:, -1].float().cpu(), final_hidden=captured["final_hidden"].float().cpu()
    )
