"""Dataclasses to JSON / TOML values and back, with errors that name the source and the field.

:func:`encode` writes dataclasses, mappings, sequences, arrays and numpy scalars as plain JSON
values (non-finite floats as ``null``). :func:`decode` rebuilds a dataclass from such a value
(a parsed JSON object or TOML table) using its type hints, and refuses what it cannot
represent: unknown fields (the allowed ones are listed), missing required fields, and values of
the wrong type (``configs/x.toml [vector].batch_size: expected an integer, got 'x'``). Ints are
accepted for float fields, never bools for numbers; ``null`` reads as NaN in float fields and
arrays; ``dict[int, ...]`` keys are read back from JSON's strings. Every config section, result
file, vector manifest and organism config of steerbound goes through this one decoder.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import numpy as np

T = TypeVar("T")


def encode(value: Any) -> Any:
    """Dataclasses, mappings, sequences, arrays and numpy scalars as JSON values (non-finite
    floats as ``None``; mapping keys as strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, np.ndarray):
        return encode(value.tolist())
    if isinstance(value, np.generic):
        return encode(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class _Mismatch(Exception):
    """A value does not have its annotated type (caught and reported with its field)."""


def describe(hint: Any) -> str:
    """A type annotation in words (``int | None`` -> ``an integer or null``)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return "any value"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in typing.get_args(hint))
    if origin is list:
        return f"a list of {describe(typing.get_args(hint)[0])}"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(hint))
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    return names.get(hint, "null" if hint is type(None) else str(hint))


def _array(value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype == object:  # nulls written for NaN
        array = np.array(value, dtype=np.float64)
    return array


def _value(value: Any, hint: Any, where: str, error: type[ValueError]) -> Any:
    """``value`` as the annotated type; raises :class:`_Mismatch` where it is not one."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(hint):
            try:
                return _value(value, arg, where, error)
            except _Mismatch:
                continue
        raise _Mismatch
    if hint is type(None):
        if value is not None:
            raise _Mismatch
        return None
    if origin is Literal:
        if value not in typing.get_args(hint):
            raise _Mismatch
        return value
    if hint is np.ndarray:
        if not isinstance(value, list | tuple | int | float):
            raise _Mismatch
        return _array(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return decode(hint, value, where, error=error)
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise _Mismatch
        args = typing.get_args(hint)
        if origin is list or (len(args) == 2 and args[1] is Ellipsis):
            items = [_value(v, args[0], where, error) for v in value]
        elif len(args) != len(value):
            raise _Mismatch
        else:
            items = [_value(v, a, where, error) for v, a in zip(value, args, strict=True)]
        return items if origin is list else tuple(items)
    if origin is dict:
        if not isinstance(value, dict):
            raise _Mismatch
        key_type, item = typing.get_args(hint)
        return {_key(k, key_type): _value(v, item, where, error) for k, v in value.items()}
    if hint is float:
        if value is None:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Mismatch
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Mismatch
        return value
    if hint in (str, bool):
        if not isinstance(value, hint):
            raise _Mismatch
        return value
    if isinstance(hint, type) and isinstance(value, hint):
        return value
    raise _Mismatch


def _key(key: Any, key_type: Any) -> Any:
    if key_type is int:
        try:
            return int(key)
        except (TypeError, ValueError):
            raise _Mismatch from None
    return key


def decode(
    cls: type[T],
    data: Any,
    where: str,
    *,
    error: type[ValueError] = ValueError,
    what: str = "",
) -> T:
    """The dataclass ``cls`` from a JSON object or TOML table ``data``.

    Errors are ``error(f"{where}: ...")``: ``expected a table``, ``unknown {what}field(s) [...];
    allowed [...]``, ``missing {what}field(s) [...]`` or ``{where}.{field}: expected <type>, got
    <value>``. Fields with ``init=False`` are not read.
    """
    if not isinstance(data, dict):
        raise error(f"{where}: expected a table (JSON object) for {cls.__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise error(f"{where}: unknown {what}field(s) {unknown}; allowed {sorted(names)}")
    missing = [
        n
        for n, f in names.items()
        if f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
        and n not in data
    ]
    if missing:
        raise error(f"{where}: missing {what}field(s) {missing}")
    values = {}
    for name, value in data.items():
        try:
            values[name] = _value(value, hints[name], f"{where}.{name}", error)
        except _Mismatch:
            raise error(
                f"{where}.{name}: expected {describe(hints[name])}, got {value!r}"
            ) from None
    return cls(**values)
