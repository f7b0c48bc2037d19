"""Steering vectors: per-layer directions plus a manifest that says exactly what they are.

Conventions (docs/conventions.md): ``directions[l]`` is added, times ``r_e``, to the output of
decoder block ``l`` (0-based), i.e. to ``hidden_states[l + 1]``; ``+v`` points towards the
*positive* examples; vectors were read at the last non-pad token. Directions are unit norm
unless ``manifest.scale`` says otherwise. Saved as ``vector.safetensors`` + ``manifest.json``
in one directory (no pickle).
"""

from __future__ import annotations

import dataclasses
import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from steerbound import __version__
from steerbound._codec import decode
from steerbound.empirical.model.blocks import decoder_blocks
from steerbound.empirical.model.loading import hidden_size, model_identity

if TYPE_CHECKING:
    from transformers import PreTrainedModel


LAYER_CONVENTION = "0-based decoder block index; adds to block output = hidden_states[l+1]"
TOKEN_POSITION = "last_non_pad"
SIGN_CONVENTION = "+ = towards the positive examples"
TENSORS_FILE, MANIFEST_FILE = "vector.safetensors", "manifest.json"


@dataclass
class VectorManifest:
    """What a :class:`SteeringVector` is: provenance, conventions and per-layer statistics.

    ``mean_residual_norm[l]`` is the mean L2 norm of block ``l``'s output at the read position
    over the extraction prompts (so ``r_e`` can be quoted in residual-norm units);
    ``scale[l]`` is the L2 norm of ``directions[l]`` (1.0 = unit); ``read_accuracy[l]`` is the
    fraction of pairs (held out unless ``read_accuracy_split == "train"``) whose positive
    prompt projects higher than its negative one.
    """

    model_id: str
    hidden_size: int
    n_layers: int
    layers: list[int]
    method: str
    model_revision: str | None = None
    layer_convention: str = LAYER_CONVENTION
    token_position: str = TOKEN_POSITION
    padding_side: str = "right"
    template: str | None = None
    sign_convention: str = SIGN_CONVENTION
    dataset_hash: str | None = None
    n_pairs: int = 0
    mean_residual_norm: dict[int, float] = field(default_factory=dict)
    scale: dict[int, float] = field(default_factory=dict)
    read_accuracy: dict[int, float] = field(default_factory=dict)
    read_accuracy_split: str = "heldout"
    steerbound_version: str = __version__

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("mean_residual_norm", "scale", "read_accuracy"):
            data[key] = {str(k): v for k, v in data[key].items()}
        return data

    @classmethod
    def from_json(cls, data: Any, source: str = "manifest") -> VectorManifest:
        """The manifest from its JSON object; errors name ``source`` and the field."""
        return decode(cls, data, source, what="manifest ")


@dataclass
class SteeringVector:
    """Per-layer steering directions ``{block index: (hidden,) tensor}`` and their manifest."""

    directions: dict[int, torch.Tensor]
    manifest: VectorManifest

    def __post_init__(self) -> None:
        if not self.directions:
            raise ValueError("a SteeringVector needs at least one layer direction")
        for layer, direction in self.directions.items():
            if direction.ndim != 1 or direction.shape[0] != self.manifest.hidden_size:
                raise ValueError(
                    f"direction of layer {layer} has shape {tuple(direction.shape)}, "
                    f"expected ({self.manifest.hidden_size},)"
                )
        for layer, direction in self.directions.items():
            check_finite_direction(layer, direction)
        if sorted(self.directions) != sorted(self.manifest.layers):
            raise ValueError(
                f"directions cover layers {sorted(self.directions)} but the manifest says "
                f"{sorted(self.manifest.layers)}"
            )

    @property
    def layers(self) -> list[int]:
        return sorted(self.directions)

    def _replace(self, directions: dict[int, torch.Tensor], **changes: Any) -> SteeringVector:
        manifest = dataclasses.replace(self.manifest, **changes)
        manifest.scale = {l: float(d.float().norm()) for l, d in directions.items()}
        return SteeringVector(directions, manifest)

    def scaled(self, factor: float | dict[int, float]) -> SteeringVector:
        """A copy with ``directions[l] * factor`` (a float, or one factor per layer)."""
        factors = factor if isinstance(factor, dict) else dict.fromkeys(self.directions, factor)
        missing = sorted(set(self.directions) - set(factors))
        if missing:
            raise ValueError(f"scaled: no factor for layer(s) {missing}")
        return self._replace({l: d * float(factors[l]) for l, d in self.directions.items()})

    def scaled_to_residual_norm(self, kappa: float) -> SteeringVector:
        """A copy whose layer-``l`` direction has norm ``kappa * mean_residual_norm[l]``."""
        norms = self.manifest.mean_residual_norm
        missing = sorted(set(self.directions) - set(norms))
        if missing:
            raise ValueError(f"manifest has no mean_residual_norm for layer(s) {missing}")
        current = {l: float(d.float().norm()) for l, d in self.directions.items()}
        return self.scaled({l: kappa * norms[l] / current[l] for l in self.directions})

    def with_layers(self, layers: list[int] | tuple[int, ...]) -> SteeringVector:
        """A copy restricted to ``layers`` (each must be one of this vector's layers)."""
        missing = sorted(set(layers) - set(self.directions))
        if missing:
            raise ValueError(f"with_layers: vector has no direction for layer(s) {missing}")
        keep = sorted(set(layers))
        m = self.manifest
        return self._replace(
            {l: self.directions[l] for l in keep},
            layers=keep,
            mean_residual_norm={l: v for l, v in m.mean_residual_norm.items() if l in keep},
            read_accuracy={l: v for l, v in m.read_accuracy.items() if l in keep},
        )

    def to(
        self, device: str | torch.device | None = None, dtype: torch.dtype | None = None
    ) -> SteeringVector:
        """A copy with every direction moved to ``device`` / cast to ``dtype``."""
        moved = {l: d.to(device=device, dtype=dtype) for l, d in self.directions.items()}
        return SteeringVector(moved, dataclasses.replace(self.manifest))

    def save(self, path: str | Path) -> Path:
        """Write ``path/vector.safetensors`` and ``path/manifest.json``; returns ``path``."""
        from safetensors.torch import save_file

        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        tensors = {f"layer.{l}": d.detach().cpu().contiguous() for l, d in self.directions.items()}
        save_file(tensors, str(out / TENSORS_FILE), metadata={"format": "steerbound-vector"})
        text = json.dumps(self.manifest.to_json(), indent=2, sort_keys=True)
        (out / MANIFEST_FILE).write_text(text + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, path: str | Path, *, model: PreTrainedModel | None = None) -> SteeringVector:
        """Read a vector saved by :meth:`save`; with ``model``, check it fits that model.

        Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming the file and
        field for a malformed manifest, a tensor/manifest mismatch, a hidden size that differs
        from the model's or a layer the model does not have.
        """
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        root = Path(path)
        manifest_path, tensors_path = root / MANIFEST_FILE, root / TENSORS_FILE
        for required in (manifest_path, tensors_path):
            if not required.is_file():
                raise FileNotFoundError(f"steering vector file {required} does not exist")
        try:
            data = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{manifest_path}: invalid JSON: {error}") from None
        manifest = VectorManifest.from_json(data, str(manifest_path))
        try:
            tensors = load_file(str(tensors_path))
        except SafetensorError as error:
            raise ValueError(f"{tensors_path}: unreadable safetensors file: {error}") from None
        directions: dict[int, torch.Tensor] = {}
        for key, tensor in tensors.items():
            if not key.startswith("layer.") or not key[6:].isdigit():
                raise ValueError(f"{tensors_path}: unexpected tensor {key!r}")
            directions[int(key[6:])] = tensor
            check_finite_direction(int(key[6:]), tensor, source=str(tensors_path))
        try:
            vector = cls(directions, manifest)
        except ValueError as error:
            raise ValueError(f"{root}: {error}") from None
        if model is not None:
            vector.check_compatible(model, source=str(root))
        return vector

    def check_compatible(
        self,
        model: PreTrainedModel,
        *,
        block_template: str | None = None,
        source: str = "vector",
        force: bool = False,
    ) -> None:
        """Raise ``ValueError`` if ``model``'s hidden size or block count does not fit, or if the
        manifest names another model (id or depth, :func:`model_mismatches`) unless ``force``
        (then a warning)."""

        width = hidden_size(model)
        if width != self.manifest.hidden_size:
            raise ValueError(
                f"{source}: hidden_size {self.manifest.hidden_size} does not match the model's "
                f"hidden size {width} ({self.manifest.model_id} vs {type(model).__name__})"
            )
        n_blocks = len(decoder_blocks(model, block_template))
        bad = [l for l in self.directions if not 0 <= l < n_blocks]
        if bad:
            raise ValueError(
                f"{source}: layer(s) {bad} do not exist in a model with {n_blocks} blocks"
            )
        check_model_match(self, model, block_template=block_template, source=source, force=force)


def check_finite_direction(layer: int, direction: torch.Tensor, source: str = "") -> None:
    """Raise ``ValueError`` naming ``source`` (the vector file) and the layer if ``direction``
    holds a NaN or an infinity."""
    finite = torch.isfinite(direction.detach())
    if not bool(finite.all()):
        bad = int((~finite).sum())
        where = f"{source}: " if source else ""
        raise ValueError(
            f"{where}direction of layer {layer} has {bad} non-finite value(s) (NaN or inf)"
        )


def _same_model_id(a: str, b: str) -> bool:
    if a == b:
        return True
    if os.path.exists(a) and os.path.exists(b):
        return os.path.realpath(a) == os.path.realpath(b)
    return a.rstrip("/") == b.rstrip("/")


def model_mismatches(
    vector: SteeringVector, model: PreTrainedModel, *, block_template: str | None = None
) -> list[str]:
    """How ``vector``'s manifest differs from ``model``: model id, depth (blocks), width."""
    m = vector.manifest
    found = []
    model_id = model_identity(model)[0]
    if not _same_model_id(m.model_id, model_id):
        found.append(f"model_id {m.model_id!r} vs the model's {model_id!r}")
    n_blocks = len(decoder_blocks(model, block_template))
    if m.n_layers != n_blocks:
        found.append(f"n_layers {m.n_layers} vs the model's {n_blocks} blocks")
    width = hidden_size(model)
    if m.hidden_size != width:
        found.append(f"hidden_size {m.hidden_size} vs the model's {width}")
    return found


def check_model_match(
    vector: SteeringVector,
    model: PreTrainedModel,
    *,
    block_template: str | None = None,
    source: str = "vector",
    force: bool = False,
) -> None:
    """Raise ``ValueError`` naming ``source`` if ``vector`` was made for another model (id, depth
    or width, :func:`model_mismatches`); with ``force`` only warn (a width mismatch is still an
    error, raised by :meth:`SteeringVector.check_compatible` before this check)."""
    found = model_mismatches(vector, model, block_template=block_template)
    if not found:
        return
    text = f"{source}: the vector's manifest does not match the model: " + "; ".join(found)
    if not force:
        raise ValueError(
            text + " (pass force=True, or set [vector].force_model_mismatch = true, to apply it)"
        )
    warnings.warn(text + " (forced)", stacklevel=3)
