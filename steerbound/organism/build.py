"""Build (train) or load the cached model organism.

Cache layout: ``<cache_root()>/organism/<size>-<cache_key>/`` holding ``base/`` and ``aligned/``
(each a Hugging Face model directory with its tokenizer: ``AutoModelForCausalLM.from_pretrained``
and ``AutoTokenizer.from_pretrained`` load it), ``organism.json`` (config, training losses and
times, diagnostics, library versions), ``world.json`` and ``splits.json`` (the data, for
inspection). A build is written to a temporary sibling directory and renamed into place, so an
interrupted run never leaves a half-written organism behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steerbound.cache import cache_root
from steerbound.organism.config import OrganismConfig
from steerbound.organism.corpus import VARIANTS, ExampleSampler, Splits, make_splits
from steerbound.organism.world import World, make_world

INFO_FILE = "organism.json"


@dataclass(frozen=True)
class Organism:
    """Handle on a trained organism: its config, directory, world and evaluation splits.

    ``trained_now`` is True when this call trained it (False when loaded from the cache);
    ``info`` is the parsed ``organism.json``.
    """

    config: OrganismConfig
    root: Path
    world: World = field(repr=False)
    splits: Splits = field(repr=False)
    trained_now: bool
    info: dict[str, Any] = field(repr=False)

    def model_dir(self, variant: str) -> Path:
        """The Hugging Face model directory of ``variant`` (``"base"`` or ``"aligned"``)."""
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        return self.root / variant

    def load(self, variant: str) -> tuple[Any, Any]:
        """(model in eval mode, tokenizer) of ``variant``, loaded with ``from_pretrained``."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        path = self.model_dir(variant)
        model = AutoModelForCausalLM.from_pretrained(path)
        model.eval()
        return model, AutoTokenizer.from_pretrained(path)


def organism_dir(config: OrganismConfig, cache_dir: Path | str | None = None) -> Path:
    """Where the organism of ``config`` lives (``cache_dir`` overrides :func:`cache_root`)."""
    base = Path(cache_dir) if cache_dir is not None else cache_root()
    return base / "organism" / f"{config.size}-{config.cache_key()}"


def get_organism(
    size: str = "default",
    *,
    seed: int = 0,
    retrain: bool = False,
    cache_dir: Path | str | None = None,
    progress: bool = True,
    config: OrganismConfig | None = None,
    **overrides: Any,
) -> Organism:
    """The organism of ``size`` (or of an explicit ``config``): from the cache, else trained.

    ``retrain=True`` trains even when a cached copy exists (and replaces it). ``overrides`` are
    :class:`OrganismConfig` fields (e.g. ``base_steps=200``). ``progress`` shows tqdm bars.
    """
    if config is None:
        config = OrganismConfig.from_size(size, seed=seed, **overrides)
    elif overrides:
        raise ValueError("pass either config or field overrides, not both")
    root = organism_dir(config, cache_dir)
    world = make_world(config.n_entities, config.n_attributes, config.seed)
    splits = make_splits(world, config)
    info_path = root / INFO_FILE
    if info_path.is_file() and not retrain:
        info = json.loads(info_path.read_text())
        return Organism(config, root, world, splits, trained_now=False, info=info)
    info = _train_and_save(config, world, splits, root, progress=progress)
    return Organism(config, root, world, splits, trained_now=True, info=info)


def _versions() -> dict[str, str]:
    import tokenizers
    import torch
    import transformers

    from steerbound import __version__

    return {
        "steerbound": __version__,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
    }


def _train_and_save(
    config: OrganismConfig, world: World, splits: Splits, root: Path, *, progress: bool
) -> dict[str, Any]:
    from steerbound.organism.evaluate import diagnose
    from steerbound.organism.tokenizer import build_word_tokenizer
    from steerbound.organism.train import build_model, train_variant

    start = time.perf_counter()
    tokenizer = build_word_tokenizer(world.all_texts())
    model = build_model(config, tokenizer)
    tmp = root.with_name(f"{root.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    logs, diagnostics = {}, {}
    try:
        for variant in VARIANTS:  # base first; aligned fine-tunes the base weights
            sampler = ExampleSampler(world, splits, config, variant)
            logs[variant] = train_variant(
                model, tokenizer, sampler, config, variant, progress=progress
            )
            diagnostics[variant] = diagnose(model, tokenizer, splits)
            _save(model, tokenizer, tmp / variant, progress=progress)
        info = {
            "config": config.to_dict(),
            "cache_key": config.cache_key(),
            "n_parameters": sum(p.numel() for p in model.parameters()),
            "vocab_size": len(tokenizer),
            "train_seconds": time.perf_counter() - start,
            "training": {v: dataclasses.asdict(log) for v, log in logs.items()},
            "diagnostics": diagnostics,
            "versions": _versions(),
        }
        (tmp / "world.json").write_text(json.dumps(_world_record(world), indent=1))
        (tmp / "splits.json").write_text(json.dumps(_splits_record(splits), indent=1))
        (tmp / INFO_FILE).write_text(json.dumps(info, indent=1))
        if root.exists():
            shutil.rmtree(root)
        os.replace(tmp, root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return info


def _save(model: Any, tokenizer: Any, path: Path, *, progress: bool) -> None:
    from transformers.utils import logging as hf_logging

    shown = hf_logging.is_progress_bar_enabled()
    if not progress:
        hf_logging.disable_progress_bar()
    try:
        model.save_pretrained(path)
        tokenizer.save_pretrained(path)
    finally:
        if shown:
            hf_logging.enable_progress_bar()


def _world_record(world: World) -> dict[str, Any]:
    return {
        "entities": list(world.entities),
        "attributes": {a: list(v) for a, v in world.attributes.items()},
        "facts": [{"entity": e, "attribute": a, "value": v} for (e, a), v in world.facts.items()],
    }


def _splits_record(splits: Splits) -> dict[str, Any]:
    def req(r: Any) -> dict[str, Any]:
        return {"prompt": r.prompt, "kind": r.kind, "verb": r.verb, "object": r.obj}

    return {
        "train_requests": [req(r) for r in splits.train_requests],
        "heldout_requests": [req(r) for r in splits.heldout_requests],
        "eval_questions": [
            {"prompt": q.prompt, "options": list(q.options), "correct": q.correct}
            for q in splits.eval_questions
        ],
    }
