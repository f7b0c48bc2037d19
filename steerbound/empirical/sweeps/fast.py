"""The fast teacher-forced sweep engine: prefix caching, batched coefficients, bounded memory.

A sweep evaluates prompts x a coefficient grid. Everything up to and including the lowest
steered block ``first`` is the same for every coefficient, so per batch of prompts it runs
once (:mod:`steerbound.empirical.sweeps.prefix_cache`); only blocks ``first + 1 ..``, the final norm
and the LM head (at the readout position only) run for every (prompt, coefficient) row, with
per-row coefficients. Rows are processed in chunks whose size comes from a memory budget
(:func:`row_bytes`), so peak memory does not grow with the length of the grid.

Outputs are :class:`~steerbound.empirical.model.forward.SteeredOutputs` equal to
:func:`~steerbound.empirical.model.forward.steered_forward` (the plain reference) up to float
rounding. :class:`PrefixCachedForward` has the reference's signature (a ``ForwardStrategy`` for
the sweep engine): rows that repeat a prompt share its prefix. :func:`sweep_grid` takes
prompts and a grid and returns rows in **prompt-major order**: row ``p * C + c`` is prompt
``p`` with ``coefficients[c]`` (``outputs.logits.view(P, C, vocab)``). Models whose forward
cannot be reproduced (checked on every call against the reference on two rows) fall back to
the plain path with a logged reason.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from tqdm.auto import tqdm

from steerbound.empirical.model.blocks import decoder_blocks
from steerbound.empirical.model.forward import (
    SteeredOutputs,
    forward_kwargs,
    model_device,
    readout_positions,
    row_coefficients,
    steered_forward,
)
from steerbound.empirical.sweeps.prefix_cache import (
    PrefixUnsupported,
    ReplayChunk,
    Suffix,
    capture_prefix,
    find_suffix,
    pack_right,
    row_bytes,
    steered_directions,
    trim_right,
)
from steerbound.empirical.vectors.vector import SteeringVector

if TYPE_CHECKING:
    from transformers import PreTrainedModel


logger = logging.getLogger(__name__)

#: Default working-memory budget of one chunk. On CPU, chunks beyond a few thousand tokens do
#: not run faster; GPU users should raise it (e.g. to a quarter of the free device memory).
DEFAULT_MEMORY_BUDGET = 128 * 2**20
#: Agreement required of the engine's logits with the reference on the check rows,
#: relative to ``max(1, max |logit|)``; structural errors give differences of order 1.
CHECK_TOLERANCE = {torch.float32: 1e-4, torch.float64: 1e-8}


@dataclass
class PrefixCachedForward:
    """Prefix-cached steered forward with :func:`steered_forward`'s signature.

    ``memory_budget_bytes`` bounds the working memory of one chunk (:func:`row_bytes`);
    ``check`` compares two rows with the reference (one plain forward of two rows) the first
    time this engine sweeps a model from a given first steered block, and falls back to the
    plain path on disagreement; ``last_path`` records ``"prefix"`` or ``"plain: <reason>"``
    for the most recent call.
    """

    memory_budget_bytes: int = DEFAULT_MEMORY_BUDGET
    check: bool = True
    block_template: str | None = None
    progress: bool = False
    last_path: str = field(default="", init=False)
    _checked: weakref.WeakKeyDictionary[Any, set[int]] = field(
        default_factory=weakref.WeakKeyDictionary, init=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.memory_budget_bytes <= 0:
            raise ValueError(
                f"memory_budget_bytes must be positive, got {self.memory_budget_bytes}"
            )

    def __call__(
        self,
        model: PreTrainedModel,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        vector: SteeringVector | None,
        coefficients: torch.Tensor,
        *,
        layers: Sequence[int] | None = None,
    ) -> SteeredOutputs:
        """Rows ``i`` = prompt ``input_ids[i]`` steered with ``coefficients[i]``."""
        coefficients = row_coefficients(input_ids, attention_mask, coefficients)
        key = torch.cat([input_ids.masked_fill(attention_mask == 0, -1), attention_mask], dim=1)
        unique, prompt_index = torch.unique(key, dim=0, return_inverse=True)
        width = input_ids.shape[1]
        prompt_ids, prompt_mask = unique[:, :width].clamp(min=0), unique[:, width:]
        return self.collect(
            model, prompt_ids, prompt_mask, prompt_index, coefficients, vector, layers
        )

    def collect(
        self,
        model: PreTrainedModel,
        prompt_ids: torch.Tensor,
        prompt_mask: torch.Tensor,
        prompt_index: torch.Tensor,
        coefficients: torch.Tensor,
        vector: SteeringVector | None,
        layers: Sequence[int] | None = None,
    ) -> SteeredOutputs:
        """Rows ``i`` = prompt ``prompt_index[i]`` of ``prompt_ids`` with ``coefficients[i]``."""
        logits: torch.Tensor | None = None
        final: torch.Tensor | None = None
        for rows, out in self.iter_rows(
            model, prompt_ids, prompt_mask, prompt_index, coefficients, vector, layers
        ):
            if logits is None or final is None:
                n = prompt_index.shape[0]
                logits = torch.empty(n, out.logits.shape[1], dtype=torch.float32)
                final = torch.empty(n, out.final_hidden.shape[1], dtype=torch.float32)
            logits[rows], final[rows] = out.logits, out.final_hidden
        assert logits is not None and final is not None
        return SteeredOutputs(logits=logits, final_hidden=final)

    def iter_rows(
        self,
        model: PreTrainedModel,
        prompt_ids: torch.Tensor,
        prompt_mask: torch.Tensor,
        prompt_index: torch.Tensor,
        coefficients: torch.Tensor,
        vector: SteeringVector | None,
        layers: Sequence[int] | None = None,
    ) -> Iterator[tuple[torch.Tensor, SteeredOutputs]]:
        """Stream ``(row indices, outputs)`` chunk by chunk (bounded memory)."""
        done = torch.zeros(prompt_index.shape[0], dtype=torch.bool)
        try:
            chunks = self.plan(
                model, prompt_ids, prompt_mask, prompt_index, coefficients, vector, layers
            )
            for chunk in tqdm(chunks, desc="sweep", disable=not self.progress):
                yield chunk.rows, chunk.run()
                done[chunk.rows] = True
            self.last_path = "prefix"
        except PrefixUnsupported as reason:
            self.last_path = f"plain: {reason}"
            logger.log(
                logging.INFO if vector is None else logging.WARNING,
                "prefix cache off for %s (%s); plain forward",
                type(model).__name__,
                reason,
            )
            rest = (~done).nonzero().flatten()
            step = self._rows_per_chunk(model, prompt_ids.shape[1], 0)
            for start in range(0, rest.shape[0], step):
                rows = rest[start : start + step]
                picked = prompt_index[rows]
                out = steered_forward(
                    model,
                    prompt_ids[picked],
                    prompt_mask[picked],
                    vector,
                    coefficients[rows],
                    layers=layers,
                    block_template=self.block_template,
                )
                yield rows, out

    def _rows_per_chunk(self, model: PreTrainedModel, seq_len: int, reserved: int) -> int:
        dtype = next(model.parameters()).dtype
        per_row = row_bytes(model.config, seq_len, dtype)
        return max(1, (self.memory_budget_bytes - reserved) // per_row)

    def plan(
        self,
        model: PreTrainedModel,
        prompt_ids: torch.Tensor,
        prompt_mask: torch.Tensor,
        prompt_index: torch.Tensor,
        coefficients: torch.Tensor,
        vector: SteeringVector | None,
        layers: Sequence[int] | None = None,
    ) -> Iterator[ReplayChunk]:
        """Capture prefixes prompt batch by prompt batch and yield the chunks to replay.

        Raises :class:`PrefixUnsupported` (before the first chunk) when the model's forward
        cannot be reproduced; ``vector=None`` or a model without ``position_ids`` raise it too.
        """
        if vector is None:
            raise PrefixUnsupported("no steering vector (nothing to sweep)")
        directions = steered_directions(vector, layers)
        blocks = decoder_blocks(model, self.block_template)
        first = min(directions)
        if not all(0 <= layer < len(blocks) for layer in directions):
            raise ValueError(f"layers {sorted(directions)} do not fit {len(blocks)} blocks")
        ids, mask = pack_right(prompt_ids, prompt_mask)
        takes_positions = "position_ids" in forward_kwargs(model, prompt_mask)
        if not takes_positions and not torch.equal(mask, prompt_mask):
            raise PrefixUnsupported("left padding on a model that takes no position_ids")
        device = model_device(model)
        order = torch.argsort(mask.sum(dim=1), descending=True, stable=True)
        per_batch = self._rows_per_chunk(model, int(mask.sum(dim=1).max()), 0)
        suffix: Suffix | None = None
        for start in range(0, order.shape[0], per_batch):
            members = order[start : start + per_batch]
            local = torch.full((ids.shape[0],), -1, dtype=torch.long)
            local[members] = torch.arange(members.shape[0])
            rows = (local[prompt_index] >= 0).nonzero().flatten()
            if rows.shape[0] == 0:
                continue
            batch_ids, batch_mask = trim_right(ids[members], mask[members])
            batch_ids, batch_mask = batch_ids.to(device), batch_mask.to(device)
            with torch.no_grad():
                state = capture_prefix(
                    model,
                    blocks,
                    first,
                    batch_ids,
                    batch_mask,
                    forward_kwargs(model, batch_mask),
                    readout_positions(batch_mask),
                )
                if suffix is None:
                    suffix = find_suffix(model, blocks, first, state)
                state.head_input = None  # only needed to identify the final norm
            chunk = ReplayChunk(
                rows, suffix, state, local[prompt_index[rows]], coefficients[rows], directions
            )
            if self.check and first not in self._checked.setdefault(model, set()):
                self._check(model, chunk, batch_ids, batch_mask, vector, layers)
                self._checked[model].add(first)
            reserved = state.hidden.numel() * state.hidden.element_size() * 3
            step = self._rows_per_chunk(model, batch_ids.shape[1], reserved)
            for offset in range(0, rows.shape[0], step):
                yield chunk.part(slice(offset, offset + step))

    def _check(
        self,
        model: PreTrainedModel,
        chunk: ReplayChunk,
        batch_ids: torch.Tensor,
        batch_mask: torch.Tensor,
        vector: SteeringVector,
        layers: Sequence[int] | None,
    ) -> None:
        """Compare two rows of ``chunk`` with the reference forward; raise on disagreement."""
        probe = chunk.part(torch.tensor([0, chunk.rows.shape[0] - 1]).unique())  # first, last
        fast = probe.run()
        picked = probe.prompt_rows.to(batch_ids.device)
        plain = steered_forward(
            model,
            batch_ids[picked],
            batch_mask[picked],
            vector,
            probe.coefficients,
            layers=layers,
            block_template=self.block_template,
        )
        tolerance = CHECK_TOLERANCE.get(next(model.parameters()).dtype, 2e-2)
        scale = max(1.0, float(plain.logits.abs().max()))
        error = float((fast.logits - plain.logits).abs().max()) / scale
        if not error <= tolerance:
            raise PrefixUnsupported(f"replay differs from the reference by {error:.2e} (relative)")


def sweep_grid(
    model: PreTrainedModel,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    vector: SteeringVector,
    coefficients: Sequence[float] | torch.Tensor,
    *,
    layers: Sequence[int] | None = None,
    engine: PrefixCachedForward | None = None,
) -> SteeredOutputs:
    """Every prompt under every coefficient: ``P * C`` rows, prompt-major (row ``p * C + c``)."""
    grid = torch.as_tensor(coefficients, dtype=torch.float32).reshape(-1)
    if grid.numel() == 0:
        raise ValueError("coefficients must not be empty")
    if input_ids.shape != attention_mask.shape or input_ids.ndim != 2:
        raise ValueError("input_ids and attention_mask must have the same (prompts, seq) shape")
    n_prompts = input_ids.shape[0]
    prompt_index = torch.arange(n_prompts).repeat_interleave(grid.numel())
    engine = engine if engine is not None else PrefixCachedForward()
    return engine.collect(
        model, input_ids, attention_mask, prompt_index, grid.repeat(n_prompts), vector, layers
    )
