"""Result dataclasses to JSON and back (no pickle).

:func:`jsonable` writes dataclasses, arrays and numpy scalars as plain JSON (non-finite floats
as ``null``); :func:`from_jsonable` rebuilds a dataclass from that JSON using its type hints
(arrays from lists, ``null`` back to NaN in float arrays), so ``assumptions-<dataset>.json``
can be re-read by ``steerbound empirical plot`` without re-running the model.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from pathlib import Path
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """Dataclasses, arrays and numpy scalars as JSON values (non-finite floats as None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _array(value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype == object:  # nulls written for NaN
        array = np.array(value, dtype=np.float64)
    return array


def _decode(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(value, inner, where)
    if hint is np.ndarray:
        return _array(value)
    if dataclasses.is_dataclass(hint):
        return from_jsonable(hint, value, where)  # type: ignore[arg-type]
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(v, args[0], where) for v in value)
        return tuple(_decode(v, a, where) for v, a in zip(value, args, strict=True))
    if origin is dict:
        _, item = typing.get_args(hint)
        return {k: _decode(v, item, where) for k, v in value.items()}
    if hint is float:
        return float("nan") if value is None else float(value)
    if hint in (int, str, bool):
        return hint(value)
    raise ValueError(f"{where}: cannot decode a value of type {hint}")


def from_jsonable(cls: type, data: Any, where: str = "JSON") -> Any:
    """Rebuild the dataclass ``cls`` from the output of :func:`jsonable`."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object for {cls.__name__}")
    hints = typing.get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            raise ValueError(f"{where}: {cls.__name__} lacks field {f.name!r}")
        values[f.name] = _decode(data[f.name], hints[f.name], f"{where} {f.name}")
    return cls(**values)


ASSUMPTION_RESULTS = ("assumption1", "assumption2", "assumption3")


def load_assumptions(path: Path) -> dict[str, Any]:
    """``{"assumption1": Assumption1Result, ...}`` from an ``assumptions-<dataset>.json``."""
    from steerbound.empirical.answer_geometry import Assumption2Result
    from steerbound.empirical.assumptions import Assumption1Result, Assumption3Result

    classes = {
        "assumption1": Assumption1Result,
        "assumption2": Assumption2Result,
        "assumption3": Assumption3Result,
    }
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: invalid JSON: {error}") from None
    return {k: from_jsonable(classes[k], v, f"{path} {k}") for k, v in data.items() if k in classes}
