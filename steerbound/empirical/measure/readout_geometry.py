"""Array helpers shared by the assumption measurements: final hidden states, their steering
change ``delta`` and the unembedding, in float64.

Shapes (as in :mod:`steerbound.empirical.assumptions`): ``r_e`` ``(n_r,)``; ``h_steered``
``(n_r, n_q, d)`` final hidden states (the LM head's input at the readout position) for every
coefficient; ``h0`` ``(n_q, d)`` the unsteered ones; ``U`` ``(vocab, d)`` the unembedding (row
``t`` is ``u_t``; numpy or torch, possibly on a GPU, never copied whole to float64). Products with
``U`` run in chunks of :data:`CHUNK_ROWS` vocabulary rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

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
