"""Measurements of the paper's Assumptions 1-3 and Theorem 2's parameters on a real model.

The statements are those of docs/theorem_sheet.md. Inputs are plain arrays (numpy or torch;
converted to float64):

* ``r_e``: the coefficient grid, shape ``(n_r,)``;
* ``h_steered``: final hidden states at the readout position for every coefficient, shape
  ``(n_r, n_q, d)``; ``h0``: the unsteered ones, shape ``(n_q, d)``. "Final hidden state" is
  the input of the unembedding (after the final norm), so that logits are ``U h`` (a bias of
  the output layer cancels in every difference used here); :func:`collect_final_hidden`
  gathers both from a model;
* ``U``: the unembedding matrix, shape ``(vocab, d)`` (row ``t`` is ``u_t``; numpy or torch,
  possibly on a GPU, never copied whole to float64: products with ``U`` run in chunks of
  :data:`CHUNK_ROWS` vocabulary rows).

``delta(r_e) = h_steered - h0``. Points with ``r_e = 0`` (where ``delta = 0`` and its direction is
undefined) are dropped from direction-based measurements. Under the linearized Assumption 1,
``delta = lam r_e v``, so ``delta/||delta|| = sign(r_e) v``: Assumption 2 projections are
**oriented** (multiplied by ``sign(r_e)``) so both signs of ``r_e`` estimate the same ``Delta``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy import special, stats
from tqdm.auto import tqdm
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from steerbound.empirical.analysis.fits import LinearFit, linear_fit
from steerbound.empirical.model.forward import encode_prompts, steered_forward
from steerbound.empirical.vectors.vector import SteeringVector
from steerbound.theory import Theorem2Parameters, theorem2_parameters

# ----------------------------------------------------------------------------- float64 helpers
CHUNK_ROWS = 8192


def as_float64(x: Any, name: str, ndim: int) -> np.ndarray:
    """``x`` (numpy or torch) as a finite float64 array with ``ndim`` dimensions, else a
    ``ValueError`` naming ``name``."""
    if isinstance(x, torch.Tensor):
        x = x.detach().to("cpu", torch.float64).numpy()
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or inf")
    return a


def _u_torch(U: Any) -> torch.Tensor:
    if not isinstance(U, torch.Tensor):
        a = np.asarray(U)
        U = torch.from_numpy(a if a.flags.writeable else a.copy())
    if U.ndim != 2:
        raise ValueError(f"U must have shape (vocab, d), got {tuple(U.shape)}")
    return U.detach()


def unembedding_rows(U: Any, ids: Any) -> np.ndarray:
    """Rows ``U[ids]`` as float64 numpy (``ids`` of any shape; result ``ids.shape + (d,)``)."""
    index = torch.from_numpy(np.array(ids, dtype=np.int64))  # a copy: always writable
    u = _u_torch(U)
    return u[index.to(u.device)].to("cpu", torch.float64).numpy()


def unembed(h: Any, U: Any) -> np.ndarray:
    """Logits ``h @ U.T`` in float64, computed in vocabulary chunks; ``h``: ``(n, d)``."""
    u = _u_torch(U)
    hh = torch.tensor(as_float64(h, "h", 2), device=u.device)
    out = [u[i : i + CHUNK_ROWS].to(torch.float64) @ hh.T for i in range(0, u.shape[0], CHUNK_ROWS)]
    return torch.cat(out).T.cpu().numpy()


def unembedding_gram(U: Any) -> np.ndarray:
    """``U.T @ U`` in float64 (``(d, d)``), so that ``||U x||^2 = x @ G @ x``."""
    u = _u_torch(U)
    gram = torch.zeros((u.shape[1], u.shape[1]), dtype=torch.float64, device=u.device)
    for i in range(0, u.shape[0], CHUNK_ROWS):
        chunk = u[i : i + CHUNK_ROWS].to(torch.float64)
        gram += chunk.T @ chunk
    return gram.cpu().numpy()


def hidden_deltas(r_e: Any, h_steered: Any, h0: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(r_e, delta)`` with ``delta = h_steered - h0`` of shape ``(n_r, n_q, d)``."""
    r = as_float64(r_e, "r_e", 1)
    hs, base = as_float64(h_steered, "h_steered", 3), as_float64(h0, "h0", 2)
    if hs.shape[0] != r.size or hs.shape[1:] != base.shape:
        raise ValueError(
            f"h_steered must have shape (len(r_e), n_q, d) = ({r.size}, *{base.shape}), "
            f"got {hs.shape}"
        )
    return r, hs - base[None]


def nonzero_deltas(r_e: Any, h_steered: Any, h0: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(r_e, delta, ||delta||)`` at the nonzero coefficients only (the direction of ``delta``
    is undefined at ``r_e = 0``); norms have shape ``(n_r, n_q)``. A zero ``delta`` at a nonzero
    ``r_e`` is a ``ValueError``."""
    r, delta = hidden_deltas(r_e, h_steered, h0)
    keep = r != 0
    r, delta = r[keep], delta[keep]
    norms = np.linalg.norm(delta, axis=-1)
    if (norms == 0).any():
        raise ValueError("delta is exactly zero at a nonzero r_e: the direction is undefined")
    return r, delta, norms


def reference_index(r: np.ndarray, reference_r: float | None) -> int:
    """Index of ``reference_r`` in ``r`` (default: the smallest positive coefficient)."""
    if reference_r is None:
        positive = np.flatnonzero(r > 0)
        if positive.size == 0:
            raise ValueError("r_e has no positive value to use as the reference coefficient")
        return int(positive[np.argmin(r[positive])])
    hits = np.flatnonzero(np.isclose(r, reference_r))
    if hits.size == 0 or reference_r == 0:
        raise ValueError(f"reference_r={reference_r} is not a nonzero value of r_e")
    return int(hits[0])


# ----------------------------------------------------------------------------- Assumption 1
@dataclass(frozen=True)
class SideFits:
    """Fits of a quantity against ``|r_e|`` separately for ``r_e > 0`` and ``r_e < 0`` (both
    slopes are positive for a norm that grows like ``lam |r_e|``); ``None`` if a side has no
    point. ``max_abs_r``: the fit window (``None``: all points)."""

    positive: LinearFit | None
    negative: LinearFit | None
    max_abs_r: float | None = None


def side_fits(
    r_e: np.ndarray, y: np.ndarray, *, through_origin: bool = True, max_abs_r: float | None = None
) -> SideFits:
    """:class:`SideFits` of ``y`` (``(n_r,)``) against ``|r_e|`` within ``|r_e| <= max_abs_r``."""
    window = np.ones(r_e.shape, bool) if max_abs_r is None else np.abs(r_e) <= max_abs_r
    fits = []
    for mask in (window & (r_e > 0), window & (r_e < 0)):
        enough = mask.sum() >= (1 if through_origin else 2)
        fits.append(
            linear_fit(np.abs(r_e[mask]), y[mask], through_origin=through_origin)
            if enough
            else None
        )
    return SideFits(fits[0], fits[1], max_abs_r)


@dataclass(frozen=True)
class Assumption1Result:
    """``||delta||`` (hidden units) and ``||U delta||`` (logit units) per coefficient and question
    (``(n_r, n_q)``), with side fits of the question-mean norm against ``|r_e|``: the hidden-space
    slope is ``lam`` (Assumption 1); the logit-space slope is a different quantity."""

    r_e: np.ndarray
    hidden_norm: np.ndarray
    logit_norm: np.ndarray | None
    hidden_fit: SideFits
    logit_fit: SideFits | None
    lam_per_question: np.ndarray  # (2, n_q): slopes for r_e > 0 and r_e < 0, hidden space
    through_origin: bool


def measure_assumption1(
    r_e: Any,
    h_steered: Any,
    h0: Any,
    U: Any = None,
    *,
    gram: Any = None,
    through_origin: bool = True,
    max_abs_r: float | None = None,
) -> Assumption1Result:
    """Assumption 1. Logit norms need ``U`` (or its ``gram = U.T @ U``); fits use the points with
    ``|r_e| <= max_abs_r`` (all by default), through the origin unless ``through_origin=False``."""
    r, delta = hidden_deltas(r_e, h_steered, h0)
    hidden = np.linalg.norm(delta, axis=-1)
    logit = None
    if gram is not None or U is not None:
        g = as_float64(gram, "gram", 2) if gram is not None else unembedding_gram(U)
        logit = np.sqrt(np.maximum(np.einsum("rqd,de,rqe->rq", delta, g, delta), 0.0))
    per_q = np.full((2, hidden.shape[1]), np.nan)
    for q in range(hidden.shape[1]):
        fits = side_fits(r, hidden[:, q], through_origin=through_origin, max_abs_r=max_abs_r)
        for i, fit in enumerate((fits.positive, fits.negative)):
            per_q[i, q] = np.nan if fit is None else fit.slope
    return Assumption1Result(
        r_e=r,
        hidden_norm=hidden,
        logit_norm=logit,
        hidden_fit=side_fits(
            r, hidden.mean(axis=1), through_origin=through_origin, max_abs_r=max_abs_r
        ),
        logit_fit=None
        if logit is None
        else side_fits(r, logit.mean(axis=1), through_origin=through_origin, max_abs_r=max_abs_r),
        lam_per_question=per_q,
        through_origin=through_origin,
    )


@dataclass(frozen=True)
class LinearityRange:
    """Largest ``R`` per side such that the fit on ``0 < |r_e| <= R`` has ``R^2 >= threshold``
    (0 when no window of at least ``min_points`` points qualifies)."""

    r_max_positive: float
    r_max_negative: float
    fit_positive: LinearFit | None
    fit_negative: LinearFit | None
    threshold: float


def linearity_range(
    r_e: Any,
    norms: Any,
    *,
    threshold: float = 0.99,
    min_points: int = 3,
    through_origin: bool = True,
) -> LinearityRange:
    """Linearity range of ``norms`` (``(n_r,)``, or ``(n_r, n_q)`` averaged over questions)."""
    r = as_float64(r_e, "r_e", 1)
    y = np.asarray(norms, dtype=np.float64)
    y = y.mean(axis=1) if y.ndim == 2 else y
    if y.shape != r.shape:
        raise ValueError(f"norms must have shape ({r.size},) or ({r.size}, n_q), got {y.shape}")
    out: list[tuple[float, LinearFit | None]] = []
    for side in (r > 0, r < 0):
        best: tuple[float, LinearFit | None] = (0.0, None)
        x_side, y_side = np.abs(r[side]), y[side]
        for edge in np.unique(x_side):
            window = x_side <= edge
            if window.sum() >= min_points:
                fit = linear_fit(x_side[window], y_side[window], through_origin=through_origin)
                if fit.r2 >= threshold:
                    best = (float(edge), fit)
        out.append(best)
    return LinearityRange(out[0][0], out[1][0], out[0][1], out[1][1], threshold)


# ----------------------------------------------------------------------------- Assumption 3
@dataclass(frozen=True)
class NormalityTest:
    """A normality test of pooled samples: D'Agostino-Pearson (``scipy.stats.normaltest``) for
    ``n >= 20``, Shapiro-Wilk otherwise; ``skew`` and ``excess_kurtosis`` (Fisher, 0 for a
    Gaussian) are the biased sample moments."""

    name: str
    statistic: float
    p_value: float
    skew: float
    excess_kurtosis: float
    n: int


def normality_test(samples: Any) -> NormalityTest:
    """Test ``samples`` (any shape, flattened) for normality; see :class:`NormalityTest`."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    if x.size < 3 or np.ptp(x) == 0:
        raise ValueError(f"need at least 3 non-constant samples, got {x.size}")
    name, res = (
        ("dagostino_pearson", stats.normaltest(x))
        if x.size >= 20
        else ("shapiro_wilk", stats.shapiro(x))
    )
    return NormalityTest(
        name,
        float(res.statistic),
        float(res.pvalue),
        float(stats.skew(x)),
        float(stats.kurtosis(x)),
        int(x.size),
    )


@dataclass(frozen=True)
class Assumption3Result:
    """Projections over the top-``k`` **unsteered** tokens ``T`` (excluding the correct ``c``).

    ``projections[i, q, j] = (u_t - u_c) . delta/||delta||`` and ``logit_differences[i, q, j] =
    (u_t - u_c) . delta`` (the change of ``t``'s logit minus that of ``c``) for ``t =
    top_ids[q, j]``; slots with ``t == c`` are masked out by ``valid``. ``r_e`` holds only the
    nonzero coefficients. ``std_logit`` (pooled std over questions and tokens at each ``r_e``)
    grows like ``lam*sigma*|r_e|``: ``std_fit`` holds its side fits (slopes ``lam*sigma``).
    ``sigma`` is the pooled std of ``projections`` at ``reference_r`` (ddof 1), where the
    pooled ``samples`` also feed the histogram, QQ data and normality test.
    """

    r_e: np.ndarray
    k: int
    top_ids: np.ndarray
    correct_in_top: np.ndarray
    valid: np.ndarray
    projections: np.ndarray
    logit_differences: np.ndarray
    std_normalized: np.ndarray
    std_logit: np.ndarray
    std_fit: SideFits
    reference_r: float
    samples: np.ndarray
    sigma: float
    normality: NormalityTest
    histogram: tuple[np.ndarray, np.ndarray]
    qq: tuple[np.ndarray, np.ndarray]


def measure_assumption3(
    r_e: Any,
    h_steered: Any,
    h0: Any,
    U: Any,
    correct_ids: Sequence[int] | np.ndarray,
    *,
    k: int = 10,
    unsteered_logits: Any = None,
    reference_r: float | None = None,
    through_origin: bool = True,
    max_abs_r: float | None = None,
) -> Assumption3Result:
    """Assumption 3. ``correct_ids``: the correct token id per question; the top-``k`` set comes
    from ``unsteered_logits`` (``(n_q, vocab)``; default ``h0 @ U.T``), never a steered run.
    ``std_fit`` uses the points with ``|r_e| <= max_abs_r`` (all by default)."""
    r, delta, norms = nonzero_deltas(r_e, h_steered, h0)
    n_q = delta.shape[1]
    z0 = (
        unembed(h0, U)
        if unsteered_logits is None
        else as_float64(unsteered_logits, "unsteered_logits", 2)
    )
    c = np.asarray(correct_ids, dtype=np.int64).ravel()
    if c.shape != (n_q,) or (c < 0).any() or (c >= z0.shape[1]).any():
        raise ValueError(f"correct_ids must hold {n_q} token ids in [0, {z0.shape[1]})")
    if not 2 <= k <= z0.shape[1]:
        raise ValueError(f"k must be in [2, {z0.shape[1]}], got {k}")
    top = np.argsort(-z0, axis=1, kind="stable")[:, :k]
    valid = top != c[:, None]
    diff = unembedding_rows(U, top) - unembedding_rows(U, c)[:, None, :]  # (n_q, k, d)
    logit_diff = np.einsum("qkd,rqd->rqk", diff, delta)
    proj = logit_diff / norms[:, :, None]
    std_norm = np.array([proj[i][valid].std(ddof=1) for i in range(r.size)])
    std_logit = np.array([logit_diff[i][valid].std(ddof=1) for i in range(r.size)])
    ref = reference_index(r, reference_r)
    samples = proj[ref][valid]
    (osm, osr), _ = stats.probplot(samples, dist="norm")
    std_fit = side_fits(r, std_logit, through_origin=through_origin, max_abs_r=max_abs_r)
    return Assumption3Result(
        r_e=r,
        k=k,
        top_ids=top,
        correct_in_top=~valid.all(axis=1),
        valid=valid,
        projections=proj,
        logit_differences=logit_diff,
        std_normalized=std_norm,
        std_logit=std_logit,
        std_fit=std_fit,
        reference_r=float(r[ref]),
        samples=samples,
        sigma=float(samples.std(ddof=1)),
        normality=normality_test(samples),
        histogram=np.histogram(samples, bins="auto"),
        qq=(np.asarray(osm), np.asarray(osr)),
    )


@torch.no_grad()
def collect_final_hidden(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    vector: SteeringVector,
    grid: list[float],
    *,
    batch_size: int = 32,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Final hidden states (the LM-head input at the readout position, hidden units) of every
    prompt at every ``r_e`` of ``grid``: ``(h_steered (n_r, n_q, d), h0 (n_q, d), unsteered
    logits (n_q, vocab))``, float32 numpy arrays, the inputs of the assumption measurements."""
    rows = [(q, r) for q in range(len(prompts)) for r in range(len(grid))]
    hidden = np.zeros((len(grid), len(prompts), 0), dtype=np.float32)
    for start in tqdm(range(0, len(rows), batch_size), desc="hidden", disable=not progress):
        batch = rows[start : start + batch_size]
        ids, mask = encode_prompts(tokenizer, [prompts[q] for q, _ in batch])
        out = steered_forward(model, ids, mask, vector, torch.tensor([grid[r] for _, r in batch]))
        if hidden.shape[2] == 0:
            hidden = np.zeros((len(grid), len(prompts), out.final_hidden.shape[1]), np.float32)
        for (q, r), h in zip(batch, out.final_hidden.numpy(), strict=True):
            hidden[r, q] = h
    h0_list, logits0 = [], []
    for start in range(0, len(prompts), batch_size):
        chunk = list(prompts[start : start + batch_size])
        out = steered_forward(
            model, *encode_prompts(tokenizer, chunk), None, torch.zeros(len(chunk))
        )
        h0_list.append(out.final_hidden.numpy())
        logits0.append(out.logits.numpy())
    return hidden, np.concatenate(h0_list), np.concatenate(logits0)


# ----------------------------------------------------------------------------- Assumption 2
@dataclass(frozen=True)
class AnswerTokenSets:
    """Aligned (``positive``) and misaligned (``negative``) answer tokens chosen from the
    **unsteered** model, with their mean unsteered probability over the prompts."""

    positive_ids: tuple[int, ...]
    negative_ids: tuple[int, ...]
    positive_prob: tuple[float, ...]
    negative_prob: tuple[float, ...]


def select_answer_tokens(
    unsteered_logits: Any,
    positive_candidates: Sequence[int],
    negative_candidates: Sequence[int],
    *,
    n_per_set: int | None = None,
    min_prob: float = 0.0,
) -> AnswerTokenSets:
    """Keep the candidates most probable under the unsteered model (mean full-vocabulary
    probability over prompts, descending): at most ``n_per_set`` per set, each with mean
    probability ``>= min_prob``. Only unsteered logits are accepted, so the selection cannot
    depend on the steering (the published code picked tokens from a steered run)."""
    z = as_float64(unsteered_logits, "unsteered_logits", 2)
    mean_p = np.exp(z - special.logsumexp(z, axis=1, keepdims=True)).mean(axis=0)
    chosen = []
    for name, cands in (("positive", positive_candidates), ("negative", negative_candidates)):
        ids = np.unique(np.asarray(cands, dtype=np.int64))
        if ids.size == 0 or (ids < 0).any() or (ids >= z.shape[1]).any():
            raise ValueError(f"{name}_candidates must be non-empty token ids in [0, {z.shape[1]})")
        order = ids[np.argsort(-mean_p[ids], kind="stable")]
        order = order[mean_p[order] >= min_prob][:n_per_set]
        if order.size == 0:
            raise ValueError(f"no {name} candidate has mean unsteered probability >= {min_prob}")
        chosen.append(order)
    if np.intersect1d(*chosen).size:
        raise ValueError("positive and negative candidate sets overlap")
    return AnswerTokenSets(
        tuple(int(i) for i in chosen[0]),
        tuple(int(i) for i in chosen[1]),
        tuple(float(mean_p[i]) for i in chosen[0]),
        tuple(float(mean_p[i]) for i in chosen[1]),
    )


@dataclass(frozen=True)
class Assumption2Result:
    """Oriented projections ``sign(r_e) u_t . delta/||delta||`` of the answer tokens, shapes
    ``(n_r, n_q, |A|)`` and ``(n_r, n_q, |M|)`` over nonzero ``r_e``; ``margin`` (``(n_r, n_q)``)
    is the minimum over pairs ``min_a - max_m`` (Assumption 2's ``Delta``), ``separation`` the
    difference of the means. ``delta_per_question`` is the margin at ``reference_r``."""

    r_e: np.ndarray
    positive_ids: tuple[int, ...]
    negative_ids: tuple[int, ...]
    positive_projections: np.ndarray
    negative_projections: np.ndarray
    margin: np.ndarray
    separation: np.ndarray
    reference_r: float
    delta_per_question: np.ndarray

    @property
    def delta_min(self) -> float:
        """The worst question's margin at ``reference_r``."""
        return float(self.delta_per_question.min())


def measure_assumption2(
    r_e: Any,
    h_steered: Any,
    h0: Any,
    U: Any,
    tokens: AnswerTokenSets,
    *,
    reference_r: float | None = None,
) -> Assumption2Result:
    """Assumption 2 for token sets from :func:`select_answer_tokens`."""
    r, delta, norms = nonzero_deltas(r_e, h_steered, h0)
    direction = np.sign(r)[:, None, None] * delta / norms[:, :, None]
    pos = np.einsum("ad,rqd->rqa", unembedding_rows(U, list(tokens.positive_ids)), direction)
    neg = np.einsum("md,rqd->rqm", unembedding_rows(U, list(tokens.negative_ids)), direction)
    margin = pos.min(axis=-1) - neg.max(axis=-1)
    ref = reference_index(r, reference_r)
    return Assumption2Result(
        r,
        tokens.positive_ids,
        tokens.negative_ids,
        pos,
        neg,
        margin,
        pos.mean(axis=-1) - neg.mean(axis=-1),
        float(r[ref]),
        margin[ref],
    )


def measure_theorem2_parameters(
    r_e: Any,
    h_steered: Any,
    h0: Any,
    U: Any,
    correct: Sequence[int] | np.ndarray,
    *,
    k: int,
    candidate_ids: Any = None,
    reference_r: float | None = None,
) -> list[Theorem2Parameters]:
    """Theorem 2's parameters per question via :func:`steerbound.theory.theorem2_parameters`.

    The direction ``v`` is ``delta/||delta||`` at ``reference_r`` (default: the smallest positive
    ``r_e``). With ``candidate_ids`` (``(m,)`` or ``(n_q, m)``, e.g. the letters A-D) the law is
    the unsteered softmax restricted to the candidates and ``correct`` indexes the candidates;
    without, the law is the full-vocabulary softmax of ``h0 @ U.T`` and ``correct`` holds token ids.
    """
    r, delta = hidden_deltas(r_e, h_steered, h0)
    ref = reference_index(r, reference_r)
    v = delta[ref] / np.linalg.norm(delta[ref], axis=-1, keepdims=True)
    base = as_float64(h0, "h0", 2)
    n_q = base.shape[0]
    c = np.asarray(correct, dtype=np.int64).ravel()
    if c.shape != (n_q,):
        raise ValueError(f"correct must have one entry per question ({n_q})")
    out = []
    if candidate_ids is not None:
        ids = np.broadcast_to(
            np.asarray(candidate_ids, dtype=np.int64), (n_q, np.shape(candidate_ids)[-1])
        )
        rows = unembedding_rows(U, ids)  # (n_q, m, d)
        logits = np.einsum("qmd,qd->qm", rows, base)
        x = np.einsum("qmd,qd->qm", rows, v)
    else:
        logits = unembed(base, U)
        x = unembed(v, U)
    probs = np.exp(logits - special.logsumexp(logits, axis=1, keepdims=True))
    for q in range(n_q):
        out.append(theorem2_parameters(probs[q] / probs[q].sum(), x[q], int(c[q]), k))
    return out
