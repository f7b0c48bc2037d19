"""Compute the coefficient-independent prefix of a steered forward once; replay the rest per row.

Steering block ``first`` (the lowest steered block, 0-based) changes only that block's *output*
(``hidden_states[first + 1]``, docs/conventions.md), so the embeddings, blocks ``0..first`` and
everything the model prepares for its blocks (attention mask in the form the blocks expect,
rotary ``(cos, sin)``, position ids, per-layer sliding-window masks) are the same for every
coefficient. :func:`capture_prefix` runs the model once on a batch of prompts, with the blocks
above ``first`` temporarily replaced by recorders that store the exact positional and keyword
arguments the model passes them and return their input unchanged (the model itself builds
masks and position embeddings, so no architecture is re-implemented here); the forward stops
at the LM head. :func:`replay_suffix` then runs only blocks ``first + 1 ..`` on (prompt,
coefficient) rows, adding ``r_e * v_l`` after every steered block exactly as
:func:`steerbound.empirical.steering` does, followed by the final norm and the LM head at the
readout position. Any tensor argument whose first axis is the prompt batch is indexed to rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from steerbound.empirical.model.hooks import steering_delta

#: Attribute names of the final norm (between the last block and the LM head), by family:
#: Llama/Mistral/Qwen2/Gemma ``norm``, GPT-2 ``ln_f``, GPT-NeoX ``final_layer_norm``.
FINAL_NORM_NAMES: tuple[str, ...] = (
    "norm",
    "ln_f",
    "final_layer_norm",
    "final_layernorm",
    "norm_f",
)


class PrefixUnsupported(Exception):
    """The prefix cache cannot reproduce this model's forward; the message says why."""


class _StopForward(Exception):
    """Raised by the LM-head pre-hook to end the capture forward before the logits."""


@dataclass
class BlockCall:
    """The arguments the model passed to one block, hidden states excluded.

    ``hidden_keyword`` is true when the model passed ``hidden_states=`` as a keyword.
    """

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    hidden_keyword: bool


@dataclass
class PrefixState:
    """What the blocks above ``first`` need, for one batch of ``P`` prompts.

    ``hidden``: ``(P, T, hidden)`` unsteered output of block ``first``; ``calls[k]``: the
    arguments of block ``first + 1 + k``; ``readout``: ``(P,)`` last non-pad column per prompt;
    ``head_input``: ``(P, T, hidden)`` what reached the LM head with the upper blocks skipped
    (used once to identify the final norm, then dropped).
    """

    hidden: torch.Tensor
    calls: list[BlockCall]
    readout: torch.Tensor
    head_input: torch.Tensor | None
    tuple_output: bool


@dataclass
class Suffix:
    """The modules after block ``first``: the upper blocks, final norm (or ``None``) and head."""

    first: int
    blocks: list[nn.Module]
    final_norm: nn.Module | None
    head: nn.Module
    softcap: float | None


def _hidden_of(output: Any) -> torch.Tensor:
    hidden = output[0] if isinstance(output, tuple | list) else output
    if not isinstance(hidden, torch.Tensor) or hidden.ndim != 3:
        raise PrefixUnsupported(
            f"a decoder block returned {type(hidden).__name__}, not a 3-D tensor"
        )
    return hidden


@contextmanager
def _recording(
    blocks: list[nn.Module], first: int, head: nn.Module, store: dict[str, Any]
) -> Iterator[None]:
    """Record block ``first``'s output and the upper blocks' arguments; skip those blocks."""
    patched: list[tuple[nn.Module, Any]] = []
    handles: list[Any] = []

    def record_first(module: nn.Module, args: Any, output: Any) -> None:
        store["hidden"] = _hidden_of(output)
        store["tuple_output"] = isinstance(output, tuple | list)

    def stop_at_head(module: nn.Module, args: Any) -> None:
        store["head_input"] = args[0]
        raise _StopForward

    def recorder(calls: list[BlockCall]) -> Callable[..., Any]:
        def forward(*args: Any, **kwargs: Any) -> Any:
            keyword = not args
            hidden = kwargs.pop("hidden_states") if keyword else args[0]
            calls.append(BlockCall(args if keyword else args[1:], kwargs, keyword))
            return (hidden,) if store.get("tuple_output") else hidden

        return forward

    store["calls"] = []
    try:
        handles.append(blocks[first].register_forward_hook(record_first))
        handles.append(head.register_forward_pre_hook(stop_at_head))
        for block in blocks[first + 1 :]:
            patched.append((block, block.__dict__.get("forward")))  # keep accelerate's wrapper
            block.forward = recorder(store["calls"])  # type: ignore[method-assign]
        yield
    finally:
        for handle in handles:
            handle.remove()
        for block, previous in patched:
            if previous is None:
                del block.forward
            else:
                block.forward = previous  # type: ignore[method-assign]


def capture_prefix(
    model: Any,
    blocks: list[nn.Module],
    first: int,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    forward_kwargs: Mapping[str, Any],
    readout: torch.Tensor,
) -> PrefixState:
    """Run ``model`` on the prompt batch up to block ``first`` (inclusive) and record the rest.

    ``forward_kwargs`` are the keyword arguments of the plain forward (mask, position ids,
    ``use_cache=False``); ``readout`` the ``(P,)`` readout columns.
    """
    head = model.get_output_embeddings()
    if head is None:
        raise PrefixUnsupported(f"{type(model).__name__} has no output embeddings (LM head)")
    store: dict[str, Any] = {}
    with _recording(blocks, first, head, store):
        try:
            model(input_ids=input_ids, **forward_kwargs)
        except _StopForward:
            pass
    missing = [k for k in ("hidden", "head_input") if k not in store]
    if missing or len(store["calls"]) != len(blocks) - first - 1:
        raise PrefixUnsupported(
            f"the capture forward did not pass through every block and the LM head ({missing})"
        )
    for call in store["calls"]:
        for value in (*call.args, *call.kwargs.values()):
            if value is not None and hasattr(value, "get_seq_length"):
                raise PrefixUnsupported("the model passes a KV cache to its blocks")
    return PrefixState(
        store["hidden"], store["calls"], readout, store["head_input"], store["tuple_output"]
    )


def find_suffix(model: Any, blocks: list[nn.Module], first: int, state: PrefixState) -> Suffix:
    """Identify the final norm: the module that maps block ``first``'s output (what the last
    block returned during the capture) exactly to what reached the LM head."""
    head = model.get_output_embeddings()
    base = getattr(model, "base_model", model)
    candidates: list[nn.Module | None] = [
        module
        for owner in (base, model)
        for name in FINAL_NORM_NAMES
        if isinstance(module := getattr(owner, name, None), nn.Module)
    ]
    target = state.head_input
    if target is None:
        raise ValueError("find_suffix needs a PrefixState that still holds head_input")
    for candidate in [*candidates, None]:
        mapped = state.hidden if candidate is None else candidate(state.hidden)
        mapped = mapped.to(target.device)
        if mapped.shape == target.shape and torch.equal(mapped, target):
            final_norm = candidate
            break
    else:
        raise PrefixUnsupported("cannot identify the final norm between the blocks and the LM head")
    softcap = getattr(getattr(model, "config", None), "final_logit_softcapping", None)
    return Suffix(first, blocks[first + 1 :], final_norm, head, softcap)


def select_rows(
    value: Any, rows: torch.Tensor, n_prompts: int, memo: dict[int, Any] | None = None
) -> Any:
    """Index every tensor in ``value`` whose first axis is the prompt batch (ndim >= 2, length
    ``n_prompts``) by ``rows``; other values (scalars, 1-D position tables, None) pass through.
    ``memo`` (keyed by tensor identity) shares one selection between blocks given the same
    tensor, e.g. the attention mask and the rotary ``(cos, sin)``."""
    memo = {} if memo is None else memo
    if isinstance(value, torch.Tensor):
        if value.ndim < 2 or value.shape[0] != n_prompts:
            return value
        if id(value) not in memo:
            memo[id(value)] = (value, value.index_select(0, rows.to(value.device)))
        return memo[id(value)][1]
    if isinstance(value, tuple | list):
        return type(value)(select_rows(v, rows, n_prompts, memo) for v in value)
    if isinstance(value, dict):
        return {k: select_rows(v, rows, n_prompts, memo) for k, v in value.items()}
    return value


def replay_suffix(
    suffix: Suffix,
    state: PrefixState,
    prompt_rows: torch.Tensor,
    coefficients: torch.Tensor,
    directions: Mapping[int, torch.Tensor],
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run blocks above ``first`` for rows ``(prompt_rows[i], coefficients[i])``.

    ``prompt_rows`` indexes the prompt batch of ``state``. Returns float32 CPU ``logits``
    ``(rows, vocab)`` and ``final_hidden`` ``(rows, hidden)`` at each row's readout position.
    """
    n_prompts = state.hidden.shape[0]
    hidden = state.hidden.index_select(0, prompt_rows.to(state.hidden.device))
    hidden += steering_delta(directions[suffix.first], coefficients, hidden)
    memo: dict[int, Any] = {}
    for offset, (block, call) in enumerate(zip(suffix.blocks, state.calls, strict=True)):
        args = select_rows(call.args, prompt_rows, n_prompts, memo)
        kwargs = select_rows(call.kwargs, prompt_rows, n_prompts, memo)
        if call.hidden_keyword:
            output = block(*args, hidden_states=hidden, **kwargs)
        else:
            output = block(hidden, *args, **kwargs)
        hidden = _hidden_of(output)
        layer = suffix.first + 1 + offset
        if layer in directions:
            hidden = hidden + steering_delta(directions[layer], coefficients, hidden)
    positions = state.readout.to(hidden.device).index_select(0, prompt_rows.to(hidden.device))
    picked = hidden[torch.arange(hidden.shape[0], device=hidden.device), positions]
    final = picked if suffix.final_norm is None else suffix.final_norm(picked)
    final = final.to(_device_of(suffix.head, final))
    logits = suffix.head(final)
    if suffix.softcap:
        logits = torch.tanh(logits / suffix.softcap) * suffix.softcap
    return logits.float().cpu(), final.float().cpu()


def _device_of(module: nn.Module, fallback: torch.Tensor) -> torch.device:
    parameter = next(module.parameters(), None)
    return parameter.device if parameter is not None else fallback.device
