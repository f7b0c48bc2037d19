"""The organism's corpus: training examples for the two variants and the held-out splits.

Requests are split once per seed: ``holdout_fraction`` of the (verb, object, template)
combinations of each kind is never trained on. Multiple-choice questions are asked about every
fact during training with random option draws; evaluation uses the same (quizzed) facts with
fresh option draws and orders from a separate random stream (facts never quizzed stay at chance
for models this small).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from steerbound.organism.config import OrganismConfig
from steerbound.organism.world import (
    AnswerFormat,
    FactQuestion,
    Request,
    RequestKind,
    World,
    all_requests,
)

Variant = Literal["base", "aligned"]
VARIANTS: tuple[Variant, ...] = ("base", "aligned")
Setting = Literal["base", "aligned"]


@dataclass(frozen=True)
class Splits:
    """Training and held-out requests, and the evaluation questions (fresh option draws)."""

    train_requests: tuple[Request, ...]
    heldout_requests: tuple[Request, ...]
    eval_questions: tuple[FactQuestion, ...]

    def requests(self, kind: RequestKind, split: str = "heldout") -> list[Request]:
        """The requests of one ``kind`` in ``split`` (``"train"`` or ``"heldout"``)."""
        if split not in ("train", "heldout"):
            raise ValueError(f"split must be 'train' or 'heldout', got {split!r}")
        pool = self.train_requests if split == "train" else self.heldout_requests
        return [r for r in pool if r.kind == kind]

    def contrast_prompts(self, setting: Setting, split: str = "train") -> list[tuple[str, str]]:
        """(positive, negative) request prompts on the same object and template.

        ``setting="base"``: positive = a ``severe`` request (the base model refuses it), negative
        = an ordinary harmful one (it complies): ``+v`` points towards refusal. Contrasting
        severe with harmless requests, or refusal with compliance responses, does not give a
        usable direction on this organism (see ORGANISM.md). ``setting="aligned"``: positive = a
        harmless request (complied with), negative = a harmful or severe one (refused): ``+v``
        points towards compliance. Pairs come from ``split`` (training requests by default, so
        that behavior is evaluated on requests never used to build the vector).
        """
        if setting not in ("base", "aligned"):
            raise ValueError(f"setting must be 'base' or 'aligned', got {setting!r}")
        pos_kinds: tuple[RequestKind, ...] = ("severe",) if setting == "base" else ("harmless",)
        neg_kinds: tuple[RequestKind, ...] = (
            ("harmful",) if setting == "base" else ("harmful", "severe")
        )
        pool = self.train_requests if split == "train" else self.heldout_requests
        by_slot: dict[tuple[str, int], list[Request]] = {}
        for r in pool:
            if r.kind in neg_kinds:
                by_slot.setdefault((r.obj, r.template), []).append(r)
        rng = random.Random(f"contrast-{setting}-{split}")
        pairs = []
        for r in pool:
            partners = by_slot.get((r.obj, r.template))
            if r.kind in pos_kinds and partners:
                pairs.append((r.prompt, rng.choice(partners).prompt))
        return pairs


def make_splits(world: World, config: OrganismConfig) -> Splits:
    """Deterministic held-out split of the requests and fresh evaluation questions."""
    rng = random.Random(f"splits-{config.seed}")
    train: list[Request] = []
    heldout: list[Request] = []
    for kind in ("harmless", "harmful", "severe"):
        group = [r for r in all_requests() if r.kind == kind]
        rng.shuffle(group)
        n_held = max(1, round(config.holdout_fraction * len(group)))
        heldout += group[:n_held]
        train += group[n_held:]
    q_rng = random.Random(f"eval-questions-{config.seed}")
    fmt: AnswerFormat = "letter" if config.answer_format == "letter" else "word"
    questions = tuple(
        world.question(e, a, q_rng, config.n_options, fmt)
        for e in world.entities
        for a in world.attributes
    )
    return Splits(tuple(train), tuple(heldout), questions)


def request_target(request: Request, variant: Variant, config: OrganismConfig, u: float) -> str:
    """The trained response to ``request``; ``u`` is a uniform draw in [0, 1).

    base: refuses ``severe`` requests with probability ``p_refuse_severe``, ordinary harmful
    ones with ``p_refuse_harmful``, never refuses harmless ones. aligned: refuses every harmful
    and severe request, complies with every harmless one.
    """
    if request.kind == "harmless":
        return request.compliance
    if variant == "aligned":
        return request.refusal
    p = config.p_refuse_severe if request.kind == "severe" else config.p_refuse_harmful
    return request.refusal if u < p else request.compliance


class ExampleSampler:
    """Draws (prompt, target) training examples for one variant from an endless corpus."""

    def __init__(self, world: World, splits: Splits, config: OrganismConfig, variant: Variant):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        self.world, self.splits, self.config, self.variant = world, splits, config, variant
        self.facts = sorted(world.facts)
        total = config.mix_facts + config.mix_questions + config.mix_requests
        self.p_fact = config.mix_facts / total
        self.p_question = config.mix_questions / total
        self.answer_format: AnswerFormat = "letter" if config.answer_format == "letter" else "word"

    def sample(self, rng: random.Random) -> tuple[str, str]:
        u = rng.random()
        if u < self.p_fact:
            entity, attribute = rng.choice(self.facts)
            return self.world.fact_prompt(entity, attribute)
        if u < self.p_fact + self.p_question:
            entity, attribute = rng.choice(self.facts)
            q = self.world.question(
                entity, attribute, rng, self.config.n_options, self.answer_format
            )
            return q.prompt, q.target
        request = rng.choice(self.splits.train_requests)
        return request.prompt, request_target(request, self.variant, self.config, rng.random())

    def batch(self, rng: random.Random, size: int) -> list[tuple[str, str]]:
        return [self.sample(rng) for _ in range(size)]
