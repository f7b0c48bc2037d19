"""Validation helpers shared by the TOML config sections (:mod:`steerbound.empirical.config`).

Every error is a :class:`ConfigError` (a ``ValueError``) whose message starts with the file and
the field (``configs/x.toml [vector].batch_size: expected an integer, got 'x'``), so a user can
fix a config without reading a traceback.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any


class ConfigError(ValueError):
    """A config value is missing or invalid; the message names the file and the field."""


def check(condition: bool, where: str, message: str) -> None:
    """Raise ``ConfigError(f"{where}: {message}")`` unless ``condition``."""
    if not condition:
        raise ConfigError(f"{where}: {message}")


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if hint is Any:
        return "any value"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(hint))
    if origin is list:
        return f"a list of {_describe(typing.get_args(hint)[0])}"
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    return names.get(hint, "null" if hint is type(None) else str(hint))


def _matches(value: Any, hint: Any) -> bool:
    """Whether a parsed TOML ``value`` has the annotated type (ints count as floats, never
    bools as numbers)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def build(cls: type, table: Any, where: str) -> Any:
    """Instantiate the dataclass ``cls`` from a TOML table, checking unknown, missing and
    ill-typed fields against its annotations (errors name ``where`` and the field)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(table) - set(names))
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {unknown}; allowed {sorted(names)}")
    missing = [
        n
        for n, f in names.items()
        if f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
        and n not in table
    ]
    if missing:
        raise ConfigError(f"{where}: missing field(s) {missing}")
    values = {}
    for name, value in table.items():
        hint = hints[name]
        if not _matches(value, hint):
            raise ConfigError(f"{where}.{name}: expected {_describe(hint)}, got {value!r}")
        values[name] = float(value) if hint is float else value
    return cls(**values)


def _finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def grid(value: Any, where: str) -> list[float]:
    """A coefficient grid from ``{start, stop, step}`` (inclusive) or a list of distinct numbers."""
    from steerbound.empirical.sweep import coefficient_grid

    if isinstance(value, dict):
        unknown = set(value) - {"start", "stop", "step"}
        if unknown or len(value) != 3:
            raise ConfigError(f"{where}: expected {{start, stop, step}}, got keys {sorted(value)}")
        bad = [k for k in ("start", "stop", "step") if not _finite_number(value[k])]
        if bad:
            raise ConfigError(f"{where}.{bad[0]}: must be a finite number, got {value[bad[0]]!r}")
        try:
            return coefficient_grid(
                float(value["start"]), float(value["stop"]), float(value["step"])
            )
        except (TypeError, ValueError) as error:
            raise ConfigError(f"{where}: {error}") from None
    numbers = isinstance(value, list) and value
    if numbers and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        if len(set(value)) != len(value):
            raise ConfigError(f"{where}: coefficients repeat a value")
        bad = [v for v in value if not _finite_number(v)]
        if bad:
            raise ConfigError(f"{where}: coefficient {bad[0]!r} is not finite")
        return [float(v) for v in value]
    raise ConfigError(f"{where}: expected a {{start, stop, step}} table or a list of numbers")
