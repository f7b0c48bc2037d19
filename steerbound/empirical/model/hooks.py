"""Hooks on decoder blocks: :func:`steering` writes, :func:`recording` reads.

Convention (docs/conventions.md): inside ``steering(model, vector, r_e)`` the output of decoder
block ``l`` (0-based; ``hidden_states[l + 1]``) becomes ``h + r_e * vector.directions[l]`` at every
position (or only at absolute positions ``>= from_token``). ``r_e`` is a float or a 1-D tensor
with one value per batch row. The hooks are registered with ``prepend=True`` so that any other
forward hook (Hugging Face's ``output_hidden_states`` recorder included) sees the steered output,
and they are removed on exit, also on error. The model's parameters are never touched.

Absolute positions (for ``from_token``) are derived without relying on the name of any forward
argument: a pre-hook on the model finds the KV cache among the call's arguments by what it is
(an object with ``get_seq_length()``, the documented ``transformers.Cache`` method), not by the
keyword it is passed under, and the length of the current chunk comes from the block output the
hook itself receives. Each call is checked: a cache returned by the forward must hold exactly
``past + current`` positions, a cache passed again must hold what the previous call left in it,
and an ``attention_mask`` (when one is passed) must span ``past + current`` columns. A call that
breaks any of these, or passes a legacy tuple cache, raises instead of steering the wrong tokens.

:func:`steering_delta` is the one computation of the added ``r_e * v`` (the prefix-cached sweep
engine adds the same tensor); :func:`recording` is the one read hook (extraction reads block
outputs through it).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import torch
from torch import nn

from steerbound.empirical.model.blocks import decoder_blocks

if TYPE_CHECKING:  # the model layer takes vectors, never builds them
    from steerbound.empirical.vectors.vector import SteeringVector

Coefficient = float | int | torch.Tensor
Key = TypeVar("Key")


def _directions(
    vector: SteeringVector | Mapping[int, torch.Tensor], layers: Sequence[int] | None
) -> dict[int, torch.Tensor]:
    directions = dict(vector) if isinstance(vector, Mapping) else dict(vector.directions)
    if layers is None:
        return directions
    missing = sorted(set(layers) - set(directions))
    if missing:
        raise ValueError(
            f"layers {missing} are not in the steering vector (has {sorted(directions)})"
        )
    return {l: directions[l] for l in layers}


def check_finite_coefficients(values: Iterable[Any], what: str = "coefficient") -> None:
    """Raise ``ValueError`` naming the first NaN or infinite coefficient (and its position)."""
    for i, value in enumerate(values):
        if isinstance(value, torch.Tensor):
            finite = torch.isfinite(value.detach())
            if not bool(finite.all()):
                bad = value.detach().flatten()[~finite.flatten()][0].item()
                raise ValueError(f"{what} {bad} (in the tensor at position {i}) is not finite")
        elif isinstance(value, int | float) and not math.isfinite(float(value)):
            raise ValueError(f"{what} {value!r} (position {i}) is not finite")


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


def _is_cache(value: Any) -> bool:
    return callable(getattr(value, "get_seq_length", None))


def _is_legacy_cache(value: Any) -> bool:
    """A tuple (per layer) of tuples of 4-D key/value tensors: the pre-``Cache`` format."""
    return (
        isinstance(value, tuple | list)
        and len(value) > 0
        and all(
            isinstance(layer, tuple | list)
            and len(layer) > 0
            and all(isinstance(t, torch.Tensor) and t.ndim == 4 for t in layer)
            for layer in value
        )
    )


def _values(args: Iterable[Any], kwargs: Mapping[str, Any]) -> list[Any]:
    return [*args, *kwargs.values()]


def _cache_length(cache: Any) -> int:
    try:
        return int(cache.get_seq_length())
    except Exception as error:  # a cache that cannot say its length cannot place tokens
        raise RuntimeError(
            f"steering(from_token=...) cannot read the length of {type(cache).__name__}: {error}"
        ) from error


class PositionTracker:
    """Absolute column of the first token of every forward call of one model.

    Installed by :func:`steering` when ``from_token`` is given: a forward pre-hook on the model
    (:meth:`before`) and a forward hook (:meth:`after`). ``offset`` is the number of positions
    already held by the KV cache passed to the call (0 without one), found by type among all
    positional and keyword arguments. ``current`` is set by the steering hooks from the block
    output's sequence length. Inconsistent or unknowable positions raise ``RuntimeError``.
    """

    def __init__(self) -> None:
        self.offset = 0
        self.current: int | None = None
        self._mask_columns: int | None = None
        self._expected: list[tuple[weakref.ReferenceType[Any], int]] = []

    def before(self, module: nn.Module, args: Any, kwargs: dict[str, Any]) -> None:
        values = _values(args, kwargs)
        if any(_is_legacy_cache(v) for v in values):
            raise RuntimeError(
                "steering(from_token=...) cannot place tokens with a legacy tuple KV cache; "
                "pass a transformers Cache (e.g. DynamicCache) instead"
            )
        caches = {id(v): v for v in values if _is_cache(v)}
        if len(caches) > 1:
            raise RuntimeError(
                f"steering(from_token=...) found {len(caches)} KV caches in one forward call; "
                "cannot tell which one holds the positions"
            )
        self.offset = 0
        if caches:
            (cache,) = caches.values()
            self.offset = _cache_length(cache)
            for ref, expected in self._expected:
                if ref() is cache and self.offset != expected:
                    raise RuntimeError(
                        f"steering(from_token=...): the KV cache reports {self.offset} positions "
                        f"but the previous forward left {expected}; cannot place the new tokens"
                    )
        mask = kwargs.get("attention_mask")
        self._mask_columns = (
            int(mask.shape[-1]) if isinstance(mask, torch.Tensor) and mask.ndim == 2 else None
        )
        self.current = None

    def after(self, module: nn.Module, args: Any, kwargs: dict[str, Any], output: Any) -> None:
        if self.current is None:
            return  # no steered block ran (nothing was placed)
        total = self.offset + self.current
        fields = output.values() if isinstance(output, Mapping) else _values([output], {})
        returned = [v for v in fields if _is_cache(v)]
        self._expected = []
        for cache in returned:
            length = _cache_length(cache)
            if length != total:
                raise RuntimeError(
                    f"steering(from_token=...): the forward returned a KV cache of {length} "
                    f"positions, but steering placed its {self.current} tokens at columns "
                    f"{self.offset}..{total - 1}; the cache was not visible in the call's "
                    "arguments, so the positions are unknown"
                )
            try:
                self._expected.append((weakref.ref(cache), length))
            except TypeError:  # not weak-referenceable: no cross-call check for this cache
                pass

    def positions(self, length: int, device: torch.device) -> torch.Tensor:
        """Absolute columns of a block output of ``length`` positions in the current call."""
        if self.current is None:
            total = self.offset + length
            if self._mask_columns is not None and self._mask_columns != total:
                raise RuntimeError(
                    f"steering(from_token=...): the attention mask spans {self._mask_columns} "
                    f"columns but the cache and the input give {total}; cannot place the tokens"
                )
            self.current = length
        elif self.current != length:
            raise RuntimeError(
                f"steering(from_token=...): blocks of one forward saw {self.current} and "
                f"{length} positions"
            )
        return torch.arange(self.offset, self.offset + length, device=device)


def steering_delta(
    direction: torch.Tensor, coefficient: torch.Tensor, like: torch.Tensor
) -> torch.Tensor:
    """``r_e * v`` as added to a block output ``like`` of shape ``(batch, seq, hidden)``.

    ``coefficient`` is 0-D (shape ``(1, 1, hidden)`` out) or 1-D with one ``r_e`` per row
    (``(rows, 1, hidden)``). The product is taken in float32 on ``like``'s device, then cast to
    ``like``'s dtype: the steering hooks and the prefix-cached sweep engine
    (:mod:`steerbound.empirical.sweeps.prefix_cache`) both add exactly this tensor.
    """
    c = coefficient.to(device=like.device, dtype=torch.float32)
    c = c.view(-1, 1, 1) if c.ndim == 1 else c.view(1, 1, 1)
    v = direction.detach().to(device=like.device, dtype=torch.float32).view(1, 1, -1)
    return (c * v).to(like.dtype)


def block_hidden(output: Any) -> torch.Tensor:
    """The hidden states ``(batch, seq, hidden)`` of a decoder block's output (a tensor, or a
    tuple/list whose first item is the tensor); ``ValueError`` for anything else."""
    hidden = output[0] if isinstance(output, tuple | list) else output
    if not isinstance(hidden, torch.Tensor) or hidden.ndim != 3:
        raise ValueError(
            f"expected a block output of shape (batch, seq, hidden), got {type(hidden).__name__}"
        )
    return hidden


@contextmanager
def recording(
    modules: Mapping[Key, nn.Module], *, inputs: bool = False
) -> Iterator[dict[Key, torch.Tensor]]:
    """Record what each of ``modules`` outputs (or, with ``inputs=True``, its first positional
    input) on every forward inside the ``with`` block; the one read hook of steerbound.

    Yields ``{key: tensor}``, overwritten by each forward (the latest value; the tensor itself,
    not a copy, never modified). Outputs are read through :func:`block_hidden`. The hooks run
    after any steering hook registered with ``prepend=True`` (so they see steered outputs) and
    are removed on exit, also on error.
    """
    found: dict[Key, torch.Tensor] = {}
    handles: list[Any] = []

    def output_reader(key: Key) -> Any:
        def hook(module: nn.Module, args: Any, output: Any) -> None:
            found[key] = block_hidden(output)

        return hook

    def input_reader(key: Key) -> Any:
        def hook(module: nn.Module, args: Any) -> None:
            found[key] = args[0]

        return hook

    try:
        for key, module in modules.items():
            if inputs:
                handles.append(module.register_forward_pre_hook(input_reader(key)))
            else:
                handles.append(module.register_forward_hook(output_reader(key)))
        yield found
    finally:
        for handle in handles:
            handle.remove()


class _SteeringHook:
    """Forward hook of one block: adds the precomputed ``r_e * v`` to the block output."""

    def __init__(
        self,
        direction: torch.Tensor,
        coefficient: torch.Tensor,
        from_token: int | None,
        tracker: PositionTracker | None,
    ) -> None:
        self.direction = direction.detach().to(torch.float32)
        self.coefficient = coefficient
        self.from_token = from_token
        self.tracker = tracker
        self.cache: dict[tuple[torch.device, torch.dtype], torch.Tensor] = {}

    def _delta(self, hidden: torch.Tensor) -> torch.Tensor:
        key = (hidden.device, hidden.dtype)
        if key not in self.cache:
            self.cache[key] = steering_delta(self.direction, self.coefficient, hidden)
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
        if self.from_token is not None and self.tracker is not None:
            positions = self.tracker.positions(hidden.shape[1], hidden.device)
            delta = delta * (positions >= self.from_token).to(hidden.dtype).view(1, -1, 1)
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
    are at ``prompt_length + t``); the cache is found among the forward's arguments by type, and
    a call whose positions cannot be known raises ``RuntimeError`` (see the module docstring).
    Directions are cast to each block output's dtype and device.
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
    tracker = PositionTracker() if from_token is not None else None
    handles: list[Any] = []
    try:
        if tracker is not None:
            handles.append(
                model.register_forward_pre_hook(tracker.before, with_kwargs=True, prepend=True)
            )
            handles.append(model.register_forward_hook(tracker.after, with_kwargs=True))
        for layer, direction in sorted(directions.items()):
            hook = _SteeringHook(direction, coefficients, from_token, tracker)
            handles.append(blocks[layer].register_forward_hook(hook, prepend=True))
        yield
    finally:
        for handle in handles:
            handle.remove()
