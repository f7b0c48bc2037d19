"""Rows of a prefix-cached sweep: memory per row, padding layout, and chunks ready to replay.

:func:`row_bytes` sizes chunks against a memory budget; :func:`pack_right` and
:func:`trim_right` lay a prompt batch out right-padded and no wider than its longest prompt;
:class:`ReplayChunk` is one chunk of (prompt, coefficient) rows over a captured
:class:`~steerbound.empirical.sweeps.prefix_cache.PrefixState`, replayed with
:func:`~steerbound.empirical.sweeps.prefix_cache.replay_suffix`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from steerbound.empirical.model.forward import SteeredOutputs, readout_positions
from steerbound.empirical.sweeps.prefix_cache import PrefixState, Suffix, replay_suffix
from steerbound.empirical.vectors.vector import SteeringVector


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
