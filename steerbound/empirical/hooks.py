"""The steering context manager: add ``r_e * v_l`` to decoder-block outputs through hooks.

Convention (docs/conventions.md): inside ``steering(model, vector, r_e)`` the output of decoder
block ``l`` (0-based; ``hidden_states[l + 1]``) becomes ``h + r_e * vector.directions[l]`` at every
position (or only at absolute positions ``>= from_token``). ``r_e`` is a float or a 1-D tensor
with one value per batch row. The hooks are registered with ``prepend=True`` so that any other
forward hook (Hugging Face's ``output_hidden_states`` recorder included) sees the steered output,
and they are removed on exit, also on error. The model's parameters are never touched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from steerbound.empirical.blocks import decoder_blocks
from steerbound.empirical.vectors import SteeringVector, check_finite_coefficients

Coefficient = float | int | torch.Tensor


def _directions(
    vector: SteeringVector | Mapping[int, torch.Tensor], layers: Sequence[int] | None
) -> dict[int, torch.Tensor]:
    directions = dict(vector.directions if isinstance(vector, SteeringVector) else vector)
    if layers is None:
        return directions
    missing = sorted(set(layers) - set(directions))
    if missing:
        raise ValueError(
            f"layers {missing} are not in the steering vector (has {sorted(directions)})"
        )
    return {l: directions[l] for l in layers}


def _coefficient_tensor(coefficient: Coefficient) -> torch.Tensor:
    if isinstance(coefficient, torch.Tensor):
        if coefficient.ndim > 1:
            raise ValueError(
                f"coefficient tensor must be 0-D or 1-D (one per batch row), "
                f"got shape {tuple(coefficient.shape)}"
            )
        check_finite_coefficients([coefficient])
        return coefficient.detach().to(torch.float32)
    if isinstance(coefficient, bool) or not isinstance(coefficient, int | float):
        raise ValueError(f"coefficient must be a float or a 1-D tensor, got {coefficient!r}")
    check_finite_coefficients([coefficient])
    return torch.tensor(float(coefficient), dtype=torch.float32)


def _past_length(kwargs: dict[str, Any]) -> int:
    cache = kwargs.get("past_key_values")
    if cache is None or not hasattr(cache, "get_seq_length"):
        return 0
    return int(cache.get_seq_length())


class _SteeringHook:
    """Forward hook of one block: adds the precomputed ``r_e * v`` to the block output."""

    def __init__(
        self, direction: torch.Tensor, coefficient: torch.Tensor, state: dict[str, int]
    ) -> None:
        self.direction = direction.detach().to(torch.float32)
        self.coefficient = coefficient
        self.state = state
        self.cache: dict[tuple[torch.device, torch.dtype], torch.Tensor] = {}

    def _delta(self, hidden: torch.Tensor) -> torch.Tensor:
        key = (hidden.device, hidden.dtype)
        if key not in self.cache:
            coefficient = self.coefficient.to(hidden.device)
            if coefficient.ndim == 1:
                coefficient = coefficient.view(-1, 1, 1)
            delta = coefficient * self.direction.to(hidden.device).view(1, 1, -1)
            self.cache[key] = delta.to(hidden.dtype)
        return self.cache[key]

    def __call__(self, module: nn.Module, args: Any, output: Any) -> Any:
        hidden = output[0] if isinstance(output, tuple) else output
        if not isinstance(hidden, torch.Tensor) or hidden.ndim != 3:
            raise ValueError(
                f"steering expects a block output of shape (batch, seq, hidden), got {type(hidden)}"
            )
        delta = self._delta(hidden)
        if delta.shape[0] not in (1, hidden.shape[0]):
            raise ValueError(
                f"coefficient has {delta.shape[0]} values but the batch has {hidden.shape[0]} rows"
            )
        from_token = self.state.get("from_token")
        if from_token is not None:
            start = self.state["offset"]
            positions = torch.arange(start, start + hidden.shape[1], device=hidden.device)
            delta = delta * (positions >= from_token).to(hidden.dtype).view(1, -1, 1)
        steered = hidden + delta
        return (steered, *output[1:]) if isinstance(output, tuple) else steered


@contextmanager
def steering(
    model: nn.Module,
    vector: SteeringVector | Mapping[int, torch.Tensor],
    coefficient: Coefficient,
    *,
    layers: Sequence[int] | None = None,
    from_token: int | None = None,
    block_template: str | None = None,
) -> Iterator[None]:
    """Steer ``model`` inside the ``with`` block: block ``l`` output ``+= coefficient * v_l``.

    ``layers`` selects a subset of the vector's layers (default: all of them). ``coefficient``
    is ``r_e``: a float, or a 1-D tensor with one value per batch row (broadcast as
    ``(rows, 1, 1)``). ``from_token`` steers only absolute sequence positions ``>= from_token``
    (column index of the padded batch; positions held in a KV cache count, so generated tokens
    are at ``prompt_length + t``). Directions are cast to each block output's dtype and device.
    With ``coefficient == 0`` the outputs equal the unsteered ones exactly.
    """
    if from_token is not None and (isinstance(from_token, bool) or from_token < 0):
        raise ValueError(f"from_token must be a non-negative int or None, got {from_token!r}")
    directions = _directions(vector, layers)
    blocks = decoder_blocks(model, block_template)
    bad = [l for l in directions if not 0 <= l < len(blocks)]
    if bad:
        raise ValueError(f"layers {bad} do not exist in a model with {len(blocks)} blocks")
    coefficients = _coefficient_tensor(coefficient)
    state: dict[str, int] = {"offset": 0}
    handles: list[Any] = []
    try:
        if from_token is not None:
            state["from_token"] = from_token

            def record_offset(module: nn.Module, args: Any, kwargs: dict[str, Any]) -> None:
                state["offset"] = _past_length(kwargs)

            handles.append(
                model.register_forward_pre_hook(record_offset, with_kwargs=True, prepend=True)
            )
        for layer, direction in sorted(directions.items()):
            hook = _SteeringHook(direction, coefficients, state)
            handles.append(blocks[layer].register_forward_hook(hook, prepend=True))
        yield
    finally:
        for handle in handles:
            handle.remove()
