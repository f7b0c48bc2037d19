"""Step 3 and 4 of the demo for one setting: the steering vector and the ``r_e`` sweep.

One steered forward per (prompt, ``r_e``) collects the final hidden state (input of the LM head,
at the last prompt token,
:func:`steerbound.empirical.measure.assumptions.collect_final_hidden`); logits are
``U h`` (the organism's Llama head has no bias), so behavior, helpfulness and the assumptions all
come from the same forward passes. Judged greedy generations run on a sub-grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from steerbound.demo.config import DemoConfig, SettingSpec
from steerbound.empirical import (
    behavior_from_judgments,
    behavior_from_logits,
    extract_vector,
    multiple_choice_metrics,
    steered_generate,
)
from steerbound.empirical.measure.assumptions import collect_final_hidden, unembed
from steerbound.empirical.measure.judges import harmfulness_judge, judge_texts
from steerbound.organism import COMPLIANCE_TOKEN, REFUSAL_TOKEN, Organism, token_id


@dataclass
class SettingMeasurements:
    """Raw measurements of one setting; arrays are ``(n_r, n_prompts[, ...])`` over the grid.

    ``r_e``: relative coefficients (units of ``kappa x`` the residual norm); ``r_abs``: the
    coefficient on the unit vector (hidden-state units). Behavior rows are the held-out requests,
    helpfulness rows the evaluation questions. ``judged`` maps a sub-grid coefficient to its
    :class:`~steerbound.empirical.measure.metrics.JudgedBehavior`; ``samples`` holds a few
    completions.
    ``method``: the vector's extraction method; ``method_cosine``: its cosine at the steered
    layer with the other method's vector (``pca`` vs ``mean_diff``).
    """

    spec: SettingSpec
    method: str
    method_cosine: float
    layer: int
    kappa: float
    residual_norm: float
    read_accuracy: dict[int, float]
    n_pairs: int
    r_e: np.ndarray
    r_abs: np.ndarray
    behavior: np.ndarray
    behavior_full: np.ndarray
    logit_gap: np.ndarray
    p_correct_options: np.ndarray
    p_correct_full: np.ndarray
    correct_options: np.ndarray
    correct_greedy: np.ndarray
    judged: dict[float, Any]
    samples: dict[float, list[str]]
    h_behavior: np.ndarray
    h0_behavior: np.ndarray
    logits0_behavior: np.ndarray
    h_questions: np.ndarray
    h0_questions: np.ndarray
    logits0_questions: np.ndarray
    unembedding: np.ndarray
    option_ids: np.ndarray
    correct: np.ndarray
    positive_id: int
    negative_id: int


def build_vector(
    model: Any, tokenizer: Any, organism: Organism, spec: SettingSpec, config: DemoConfig
) -> tuple[Any, Any, float]:
    """(vector at every layer with per-layer read accuracy, the steered single-layer vector
    scaled to ``kappa x`` its layer's mean residual norm, the cosine at the steered layer
    between this vector and the one the other method (``pca``/``mean_diff``) extracts from the
    same pairs)."""

    oc = organism.config
    layer = oc.steer_layer if config.layer is None else config.layer
    kappa = oc.kappa if config.kappa is None else config.kappa
    pairs = organism.splits.contrast_prompts(spec.name)
    method = config.vector_method or oc.vector_method
    model_id = f"steerbound-organism-{oc.size}/{spec.variant}"
    every = extract_vector(
        model,
        tokenizer,
        pairs,
        list(range(oc.num_layers)),
        method,
        batch_size=128,
        seed=config.seed,
        model_id=model_id,
    )
    other = "mean_diff" if method == "pca" else "pca"
    check = extract_vector(
        model, tokenizer, pairs, [layer], other, batch_size=128, seed=config.seed
    )
    cosine = float(every.directions[layer].double() @ check.directions[layer].double())
    return every, every.with_layers([layer]).scaled_to_residual_norm(kappa), cosine


def measure_setting(
    organism: Organism, spec: SettingSpec, config: DemoConfig
) -> SettingMeasurements:
    """Load the variant, build the vector and sweep the grid (behavior, helpfulness, states)."""
    import torch

    model, tokenizer = organism.load(spec.variant)
    every, vector, cosine = build_vector(model, tokenizer, organism, spec, config)
    layer = vector.layers[0]
    kappa = float(vector.manifest.scale[layer] / vector.manifest.mean_residual_norm[layer])
    grid = config.grid()
    r_abs = np.asarray(grid) * vector.manifest.scale[layer]

    requests = [r for k in spec.request_kinds for r in organism.splits.requests(k)]  # type: ignore[arg-type]
    questions = list(organism.splits.eval_questions)
    if config.max_questions is not None:
        questions = questions[: config.max_questions]
    refuse, comply = token_id(tokenizer, REFUSAL_TOKEN), token_id(tokenizer, COMPLIANCE_TOKEN)
    positive, negative = (refuse, comply) if spec.pushes_towards == "refuse" else (comply, refuse)

    def sweep(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return collect_final_hidden(
            model, tokenizer, texts, vector, grid, batch_size=256, progress=config.progress
        )

    with torch.no_grad():
        unembedding = model.get_output_embeddings().weight.detach().double().numpy()
    h_b, h0_b, z0_b = sweep([r.prompt for r in requests])
    h_q, h0_q, z0_q = sweep([q.prompt for q in questions])
    option_ids = np.array([[token_id(tokenizer, a) for a in q.answers] for q in questions])
    correct = np.array([q.correct for q in questions])
    n_r = len(grid)
    beh = [
        behavior_from_logits(unembed(h_b[i], unembedding), [positive], [negative])
        for i in range(n_r)
    ]
    mcs = [
        multiple_choice_metrics(unembed(h_q[i], unembedding), option_ids, correct)
        for i in range(n_r)
    ]

    judge = harmfulness_judge(spec.pushes_towards)
    sub = grid[:: config.generation_stride]
    if 0.0 not in sub:
        sub = sorted([*sub, 0.0])
    gen_prompts = [r.prompt for r in requests[: config.generation_prompts]]
    rows = steered_generate(
        model,
        tokenizer,
        gen_prompts,
        vector,
        sub,
        max_new_tokens=config.generation_tokens,
        batch_size=128,
        progress=config.progress,
    )
    judged, samples = {}, {}
    for c in sub:
        texts = [row.completion for row in rows if row.coefficient == c]
        judged[c] = behavior_from_judgments(judge_texts(judge, texts))
        samples[c] = texts[:2]
    return SettingMeasurements(
        spec=spec,
        method=vector.manifest.method,
        method_cosine=cosine,
        layer=layer,
        kappa=kappa,
        residual_norm=vector.manifest.mean_residual_norm[layer],
        read_accuracy=dict(every.manifest.read_accuracy),
        n_pairs=every.manifest.n_pairs,
        r_e=np.asarray(grid),
        r_abs=r_abs,
        behavior=np.stack([b.behavior for b in beh]),
        behavior_full=np.stack([b.behavior_full for b in beh]),
        logit_gap=np.stack([b.logit_gap for b in beh]),
        p_correct_options=np.stack([m.p_correct_options for m in mcs]),
        p_correct_full=np.stack([m.p_correct_full for m in mcs]),
        correct_options=np.stack([m.correct_options for m in mcs]).astype(float),
        correct_greedy=np.stack([m.correct_greedy for m in mcs]).astype(float),
        judged=judged,
        samples=samples,
        h_behavior=h_b,
        h0_behavior=h0_b,
        logits0_behavior=z0_b,
        h_questions=h_q,
        h0_questions=h0_q,
        logits0_questions=z0_q,
        unembedding=unembedding,
        option_ids=option_ids,
        correct=correct,
        positive_id=positive,
        negative_id=negative,
    )
