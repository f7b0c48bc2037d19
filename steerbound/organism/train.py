"""Training the organism: a small ``LlamaForCausalLM`` from scratch on CPU, loss on answers only.

Determinism: weights are initialised under ``torch.manual_seed(seed)``, batches are drawn from
``random.Random`` streams keyed by the seed and the variant, and training runs on one CPU thread,
so one configuration with one torch build yields bit-identical weights.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerBase

from steerbound.organism.config import OrganismConfig
from steerbound.organism.corpus import ExampleSampler, Variant

IGNORE_INDEX = -100


@dataclass
class TrainLog:
    """What one training phase did: losses per step (mean token cross-entropy, nats), seconds."""

    variant: str
    steps: int
    lr: float
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def final_loss(self) -> float:
        """Mean loss over the last 10% of steps (nats per answer token)."""
        tail = self.losses[-max(1, len(self.losses) // 10) :]
        return float(sum(tail) / len(tail)) if tail else float("nan")


def build_model(config: OrganismConfig, tokenizer: PreTrainedTokenizerBase) -> LlamaForCausalLM:
    """A freshly initialised Llama of the configured size (seeded by ``config.seed``)."""
    torch.manual_seed(config.seed)
    llama = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden_size,
        intermediate_size=config.intermediate_size,
        num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads,
        num_key_value_heads=config.num_heads,
        max_position_embeddings=128,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    return LlamaForCausalLM(llama)


def encode_examples(
    tokenizer: PreTrainedTokenizerBase, examples: Sequence[tuple[str, str]]
) -> dict[str, torch.Tensor]:
    """Right-padded ``input_ids``, ``attention_mask`` and ``labels`` (prompt and pad ignored).

    Each example is ``<bos> prompt target <eos>``; only the target and ``<eos>`` carry loss.
    """
    rows: list[tuple[list[int], list[int]]] = []
    for prompt, target in examples:
        p = tokenizer(prompt, add_special_tokens=True)["input_ids"]
        t = tokenizer(target, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        rows.append((p + t, [IGNORE_INDEX] * len(p) + t))
    width = max(len(ids) for ids, _ in rows)
    pad = tokenizer.pad_token_id
    input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (ids, lab) in enumerate(rows):
        input_ids[i, : len(ids)] = torch.tensor(ids)
        labels[i, : len(lab)] = torch.tensor(lab)
        mask[i, : len(ids)] = 1
    return {"input_ids": input_ids, "attention_mask": mask, "labels": labels}


def _lr_factor(step: int, steps: int, warmup: int) -> float:
    """Linear warmup over ``warmup`` steps, then cosine decay to 10% of the peak."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress))


def train_variant(
    model: LlamaForCausalLM,
    tokenizer: PreTrainedTokenizerBase,
    sampler: ExampleSampler,
    config: OrganismConfig,
    variant: Variant,
    *,
    progress: bool = True,
) -> TrainLog:
    """Train ``model`` in place on ``sampler``'s corpus with AdamW; a tqdm bar shows the loss."""
    steps, lr = (
        (config.base_steps, config.base_lr)
        if variant == "base"
        else (config.aligned_steps, config.aligned_lr)
    )
    log = TrainLog(variant=variant, steps=steps, lr=lr)
    if steps == 0:
        return log
    torch.manual_seed(config.seed + (0 if variant == "base" else 1))
    rng = random.Random(f"train-{variant}-{config.seed}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.98))
    warmup = min(config.warmup_steps, steps // 2) if variant == "base" else 0
    model.train()
    start = time.perf_counter()
    # Once the loss is near 0, gradients and Adam moments underflow into denormal floats, which
    # slow CPU arithmetic by ~50x: flush them to zero while training (restored afterwards).
    # One intra-op thread: these matrices are too small to gain from more, the result does not
    # depend on the machine's core count, and a second thread on a busy machine costs up to 10x.
    threads = torch.get_num_threads()
    torch.set_flush_denormal(True)
    torch.set_num_threads(1)
    try:
        _run_steps(model, tokenizer, sampler, config, optimizer, rng, log, warmup, progress)
    finally:
        torch.set_flush_denormal(False)
        torch.set_num_threads(threads)
    model.eval()
    log.seconds = time.perf_counter() - start
    return log


def _run_steps(
    model: LlamaForCausalLM,
    tokenizer: PreTrainedTokenizerBase,
    sampler: ExampleSampler,
    config: OrganismConfig,
    optimizer: torch.optim.Optimizer,
    rng: random.Random,
    log: TrainLog,
    warmup: int,
    progress: bool,
) -> None:
    from tqdm.auto import tqdm

    steps, lr = log.steps, log.lr
    bar = tqdm(range(steps), desc=f"training {log.variant} organism", disable=not progress)
    for step in bar:
        for group in optimizer.param_groups:
            group["lr"] = lr * _lr_factor(step, steps, max(1, warmup))
        batch = encode_examples(tokenizer, sampler.batch(rng, config.batch_size))
        loss = model(**batch).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        log.losses.append(float(loss.detach()))
        if step % 10 == 0 or step == steps - 1:
            bar.set_postfix(loss=f"{log.losses[-1]:.3f}")
    bar.close()
