"""Behavior and helpfulness metrics from next-token logits and from judged generations.

Inputs are logits tensors of shape ``(rows, vocab)`` (torch or numpy; one row per prompt, read at
the position that predicts the answer token). Every reduction runs in float64 with
log-softmax / log-sum-exp, so nothing overflows at large ``|r_e|``.

Answer tokens are the tokenizer's **actual** tokens in answer position (``"▁A"``, ``"ĠA"``, ...),
resolved by :func:`answer_token_ids`; looking up the bare letter ``"A"`` is a known defect of the
published code (docs/empirical.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import torch
from scipy import special

from steerbound.stats import wilson_interval

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase


def _rows64(logits: Any, name: str = "logits") -> np.ndarray:
    if isinstance(logits, torch.Tensor):
        logits = logits.detach().to("cpu", torch.float64).numpy()
    array = np.asarray(logits, dtype=np.float64)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] == 0:
        raise ValueError(f"{name} must have shape (rows, vocab), got {array.shape}")
    if np.isnan(array).any() or np.isposinf(array).any():
        raise ValueError(f"{name} contains NaN or +inf")
    return array


def _token_ids(ids: Sequence[int], vocab: int, name: str) -> np.ndarray:
    out = np.asarray(ids, dtype=np.int64).reshape(-1)
    if out.size == 0:
        raise ValueError(f"{name} is empty")
    if (out < 0).any() or (out >= vocab).any():
        raise ValueError(f"{name} has ids outside [0, {vocab})")
    return out


def answer_token_ids(
    tokenizer: PreTrainedTokenizerBase, prompt: str, answers: Sequence[str], *, separator: str = " "
) -> tuple[int, ...]:
    """The single token each answer is written as right after ``prompt`` (+ ``separator``).

    Tokenizes ``prompt`` and ``prompt + separator + answer`` without special tokens; the second
    must extend the first by exactly one token, which is returned (so ``"A"`` after ``"The answer
    is"`` gives ``"▁A"`` for SentencePiece and ``"ĠA"`` for byte-level BPE). Raises
    ``ValueError`` if the answer is several tokens, merges with the prompt's last token, maps to
    the unknown token, or two answers share a token.
    """
    base = list(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    unk = getattr(tokenizer, "unk_token_id", None)
    resolved: list[int] = []
    for answer in answers:
        full = list(tokenizer(prompt + separator + answer, add_special_tokens=False)["input_ids"])
        if full[: len(base)] != base:
            raise ValueError(
                f"answer {answer!r} is ambiguous: it changes the tokenization of the prompt's end"
            )
        extra = full[len(base) :]
        if len(extra) != 1:
            pieces = tokenizer.convert_ids_to_tokens(extra)
            raise ValueError(f"answer {answer!r} is {len(extra)} tokens after the prompt: {pieces}")
        if unk is not None and extra[0] == unk:
            raise ValueError(f"answer {answer!r} maps to the unknown token")
        resolved.append(int(extra[0]))
    if len(set(resolved)) != len(resolved):
        raise ValueError(f"answers {list(answers)} do not map to distinct tokens: {resolved}")
    return tuple(resolved)


@dataclass(frozen=True)
class LogitBehavior:
    """Per-row behavior from next-token logits (arrays of shape ``(rows,)``).

    ``p_positive``/``p_negative``: probabilities of the two token sets over the full vocabulary;
    ``behavior_full = p_positive - p_negative``; ``logit_gap = logsumexp(z[pos]) -
    logsumexp(z[neg]) = log(p_positive / p_negative)``; ``behavior = tanh(logit_gap / 2)``, the
    behavior expectation normalised over the two sets (Definition 1 with ``P(A) + P(M) = 1``).
    """

    behavior: np.ndarray
    behavior_full: np.ndarray
    logit_gap: np.ndarray
    p_positive: np.ndarray
    p_negative: np.ndarray

    @property
    def mean(self) -> float:
        return float(self.behavior.mean())


def behavior_from_logits(
    logits: Any, positive_ids: Sequence[int], negative_ids: Sequence[int]
) -> LogitBehavior:
    """Behavior expectation of ``positive_ids`` (+1) against ``negative_ids`` (-1) tokens."""
    z = _rows64(logits)
    pos = _token_ids(positive_ids, z.shape[1], "positive_ids")
    neg = _token_ids(negative_ids, z.shape[1], "negative_ids")
    if np.intersect1d(pos, neg).size:
        raise ValueError("positive_ids and negative_ids overlap")
    log_norm = special.logsumexp(z, axis=1)
    lse_pos = special.logsumexp(z[:, pos], axis=1)
    lse_neg = special.logsumexp(z[:, neg], axis=1)
    if (np.isneginf(lse_pos) & np.isneginf(lse_neg)).any():
        raise ValueError("some row gives both token sets zero probability")
    gap = lse_pos - lse_neg
    p_pos, p_neg = np.exp(lse_pos - log_norm), np.exp(lse_neg - log_norm)
    return LogitBehavior(np.tanh(gap / 2.0), p_pos - p_neg, gap, p_pos, p_neg)


@dataclass(frozen=True)
class JudgedBehavior:
    """Behavior expectation (mean of ±1) of judged generations with a Wilson interval.

    ``behavior = 2 p - 1`` with ``p = n_positive / n``; ``[ci_low, ci_high]`` is the Wilson score
    interval of ``p`` mapped through ``2 p - 1``. ``n`` counts the answers used (see ``unknown``).
    """

    behavior: float
    ci_low: float
    ci_high: float
    n: int
    n_positive: int
    n_negative: int
    n_unknown: int
    confidence: float
    method: str = "wilson"


def behavior_from_judgments(
    scores: Sequence[int] | np.ndarray,
    *,
    confidence: float = 0.95,
    unknown: Literal["exclude", "negative"] = "exclude",
) -> JudgedBehavior:
    """Behavior from judge scores in ``{-1, 0, +1}``; ``unknown`` says how zeros count.

    ``"exclude"`` drops unknowns from the mean; ``"negative"`` counts them as ``-1``
    (conservative). With no usable answer the values are NaN.
    """
    s = np.asarray(scores).reshape(-1)
    if s.size and not np.isin(s, (-1, 0, 1)).all():
        raise ValueError("scores must be in {-1, 0, +1}")
    if unknown not in ("exclude", "negative"):
        raise ValueError(f"unknown must be 'exclude' or 'negative', got {unknown!r}")
    n_pos, n_neg, n_unk = int((s == 1).sum()), int((s == -1).sum()), int((s == 0).sum())
    n = n_pos + n_neg + (n_unk if unknown == "negative" else 0)
    if n == 0:
        nan = float("nan")
        return JudgedBehavior(nan, nan, nan, 0, n_pos, n_neg, n_unk, confidence)
    low, high = wilson_interval(n_pos, n, confidence=confidence)
    return JudgedBehavior(
        2 * n_pos / n - 1, 2 * low - 1, 2 * high - 1, n, n_pos, n_neg, n_unk, confidence
    )


@dataclass(frozen=True)
class MultipleChoiceMetrics:
    """Helpfulness on multiple-choice questions (per-row arrays; means as properties).

    ``p_options``: probabilities of the options normalised over the options, shape ``(rows, k)``;
    ``p_correct_options``/``p_correct_full``: probability of the correct option's token
    normalised over the options / over the full vocabulary; ``correct_options``: the correct
    option has the largest logit among the options (ties count as wrong); ``correct_greedy``: the
    greedy next token over the full vocabulary is the correct option's token.
    """

    p_options: np.ndarray
    p_correct_options: np.ndarray
    p_correct_full: np.ndarray
    correct_options: np.ndarray
    correct_greedy: np.ndarray

    @property
    def helpfulness_options(self) -> float:
        return float(self.p_correct_options.mean())

    @property
    def helpfulness_full(self) -> float:
        return float(self.p_correct_full.mean())

    @property
    def accuracy_options(self) -> float:
        return float(self.correct_options.mean())

    @property
    def accuracy_greedy(self) -> float:
        return float(self.correct_greedy.mean())


def multiple_choice_metrics(
    logits: Any, option_ids: Sequence[int] | np.ndarray, correct: Sequence[int] | np.ndarray
) -> MultipleChoiceMetrics:
    """Helpfulness metrics from answer-position logits.

    ``option_ids``: the options' token ids, shape ``(k,)`` (same for every row, e.g. the letters
    from :func:`answer_token_ids`) or ``(rows, k)``; ``correct``: the index of the correct option
    in each row, shape ``(rows,)``.
    """
    z = _rows64(logits)
    rows, vocab = z.shape
    ids = np.asarray(option_ids, dtype=np.int64)
    ids = np.broadcast_to(ids, (rows, ids.shape[-1])) if ids.ndim == 1 else ids
    if ids.shape[0] != rows or ids.ndim != 2 or ids.shape[1] < 2:
        raise ValueError(f"option_ids must have shape (k,) or ({rows}, k) with k >= 2")
    if (ids < 0).any() or (ids >= vocab).any():
        raise ValueError(f"option_ids has ids outside [0, {vocab})")
    if any(len(set(r)) != len(r) for r in ids.tolist()):
        raise ValueError("option_ids repeats a token within a row")
    c = np.asarray(correct, dtype=np.int64).reshape(-1)
    if c.shape != (rows,) or (c < 0).any() or (c >= ids.shape[1]).any():
        raise ValueError(f"correct must have shape ({rows},) with values in [0, {ids.shape[1]})")
    r = np.arange(rows)
    opt = np.take_along_axis(z, ids, axis=1)
    log_p_opt = opt - special.logsumexp(opt, axis=1, keepdims=True)
    log_p_full = z[r, ids[r, c]] - special.logsumexp(z, axis=1)
    best = opt.max(axis=1)
    unique_best = (opt == best[:, None]).sum(axis=1) == 1
    return MultipleChoiceMetrics(
        p_options=np.exp(log_p_opt),
        p_correct_options=np.exp(log_p_opt[r, c]),
        p_correct_full=np.exp(log_p_full),
        correct_options=(opt[r, c] == best) & unique_best,
        correct_greedy=z.argmax(axis=1) == ids[r, c],
    )
