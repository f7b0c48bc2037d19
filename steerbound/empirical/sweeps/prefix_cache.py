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

Rows of a prefix-cached sweep: :func:`row_bytes` sizes chunks against a memory budget;
:func:`pack_right` and :func:`trim_right` lay a prompt batch out right-padded and no wider than
its longest prompt; :class:`ReplayChunk` is one chunk of (prompt, coefficient) rows over a
captured :class:`PrefixState`, replayed with :func:`replay_suffix`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from steerbound.empirical.model.forward import SteeredOutputs, readout_positions
from steerbound.empirical.model.hooks import steering_delta
from steerbound.empirical.vectors.vector import SteeringVector

if TYPE_CHECKING:
    from transformers import PreTrainedModel


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
    model: PreTrainedModel,
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


def find_suffix(
    model: PreTrainedModel, blocks: list[nn.Module], first: int, state: PrefixState
) -> Suffix:
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


# ------------------------------------------------ rows: memory per row, padding, chunks
@dataclass
class ReplayChunk:
    """One chunk of rows ready to run: ``rows`` index the caller's rows; ``prompt_rows`` the
    prompt batch of ``state``; ``coefficients`` are the rows' ``r_e``."""

    rows: torch.Tensor
    suffix: Suffix
    state: PrefixState
    prompt_rows: torch.Tensor
    coefficients: torch.Tensor
    directions: dict[int, torch.Tensor]

    def part(self, index: torch.Tensor | slice) -> ReplayChunk:
        """The sub-chunk of rows ``index``."""
        return ReplayChunk(
            self.rows[index],
            self.suffix,
            self.state,
            self.prompt_rows[index],
            self.coefficients[index],
            self.directions,
        )

    def run(self) -> SteeredOutputs:
        """Replay the rows: float32 CPU outputs, row ``i`` for ``self.rows[i]``."""
        with torch.no_grad():
            logits, final = replay_suffix(
                self.suffix, self.state, self.prompt_rows, self.coefficients, self.directions
            )
        return SteeredOutputs(logits=logits, final_hidden=final)


def steered_directions(
    vector: SteeringVector, layers: Sequence[int] | None
) -> dict[int, torch.Tensor]:
    """``{layer: v_l}`` for ``layers`` (default: all of the vector's), in ascending layer order;
    raises ``ValueError`` when a layer is missing or none is chosen."""
    chosen = sorted(vector.directions) if layers is None else sorted(set(layers))
    missing = [layer for layer in chosen if layer not in vector.directions]
    if missing or not chosen:
        raise ValueError(f"layers {missing or chosen} are not in the steering vector")
    return {layer: vector.directions[layer] for layer in chosen}


def row_bytes(config: Any, seq_len: int, dtype: torch.dtype = torch.float32) -> int:
    """Estimated peak live-tensor memory (bytes) of one row while a decoder block runs.

    Per token: about 10 hidden-size and 3 intermediate-size activations, one attention row per
    head (``heads * seq_len``) and the boolean mask row; per row: float32 logits at the readout
    position (three vocab-size buffers). Blocks run under ``no_grad`` and free their
    activations, so the estimate does not depend on the number of blocks. Process RSS can
    exceed it by the allocator's caching (measured about 1.4x on CPU for hidden 512).
    """
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    hidden = int(text.hidden_size)
    inner = getattr(text, "intermediate_size", None) or getattr(text, "n_inner", None)
    heads = int(getattr(text, "num_attention_heads", 1))
    size = torch.empty((), dtype=dtype).element_size()
    per_token = size * (10 * hidden + 3 * int(inner or 4 * hidden) + heads * seq_len) + seq_len
    return seq_len * per_token + 12 * int(text.vocab_size) + 8 * hidden


def pack_right(
    input_ids: torch.Tensor, attention_mask: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Move every row's real tokens to the left (right padding), keeping their order."""
    order = torch.argsort((attention_mask == 0).to(torch.int8), dim=1, stable=True)
    return input_ids.gather(1, order), attention_mask.gather(1, order)


def trim_right(ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop the columns after the last real token of every row."""
    width = int(readout_positions(mask).max()) + 1
    return ids[:, :width], mask[:, :width]
