"""Find a model's decoder blocks and resolve layer specifications.

Convention (docs/conventions.md): decoder blocks are indexed from **0**; steering block ``l``
changes its output, i.e. ``hidden_states[l + 1]`` of a forward with ``output_hidden_states=True``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from torch import nn

#: Module paths of the decoder-block list, tried in order (Llama, Mistral, Qwen2, Gemma, Phi,
#: OLMo ... use ``model.layers``; GPT-2 / GPT-J ``transformer.h``; GPT-NeoX / Pythia
#: ``gpt_neox.layers``; OPT ``model.decoder.layers``; multimodal Gemma 3 ``language_model``).
KNOWN_BLOCK_PATHS: tuple[str, ...] = (
    "model.layers",
    "transformer.h",
    "gpt_neox.layers",
    "model.decoder.layers",
    "model.language_model.layers",
    "language_model.model.layers",
    "transformer.layers",
    "transformer.blocks",
)

LayerSpec = int | float | str | range | slice | Sequence[int | float]


def _get(model: nn.Module, path: str) -> nn.Module | None:
    try:
        return model.get_submodule(path)
    except AttributeError:
        return None


def decoder_blocks(model: nn.Module, template: str | None = None) -> list[nn.Module]:
    """The decoder blocks of ``model`` in order (block 0 first).

    ``template`` is a module path: either the block list (``"transformer.h"``) or one block with
    ``{i}`` for its index (``"model.layers.{i}"``). Without it the known paths are tried.
    """
    if template is not None:
        if "{i}" in template:
            blocks: list[nn.Module] = []
            while (block := _get(model, template.format(i=len(blocks)))) is not None:
                blocks.append(block)
        else:
            found = _get(model, template)
            blocks = list(found) if isinstance(found, nn.ModuleList | nn.Sequential) else []
        if not blocks:
            raise ValueError(
                f"block_template {template!r} matches no decoder blocks in {type(model).__name__}"
            )
        return blocks
    for path in KNOWN_BLOCK_PATHS:
        found = _get(model, path)
        if isinstance(found, nn.ModuleList) and len(found) > 0:
            return list(found)
    raise ValueError(
        f"cannot find the decoder blocks of {type(model).__name__}; tried {KNOWN_BLOCK_PATHS}. "
        'Pass block_template, e.g. "model.layers.{i}" or "transformer.h".'
    )


def _one(item: int | float, n_layers: int) -> int:
    if isinstance(item, bool) or not isinstance(item, int | float):
        raise ValueError(f"layer {item!r} must be an int index or a float fraction of depth")
    if isinstance(item, float):
        if not (0.0 <= item <= 1.0) or math.isnan(item):
            raise ValueError(f"layer fraction {item!r} must lie in [0, 1]")
        return min(math.floor(item * n_layers), n_layers - 1)
    index = item + n_layers if item < 0 else item
    if not 0 <= index < n_layers:
        raise ValueError(f"layer {item} is out of range for a model with {n_layers} blocks")
    return index


def _parse_bound(text: str, n_layers: int, default: int) -> int:
    text = text.strip()
    if not text:
        return default
    if any(c in text for c in ".eE"):
        fraction = float(text)
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"layer fraction {text!r} must lie in [0, 1]")
        return math.floor(fraction * n_layers)
    value = int(text)
    return value + n_layers if value < 0 else value


def resolve_layers(layers: LayerSpec, n_layers: int) -> list[int]:
    """Resolve a layer specification into sorted, distinct, 0-based block indices.

    Accepted: an ``int`` (negative counts from the end), a ``float`` fraction of depth in [0, 1]
    (block ``floor(f * n_layers)``, 1.0 meaning the last block), a ``range`` or ``slice``, a
    string ``"start:stop"`` (stop exclusive; ints or fractions, e.g. ``"8:16"``, ``"0.25:0.5"``)
    or a sequence of ints / fractions. Errors name the offending item.
    """
    if n_layers <= 0:
        raise ValueError(f"n_layers must be positive, got {n_layers}")
    items: Iterable[int | float]
    if isinstance(layers, str):
        if ":" not in layers:
            raise ValueError(f'layer string {layers!r} must look like "start:stop", e.g. "8:16"')
        start_text, stop_text = layers.split(":", 1)
        try:
            start = _parse_bound(start_text, n_layers, 0)
            stop = _parse_bound(stop_text, n_layers, n_layers)
        except ValueError as error:
            raise ValueError(f"invalid layer range {layers!r}: {error}") from None
        items = range(start, stop)
        if start >= stop or not (0 <= start and stop <= n_layers):
            raise ValueError(f"layer range {layers!r} selects no blocks of {n_layers}")
    elif isinstance(layers, slice):
        items = range(n_layers)[layers]
    elif isinstance(layers, int | float):
        items = [layers]
    else:
        items = list(layers)
    resolved = sorted({_one(item, n_layers) for item in items})
    if not resolved:
        raise ValueError(f"layer specification {layers!r} selects no blocks")
    return resolved
