"""Input validation for the numeric bounds: every error names the offending argument."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def as_finite(name: str, value: Any) -> FloatArray:
    """Convert ``value`` to a float64 array; reject NaN and infinities."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or array of real numbers") from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if np.isinf(arr).any():
        raise ValueError(f"{name} must be finite")
    return arr


def probability(name: str, value: Any) -> FloatArray:
    """A probability in [0, 1]."""
    arr = as_finite(name, value)
    if ((arr < 0) | (arr > 1)).any():
        raise ValueError(f"{name} must lie in [0, 1] (it is a probability)")
    return arr


def open_unit(name: str, value: Any) -> FloatArray:
    """A behavior value in the open interval (-1, 1) (``artanh`` must be finite)."""
    arr = as_finite(name, value)
    if ((arr <= -1) | (arr >= 1)).any():
        raise ValueError(f"{name} must lie in the open interval (-1, 1) (artanh is applied)")
    return arr


def nonnegative(name: str, value: Any) -> FloatArray:
    arr = as_finite(name, value)
    if (arr < 0).any():
        raise ValueError(f"{name} must be >= 0")
    return arr


def positive(name: str, value: Any) -> FloatArray:
    arr = as_finite(name, value)
    if (arr <= 0).any():
        raise ValueError(f"{name} must be > 0")
    return arr


def integer_at_least(name: str, value: Any, minimum: int) -> FloatArray:
    """An integer-valued float64 array with every entry ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got a bool")
    arr = as_finite(name, value)
    if ((arr < minimum) | (arr != np.round(arr))).any():
        raise ValueError(f"{name} must be an integer >= {minimum}")
    return arr


def form(value: str, allowed: tuple[str, ...] = ("verified", "published")) -> str:
    if value not in allowed:
        raise ValueError(f"form must be one of {allowed}, got {value!r}")
    return value


def require(condition: Any, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``condition`` holds elementwise."""
    if not np.all(condition):
        raise ValueError(message)


def result(value: Any, *inputs: FloatArray) -> Any:
    """Broadcast ``value`` against the inputs; a float64 scalar for scalar inputs."""
    shape = np.broadcast_shapes(*(np.shape(a) for a in inputs))
    out = np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), shape))
    return out[()] if out.ndim == 0 else out
